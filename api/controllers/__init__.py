"""JSON controllers of the API, one module per feature."""
