"""Storage plumbing every domain shares: settings, the database engine and transactions, the audit
chain, caches, shared tables and the services' error type.
"""
