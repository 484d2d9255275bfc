"""Emulation plans as versioned, validated data (the pure core: no I/O besides reading a plan file)."""
