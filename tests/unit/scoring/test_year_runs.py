"""Which run a unit's results over the years show for each year (see scoring.services.unit_years)."""

from __future__ import annotations

from typing import Any

from scoring.services.unit_years import PeriodRun, year_runs


def choice(period_id: int, year: int, run_id: int, published: bool) -> PeriodRun:
    run: dict[str, Any] = {"id": run_id, "period_id": period_id, "year": year, "published": published}
    return PeriodRun(period={"id": period_id, "year": year}, run=run)


# oldest first, as period_runs gives them: 2022 provisional only, 2023 published then revised in a
# second period left provisional, 2024 provisional
CHOICES = [choice(1, 2022, 10, False), choice(2, 2023, 20, True), choice(3, 2023, 30, False),
           choice(4, 2024, 40, False)]


def shown(provisional: bool) -> dict[int, int]:
    return {year: run["id"] for year, run in year_runs(CHOICES, provisional).items()}


def test_the_public_pages_show_published_years_only() -> None:
    assert shown(provisional=False) == {2023: 20}


def test_the_dashboard_adds_each_year_without_a_published_run_as_provisional() -> None:
    assert shown(provisional=True) == {2022: 10, 2023: 20, 2024: 40}, "năm đã công bố dùng kết quả công bố"
    assert list(year_runs(CHOICES, True)) == [2022, 2023, 2024], "các năm xếp từ cũ đến mới"
