"""The pure scoring core: compile a plan level, score it vectorised, rank, report, what-if and
robustness. No I/O, no storage.
"""
