"""The composition root: the Litestar application built from ``web`` and ``api``."""
