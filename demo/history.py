"""The demo's yearly history (2019–2024) of every official and collective of a registry.

Plausible and deterministic: each person and unit draws from its own generator seeded with
the seed and its code, so the same registry gives the same history on every machine. Most
people complete their tasks well (HTTNV) and are LĐTT; about a quarter excel (HTXSNV); about
one in ten has an initiative in a year; CSTĐCS goes to some who excel or have an initiative.
Multi-year conditions are guaranteed to be met by some and missed by others (see
:data:`GUARANTEED`), so the nomination screens always show both.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from nominations.history import HistoryEntry
from nominations.history_codes import GOOD_RATINGS, KIND_ORDER
from nominations.history_io import COLUMNS
from scoring.core.units import Registry, Unit

DEMO_FILE = "lich-su-thi-dua.csv"
YEARS = range(2019, 2025)
SEED = 2024
# (share, P(HTXSNV), P(initiative)) of strong, middling and weak people or units.
PERSON_TIERS = ((0.2, 0.6, 0.2), (0.65, 0.2, 0.08), (0.15, 0.05, 0.03))
UNIT_TIERS = ((0.2, 0.6, 0.0), (0.65, 0.25, 0.0), (0.15, 0.05, 0.0))
# How many people or units are picked for each guaranteed case (names used by the tests).
GUARANTEED = {
    "cstdcs_3_consecutive": 6,  # CSTĐCS 2020, 2021, 2022
    "cstdcs_gap": 6,  # CSTĐCS 2020, 2022, 2023 but not 2021
    "bang_khen_ttg_candidates": 4,  # Bằng khen tỉnh 2019, HTTNV+ 2019–2023, CSTĐCS 2020, 2021, 2023
    "cstd_tinh_2021": 2,  # CSTĐCS 2019–2021 and a provincial initiative that earned CSTĐ tỉnh
    "htxs_2_consecutive": 6,  # collectives: HTXSNV 2021 and 2022
    "htxs_gap": 4,  # collectives: HTXSNV 2021 and 2023, HTTNV 2022
}
TOPICS = (
    "Ứng dụng VNeID trong tiếp nhận hồ sơ thủ tục hành chính",
    "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính tại bộ phận một cửa",
    "Tổ công tác cộng đồng hỗ trợ người dân cài đặt, kích hoạt định danh điện tử",
    "Làm sạch dữ liệu dân cư phục vụ chi trả an sinh xã hội không dùng tiền mặt",
    "Quy trình kết nối dữ liệu hộ tịch với Cơ sở dữ liệu quốc gia về dân cư",
    "Bảng theo dõi tiến độ Đề án 06 trên nền bảng tính dùng chung",
    "Mô hình «Chợ 4.0» thanh toán không dùng tiền mặt ở vùng cao",
    "Hướng dẫn song ngữ Tày – Việt về dịch vụ công trực tuyến",
    "Tra cứu hồ sơ đất đai bằng mã QR tại bộ phận một cửa",
    "Khai báo lưu trú qua ứng dụng cho cơ sở homestay",
)
DISCIPLINE_SHARE = 0.01
PENDING_DETAIL = "Đang xem xét theo đơn phản ánh; chưa có kết luận"
PROVINCIAL_YEARS = range(2019, 2024)  # years whose provincial awards are decided in the demo


@dataclass
class _Year:
    rating: str
    initiative: str = ""  # scope code, empty if none
    cstdcs: bool = False
    discipline: str = ""
    used_for: str = ""


def _tier(rng: random.Random, tiers: Sequence[tuple[float, float, float]]) -> tuple[float, float]:
    draw, total = rng.random(), 0.0
    for share, htxs, initiative in tiers:
        total += share
        if draw < total:
            return htxs, initiative
    return tiers[-1][1], tiers[-1][2]


def _rating(rng: random.Random, p_htxs: float, low: float, fail: float) -> str:
    draw = rng.random()
    if draw < fail:
        return "khong-ht"
    if draw < low:
        return "htnv"
    return "htxs" if rng.random() < p_htxs else "httnv"


def _pick(rng: random.Random, people: list[Unit], collectives: list[Unit]) -> dict[str, list[Unit]]:
    """Distinct people and collectives for the guaranteed cases (collective cases: "htxs_…")."""
    wanted = {who: sum(n for key, n in GUARANTEED.items() if key.startswith("htxs") == (who == "unit"))
              for who in ("person", "unit")}
    pools = {"person": iter(rng.sample(people, min(wanted["person"], len(people)))),
             "unit": iter(rng.sample(collectives, min(wanted["unit"], len(collectives))))}
    return {key: list(islice(pools["unit" if key.startswith("htxs") else "person"], n))
            for key, n in GUARANTEED.items()}


def _person_years(person: Unit, years: Sequence[int], seed: int) -> dict[int, _Year]:
    rng = random.Random(f"{seed}|{person.code}")
    p_htxs, p_initiative = _tier(rng, PERSON_TIERS)
    out: dict[int, _Year] = {}
    for year in years:
        state = _Year(_rating(rng, p_htxs, 0.06, 0.01))
        if rng.random() < p_initiative:
            draw = rng.random()
            state.initiative = "co-so" if draw < 0.8 else "tinh" if draw < 0.97 else "toan-quoc"
        if rng.random() < DISCIPLINE_SHARE:
            state = _Year("htnv", discipline="khien-trach" if rng.random() < 0.7 else "canh-cao")
        good = state.rating in GOOD_RATINGS
        state.cstdcs = good and (state.rating == "htxs" or bool(state.initiative)) and rng.random() < 0.55
        if state.cstdcs and state.rating != "htxs":
            state.used_for = "cstdcs"  # the initiative earned this CSTĐCS: it counts once
        out[year] = state
    return out


def _force(states: dict[int, _Year], cstdcs: Iterable[int] = (), plain: Iterable[int] = (),
           good: Iterable[int] = ()) -> None:
    """Overrides for a guaranteed case: CSTĐCS years (with HTXSNV), plain HTTNV years without
    CSTĐCS or initiative, HTTNV-or-better years; the person is never disciplined."""
    for state in states.values():
        if state.discipline:
            state.discipline, state.rating = "", "httnv"
    for year in good:
        if year in states and states[year].rating not in GOOD_RATINGS:
            states[year].rating = "httnv"
    for year in plain:
        if year in states:
            states[year] = _Year("httnv")
    for year in cstdcs:
        if year in states:
            states[year].rating, states[year].cstdcs, states[year].used_for = "htxs", True, ""


class _Decisions:
    """One decision number per (title, year): everyone given a title in a year shares it."""

    def __init__(self, seed: int) -> None:
        self.seed = seed

    def __call__(self, value: str, year: int) -> str:
        rng = random.Random(f"{self.seed}|{value}|{year}")
        issuer = "QĐ-TTg" if value == "bang-khen-ttg" else "QĐ-UBND"
        return (f"Quyết định số {rng.randint(40, 980)}/{issuer} ngày {rng.randint(5, 28):02d}/"
                f"{rng.randint(1, 3):02d}/{year + 1}")


def _award(code: str, year: int, title: str, decision: _Decisions) -> HistoryEntry:
    return HistoryEntry(code, year, "title", title, decision(title, year))


def demo_history(registry: Registry, years: Iterable[int] = YEARS, seed: int = SEED) -> list[HistoryEntry]:
    """Ratings, titles, initiatives and discipline of every official and collective, by year."""
    years = tuple(years)
    people = list(registry.of_level("individual"))
    collectives = [u for level in ("agency", "district", "commune") for u in registry.of_level(level)]
    picker = random.Random(seed)
    groups = _pick(picker, people, collectives)
    decision = _Decisions(seed)
    entries: list[HistoryEntry] = []
    states = {p.code: _person_years(p, years, seed) for p in people}
    for person in groups["cstdcs_3_consecutive"]:
        _force(states[person.code], cstdcs=(2020, 2021, 2022))
    for person in groups["cstdcs_gap"]:
        _force(states[person.code], cstdcs=(2020, 2022, 2023), plain=(2021,))
    for person in groups["bang_khen_ttg_candidates"]:
        _force(states[person.code], cstdcs=(2020, 2021, 2023), good=range(2019, 2024))
        if 2019 in years:
            entries.append(_award(person.code, 2019, "bang-khen-tinh", decision))
    for person in groups["cstd_tinh_2021"]:
        _force(states[person.code], cstdcs=(2019, 2020, 2021))
        if 2021 in states[person.code]:
            states[person.code][2021].initiative, states[person.code][2021].used_for = "tinh", "cstd-tinh"
            entries.append(_award(person.code, 2021, "cstd-tinh", decision))
    entries += _extra_awards(picker, people, groups, states, decision, years)
    for person in people:
        entries += _person_entries(person.code, states[person.code], decision)
    entries += _collective_entries(collectives, groups, years, seed, decision)
    order = {kind: i for i, kind in enumerate(KIND_ORDER)}
    return sorted(entries, key=lambda e: (e.unit_code, e.year, order[e.kind], e.value, e.detail))


def _person_entries(code: str, states: dict[int, _Year], decision: _Decisions) -> list[HistoryEntry]:
    out: list[HistoryEntry] = []
    for year, state in states.items():
        out.append(HistoryEntry(code, year, "rating", state.rating))
        if state.rating in GOOD_RATINGS and not state.discipline:
            out.append(_award(code, year, "ldtt", decision))
        if state.cstdcs:
            out.append(_award(code, year, "cstdcs", decision))
        if state.initiative:
            topic = TOPICS[random.Random(f"{code}|{year}").randrange(len(TOPICS))]
            out.append(HistoryEntry(code, year, "initiative", state.initiative, topic, state.used_for))
        if state.discipline:
            number = random.Random(f"{code}|{year}|kl").randint(10, 300)
            detail = (PENDING_DETAIL if state.discipline == "dang-xem-xet"
                      else f"Quyết định kỷ luật số {number}/QĐ-KL năm {year}")
            out.append(HistoryEntry(code, year, "discipline", state.discipline, detail))
    return out


def _extra_awards(rng: random.Random, people: list[Unit], groups: dict[str, list[Unit]],
                  states: dict[str, dict[int, _Year]], decision: _Decisions,
                  years: Sequence[int]) -> list[HistoryEntry]:
    """A handful of provincial Bằng khen (2019–2021), two Prime Minister's; one pending case
    (marked in ``states``)."""
    taken = {u.code for group in groups.values() for u in group}
    free = [p for p in people if p.code not in taken
            and not any(s.discipline for s in states[p.code].values())]
    rng.shuffle(free)
    out: list[HistoryEntry] = []
    for person in free[:6]:
        year = rng.choice([y for y in (2019, 2020, 2021) if y in years] or [years[0]])
        out.append(_award(person.code, year, "bang-khen-tinh", decision))
    for person, year in zip(free[6:8], (2019, 2020), strict=True):
        if year in years:
            out.append(_award(person.code, year, "bang-khen-ttg", decision))
    if 2024 in years and len(free) > 8:  # pending: no title while the case is open
        pending = states[free[8].code][2024]
        pending.discipline, pending.cstdcs, pending.used_for = "dang-xem-xet", False, ""
    return out


def _collective_entries(collectives: list[Unit], groups: dict[str, list[Unit]], years: Sequence[int],
                        seed: int, decision: _Decisions) -> list[HistoryEntry]:
    forced: dict[str, dict[int, str]] = {}
    for unit in groups["htxs_2_consecutive"]:
        forced[unit.code] = {2021: "htxs", 2022: "htxs"}
    for unit in groups["htxs_gap"]:
        forced[unit.code] = {2021: "htxs", 2022: "httnv", 2023: "htxs"}
    out: list[HistoryEntry] = []
    excellent: dict[int, list[str]] = {year: [] for year in years}
    for unit in collectives:
        rng = random.Random(f"{seed}|{unit.code}")
        p_htxs, _ = _tier(rng, UNIT_TIERS)
        for year in years:
            rating = forced.get(unit.code, {}).get(year) or _rating(rng, p_htxs, 0.1, 0.02)
            out.append(HistoryEntry(unit.code, year, "rating", rating))
            title = ""
            if rating == "htxs":
                title = "ttldxs" if unit.code in forced or rng.random() < 0.7 else "ttldtt"
            elif rating == "httnv" and rng.random() < 0.85:
                title = "ttldtt"
            if title:
                out.append(_award(unit.code, year, title, decision))
            if title == "ttldxs":
                excellent[year].append(unit.code)
    picker = random.Random(f"{seed}|provincial")
    for year in years:
        if year not in PROVINCIAL_YEARS or not excellent[year]:
            continue
        flags = picker.sample(excellent[year], min(2, len(excellent[year])))
        out += [_award(code, year, "co-thi-dua-tinh", decision) for code in flags]
        twice = [c for c in excellent[year] if c in excellent.get(year - 1, ()) and c not in flags]
        out += [_award(code, year, "bang-khen-tinh", decision) for code in twice[:2]]
    return out


def write_history_csv(path: Path | str, entries: Iterable[HistoryEntry]) -> Path:
    """Write entries in the import layout, as UTF-8 with BOM so Excel opens it cleanly."""
    path = Path(path)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        for e in entries:
            writer.writerow((e.unit_code, e.year, e.kind, e.value, e.detail, e.used_for))
    return path
