"""The composition root: the ``thidua`` command line (and, later, the Litestar app)."""
