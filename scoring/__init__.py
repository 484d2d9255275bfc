"""Units, indicator intake, the vectorised scoring engine and the ranking rules."""
