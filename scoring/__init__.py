"""Units, indicator intake, the vectorised scoring engine and the ranking rules, in rooms: ``core``
(pure), ``intake``, ``registry``, ``services``.
"""
