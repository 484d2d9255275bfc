"""Award rules, quotas, the council's vote and dossiers (built on published scoring runs)."""
