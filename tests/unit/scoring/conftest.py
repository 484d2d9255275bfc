"""Fixtures holding the small hand-checked plan of :mod:`plans`, compiled for 2024."""

from __future__ import annotations

import pytest
from plans import LEVEL, PERIOD, build, hand_plan_dict

from criteria.model import Plan
from scoring.core.compile import CompiledLevel, compile_level


@pytest.fixture(scope="session")
def hand_plan() -> Plan:
    return build(hand_plan_dict())


@pytest.fixture(scope="session")
def hand_level(hand_plan: Plan) -> CompiledLevel:
    return compile_level(hand_plan, LEVEL, PERIOD)
