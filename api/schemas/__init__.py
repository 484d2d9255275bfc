"""Typed request and response bodies of the JSON API, one module per controller module.

Responses have one Struct per use: a staff shape and a public one where they differ
(``Run``/``RunPublic``), so what the public may read is a type, not a field filter.
"""
