"""The administrators' pages (Ban Thi đua – Khen thưởng): one module per task."""
