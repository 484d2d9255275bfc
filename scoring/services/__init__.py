"""Scoring services: plan versions, periods, values, runs, publication, replies and scenarios; each
holds its transaction.
"""
