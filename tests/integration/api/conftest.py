"""Fixtures of the API tests: a loaded province and a started app, once per module."""

from loaded_province import api, client, world

__all__ = ["api", "client", "world"]
