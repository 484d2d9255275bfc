"""Accounts, login sessions and API tokens: who may sign in, and as what (admin, unit, council)."""
