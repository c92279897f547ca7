"""Recording and keeping cases without writing Turtle: what ``chaingraph case`` runs.

- :mod:`~chaingraph.cases.vocabulary`: the names a form accepts (organisations, roles,
  phases, instrument and event types), read from the ontology and the monitor data;
- :mod:`~chaingraph.cases.model`: a case as plain dataclasses;
- :mod:`~chaingraph.cases.form` reads a YAML form (every mistake one sentence with its
  line and field), :mod:`~chaingraph.cases.show` writes one and the commented template;
- :mod:`~chaingraph.cases.build` turns a case into its triples, :mod:`~chaingraph.cases.read`
  reads them back;
- :mod:`~chaingraph.cases.edit`: handover, instruments, events, the close;
- :mod:`~chaingraph.cases.csvimport`: many cases from a spreadsheet;
- :mod:`~chaingraph.cases.record`: reading from and writing to files or a store (through
  :func:`chaingraph.backends.write_cases`, which keeps the history), with the audit on intake.
"""
