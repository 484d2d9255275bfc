"""Demo and sample data: the Tuyên Quang province registry, synthetic indicator data and history, the
demo loader, a sample dossier context.
"""
