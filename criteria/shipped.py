"""The plan files shipped with thidua (``criteria/plans/``)."""

from __future__ import annotations

from pathlib import Path

PLANS = Path(__file__).resolve().parent / "plans"
PLAN_2022_2025 = PLANS / "tuyen-quang-de-an-06-2022-2025.toml"
PLAN_2025 = PLANS / "tuyen-quang-de-an-06-2025.toml"


SHIPPED = {"tuyen-quang-de-an-06-2022-2025": PLAN_2022_2025, "tuyen-quang-de-an-06-2025": PLAN_2025}
"""The plans offered as starting points when a Department opens its first period (key → file)."""


def shipped_plan_path() -> Path:
    """The Tuyên Quang Project 06 plan for 2022–2025, which the demo and most tests score."""
    return PLAN_2022_2025
