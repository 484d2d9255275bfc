"""Indicator intake: uploaded CSV/XLSX files and typed values into one validated long table, and the
data-entry templates.
"""
