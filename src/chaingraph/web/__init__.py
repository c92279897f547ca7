"""``chaingraph serve``: a local web app on the library, with need-to-know access.

- :mod:`chaingraph.web.app`: the Starlette app and its pages (:func:`create_app`);
- :mod:`chaingraph.web.cases`: the cases, filtered by need-to-know, counted, paged;
- :mod:`chaingraph.web.index`: what the pages ask for, stored beside a store (SQLite);
- :mod:`chaingraph.web.forms`: the forms that record cases (intake, handover, closing);
- :mod:`chaingraph.web.users`: the users file (Argon2 hashes) and organisations by name;
- :mod:`chaingraph.web.auth`: sessions, CSRF tokens, slowed sign-ins, the page's language;
- :mod:`chaingraph.web.access`: the access log of case views;
- :mod:`chaingraph.web.collaboration` (who shares which cases), :mod:`~chaingraph.web.charts`:
  the pictures, as inline SVG, with the timeline and the collaboration circle drawn by
  :mod:`chaingraph.pictures` (as the exports draw them);
- :mod:`chaingraph.web.queries`, :mod:`chaingraph.web.sparql`: named queries and SPARQL,
  cut to what the user may see.

The pages are Jinja2 templates in ``chaingraph/templates/web/``; their texts are in
``catalogue/web.toml``; the style sheet and script are in ``static/`` beside this file.
"""
