"""A realistic sample dossier context: real Tuyên Quang units, Project 06 criteria, a vote.

Used by the dossier tests and ``benchmarks/bench_dossiers.py``; never by the services.
"""

from __future__ import annotations

import math
import random
import tomllib
from datetime import date, datetime
from functools import lru_cache
from importlib import resources
from types import SimpleNamespace
from typing import Any, cast

from nominations.dossier.context import (
    Absence,
    CriterionRow,
    DossierContext,
    HistoryItem,
    Nominee,
    Recusal,
    ScoreItem,
    normalize_context,
)
from presentation.numbers import points_text
from presentation.times import VN_TZ
from presentation.words import criterion_reason, status_text

PLAN_FILE = "tuyen-quang-de-an-06-2022-2025.toml"
MOVEMENT = "Phong trào thi đua thực hiện Đề án 06 giai đoạn 2022 - 2025, tầm nhìn đến năm 2030"
BASE_SALARY = 2_340_000  # VND/month from 1 Jul 2024 (Decree 73/2024)


def award_money(multiple: float) -> int:
    """Base salary × multiple, rounded up to 10,000 VND (Decree 152/2025 Art. 49–54)."""
    return math.ceil(BASE_SALARY * multiple / 10_000 - 1e-9) * 10_000


# ----------------------------------------------------------------------------- samples

# id: name, legal basis, money multiple (collective, individual), vote threshold (%)
AWARDS = {
    "co-thi-dua-tinh": ("Cờ thi đua của Ủy ban nhân dân tỉnh",
                        "Điều 26 Luật Thi đua, khen thưởng số 06/2022/QH15", (8.0, 8.0), 80.0),
    "bang-khen-tinh": ("Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh",
                       "Điều 74 Luật Thi đua, khen thưởng số 06/2022/QH15", (3.0, 1.5), 50.0),
}  # fmt: skip
RATINGS = ("Hoàn thành xuất sắc nhiệm vụ", "Hoàn thành tốt nhiệm vụ")
TITLES = {False: ("Tập thể lao động xuất sắc", "Tập thể lao động tiên tiến",
                  "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh"),
          True: ("Chiến sĩ thi đua cơ sở", "Lao động tiên tiến", "Giấy khen của thủ trưởng cơ quan, đơn vị")}
ABSENCES = (("Đi công tác tại Hà Nội", True), ("Nghỉ ốm", False))


@lru_cache(maxsize=1)
def _plan() -> dict[str, Any]:
    text = (resources.files("criteria") / "plans" / PLAN_FILE).read_text(encoding="utf-8")
    return tomllib.loads(text)


def _target(c: dict[str, Any]) -> float | int | str | None:
    if c["method"] == "yes_no":
        return "Không" if c.get("direction") == "lower" else "Có"
    if c["method"] == "bands":
        return cast(float, c["bands"][-1][0])
    if c["method"] == "count_cap":
        ratio: float = c["max_points"] / c["points_each"]
        return math.ceil(ratio)
    target: float | int | None = c.get("target")
    return target


def _criteria(rng: random.Random, level: str) -> list[CriterionRow]:
    plan = _plan()
    units = {i["id"]: i["unit"] for i in plan["indicators"]}
    rows: list[CriterionRow] = []
    for c in (c for c in plan["criteria"] if c["level"] == level):
        target, top = _target(c), c["max_points"]
        share = 1.0 if rng.random() < 0.55 else rng.uniform(0.7, 0.98)
        value: float | int | str | None
        if isinstance(target, str):
            share = 1.0 if share > 0.8 else 0.0
            value = target if share else ("Có" if target == "Không" else "Không")
        elif isinstance(target, int | float):  # short of the target by the missing share
            percent, lower = units[c["indicator"]] == "%", c.get("direction") == "lower"
            gap = ((100 - target) if percent else max(target, 4)) * (1 - share)
            raw = target + gap if lower else target * share
            value = round(raw, 1) if percent else (math.ceil(raw) if lower else math.floor(raw))
        else:
            value = None
        points = round(top * share * 2) / 2
        status = "met" if points >= top else ("partial" if points > 0 else "not_met")
        row = {"value": value, "unit": units[c["indicator"]], "target": target, "points": points,
               "max_points": top, "status": status}
        rule = SimpleNamespace(direction=c.get("direction", "higher"), missing=c.get("missing", "zero"))
        rows.append({"name": c["name"], "value": value, "unit": units[c["indicator"]], "target": target,
                     "points": points, "max_points": top, "status_text": status_text(status),
                     "reason": criterion_reason(row, rule)})
    return rows


def _items(rng: random.Random, kind: str, level: str, chance: float) -> list[ScoreItem]:
    return [{"name": b["name"], "points": b["points_each"] if rng.random() < chance else 0}
            if "points_each" in b else {"name": b["name"], "points": 0}
            for b in _plan()[kind] if b["level"] == level]  # fmt: skip


def _history(rng: random.Random, year: int, individual: bool) -> list[HistoryItem]:
    items: list[HistoryItem] = []
    for y in range(year - 3, year):
        title = rng.choice(TITLES[individual])
        decision = f"Quyết định số {rng.randint(100, 2999)}/QĐ-UBND ngày {rng.randint(10, 28)}/12/{y}"
        items.append({"year": y, "text": f"{rng.choice(RATINGS)}; {title} ({decision})"})
    return items


def _band(percent: float, level: str) -> str:
    bands = [b for b in _plan()["bands"] if b["level"] == level]
    return str(next(b["name"] for b in bands if percent >= b["min_percent"]))


def _nominee(rng: random.Random, unit: Any, registry: Any, year: int, head: str) -> Nominee:
    individual = unit.level == "individual"
    parent = registry.unit(unit.parent)
    cluster = registry.cluster(unit.cluster)
    size = len([u for u in registry.units if u.cluster == unit.cluster])
    rank = rng.choice((1, 1, 2, 3)) if size > 2 else 1
    leads = not individual and rank == 1 and unit.level != "commune"
    award = "co-thi-dua-tinh" if leads else "bang-khen-tinh"
    award_name, basis, multiples, threshold = AWARDS[award]
    level = "individual" if individual else unit.level
    criteria = _criteria(rng, level)
    bonus = _items(rng, "bonuses", level, 0.5)
    deductions = _items(rng, "deductions", level, 0.1)
    total = (sum(r["points"] or 0 for r in criteria) + min(sum(b["points"] or 0 for b in bonus), 10)
             - sum(d["points"] or 0 for d in deductions))
    band = _band(total, level)
    place = f"xếp thứ {rank}/{size} {cluster.name}"
    holder = registry.unit(parent.parent) if parent.parent else parent
    return {
        "no": 0, "unit_code": unit.code, "name": unit.name, "is_individual": individual,
        "unit_name": parent.name if individual else f"UBND {parent.name[0].lower()}{parent.name[1:]}",
        "parent_name": f"UBND {holder.name[0].lower()}{holder.name[1:]}",
        "cluster_name": cluster.name, "award_id": award, "award_name": award_name,
        "legal_basis": basis, "achievement": f"Đạt {points_text(total, 100)} điểm, {place}",
        "total": total, "max": 100, "percent": round(total, 2), "band_name": band,
        "rank_in_cluster": rank, "cluster_size": size,
        "money": award_money(multiples[individual]), "criteria": criteria, "bonus_items": bonus,
        "deduction_items": deductions, "history": _history(rng, year, individual),
        "conditions": [f"{band} năm {year}; {place}",
                       "Không vi phạm kỷ luật, không có đơn thư khiếu nại, tố cáo"],
        "votes": {"yes": 0, "no": 0, "abstain": 0, "recused": 0, "members": 0, "denominator": 0,
                  "percent": 0.0, "passed": False, "threshold_percent": threshold},
        "head_name": head,
    }  # fmt: skip


def _vote(rng: random.Random, n: Nominee, valid: int, members: int, recused: int) -> None:
    """Most nominees pass; every eighth (the 6th, 14th, …) gets too few votes for any award."""
    voters = valid - recused
    yes = rng.randint(voters - 3, voters) if n["no"] % 8 != 6 else rng.randint(voters // 3, voters // 2)
    no = rng.randint(0, voters - yes)
    percent = round(yes * 100 / members, 2)
    threshold = n["votes"]["threshold_percent"]
    n["votes"] = {"yes": yes, "no": no, "abstain": voters - yes - no, "recused": recused,
                  "members": members, "denominator": members, "percent": percent,
                  "passed": percent >= threshold, "threshold_percent": threshold}


def sample_context(n_nominees: int, seed: int = 0) -> DossierContext:
    """A realistic dossier context: real Tuyên Quang units, Project 06 criteria, a vote."""
    from demo.registry_tuyen_quang import build_tuyen_quang_registry  # sqlite look-up: lazy

    rng = random.Random(seed)
    registry = build_tuyen_quang_registry()
    collectives = [u for u in registry.units if u.level in ("agency", "district", "commune")]
    people = [u for u in registry.units if u.level == "individual"]
    n_coll = min(len(collectives), round(n_nominees * 0.4))
    if n_nominees - n_coll > len(people) - 20:
        raise ValueError(f"at most {len(people) - 20 + n_coll} nominees in a sample")
    units = sorted(rng.sample(collectives, n_coll), key=lambda u: (u.level, u.code))
    picked = rng.sample(people, n_nominees - n_coll + 20)
    units += sorted(picked[20:], key=lambda u: u.code)
    council = [p.name for p in picked[:15]]
    heads = [p.name for p in picked[15:20]]
    year = 2025
    nominees = [_nominee(rng, u, registry, year, rng.choice(heads)) for u in units]
    nominees.sort(key=lambda n: (n["is_individual"], n["award_id"] != "co-thi-dua-tinh"))
    absent: list[Absence] = [{"name": council[-1 - i], "reason": reason, "written_vote": written}
                             for i, (reason, written) in enumerate(ABSENCES)]
    present = council[: -len(absent)]
    issued = len(present) + sum(a["written_vote"] for a in absent)
    agencies = [n for n in nominees if n["unit_code"].startswith("CQ")][:2]
    recused: list[Recusal] = [{"name": present[2 + i], "nominee": n["name"]} for i, n in enumerate(agencies)]
    for i, n in enumerate(nominees, start=1):
        n["no"] = i
        _vote(rng, n, issued, len(council), int(any(r["nominee"] == n["name"] for r in recused)))
    ctx: DossierContext = {
        "parent_body": "UBND TỈNH TUYÊN QUANG", "issuing_body": "SỞ NỘI VỤ",
        "council_name": "HỘI ĐỒNG THI ĐUA - KHEN THƯỞNG TỈNH TUYÊN QUANG",
        "number": "125/TTr-SNV", "minutes_number": "15/BB-HĐTĐKT", "place": "Tuyên Quang",
        "date": date(year, 12, 5), "movement": MOVEMENT, "year": year,
        "commendation_kind": "Khen thưởng theo phong trào thi đua (chuyên đề)",
        "signer": {"role_line": "KT. GIÁM ĐỐC", "title": "PHÓ GIÁM ĐỐC", "name": council[1]},
        "council_signer": {"role_line": "TM. HỘI ĐỒNG", "title": "CHỦ TỊCH", "name": council[0]},
        "secretary": council[1],
        "recipients": ["Như trên", "Thường trực Hội đồng Thi đua - Khen thưởng tỉnh",
                       "Ban Thi đua - Khen thưởng (Sở Nội vụ)", "Lưu: VT, TĐKT"],
        "nominees": nominees,
        "session": {
            "held_at": datetime(year, 12, 3, 8, 0, tzinfo=VN_TZ),
            "ended_at": datetime(year, 12, 3, 10, 30, tzinfo=VN_TZ),
            "place": "Phòng họp số 1, Ủy ban nhân dân tỉnh Tuyên Quang",
            "chair": council[0], "secretary": council[1], "members_total": len(council),
            "council_decision": f"35/QĐ-UBND ngày 10/01/{year}",
            "present": present, "absent": absent, "recused": recused,
            "ballots_issued": issued, "ballots_returned": issued, "ballots_valid": issued,
            "ballots_invalid": 0,
        },
        "money_total": sum(n["money"] for n in nominees if n["votes"]["passed"]),
        "issuer_name": "Sở Nội vụ", "addressee": "Ủy ban nhân dân tỉnh Tuyên Quang",
        "legal_bases": [
            "Nghị định số 152/2025/NĐ-CP của Chính phủ quy định chi tiết một số điều của Luật Thi đua, "
            "khen thưởng",
            "Kế hoạch của Ủy ban nhân dân tỉnh Tuyên Quang (tháng 12/2022) phát động " + MOVEMENT,
        ],
    }  # fmt: skip
    return normalize_context(ctx)
