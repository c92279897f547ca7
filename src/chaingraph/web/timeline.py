"""The timeline of a case on the case page: :mod:`chaingraph.pictures.timeline`.

The drawing lives in :mod:`chaingraph.pictures` so that the exports draw the same picture
(``chaingraph export timeline --format svg|png|html``); its classes are in
``static/pictures.css``, which the page's style sheet imports.
"""

from __future__ import annotations

from chaingraph.pictures.timeline import Lane, lanes, svg

__all__ = ["Lane", "lanes", "svg"]
