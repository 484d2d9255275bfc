"""The HTTP layer below ``web`` and ``api``: the signed-in user, guards and access checks, CSRF,
uploads, downloads, one error handler, read snapshots.
"""
