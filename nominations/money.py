"""Award money: the base salary in force on the decision day × the award's multiple.

Rounded UP to the next 10,000 VND (Decree 152/2025/NĐ-CP Art. 49–54). Both the base salary
(dated) and the multiple are rule set data.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_CEILING, Decimal

from nominations.rules import RuleSet

STEP = 10_000


def award_money(rule_set: RuleSet, award_id: str, day: date) -> int:
    """Money for one award decided on ``day``; ValueError (Vietnamese) before any base salary."""
    base = rule_set.base_salary_on(day)
    amount = Decimal(base) * rule_set.award(award_id).multiple
    steps = (amount / STEP).to_integral_value(rounding=ROUND_CEILING)
    return int(steps) * STEP

