"""Jinja2 for the pages: one environment; its filters are thin wrappers over :mod:`presentation`."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig

from presentation.money import money_text
from presentation.numbers import number_text, percent_text
from presentation.times import datetime_text, time_text
from presentation.words import CRITERION_STATUS, MISSING, period_status_text, vote_result_text

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"


def vn_number(x: Any, digits: int = 2) -> str:
    """12.5 → "12,5"; 1234.5 → "1.234,5"; words as they are; nothing → "—"."""
    if isinstance(x, str):
        return x
    return number_text(x, digits) or MISSING


def vn_datetime(value: date | datetime | str | None) -> str:
    """A moment in Vietnam time, "dd/mm/yyyy HH:MM"; a day, "dd/mm/yyyy"; nothing → "—"."""
    return datetime_text(value) or MISSING


def _or_missing(text: str) -> str:
    return text or MISSING


def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["so"] = vn_number
    env.filters["ngay"] = vn_datetime
    env.filters["gio"] = lambda moment: _or_missing(time_text(moment))
    env.filters["tien"] = lambda amount: _or_missing(money_text(amount))
    env.filters["phan_tram"] = lambda x: _or_missing(percent_text(x))
    env.filters["ket_qua"] = vote_result_text
    env.globals["STATUS_TEXT"] = CRITERION_STATUS
    env.globals["period_status_text"] = period_status_text
    return env


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(environment()))
