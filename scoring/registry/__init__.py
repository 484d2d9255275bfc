"""The unit registry in the database and the lineage of units across mergers."""
