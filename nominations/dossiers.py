"""A closed session's dossier set: build the context, render the PDFs, store and serve them.

The context is built in one pass over the session as stored (:func:`nominations.council.load_session`),
its votes from the count stored at closing, never from the rule file. Rendering runs in the
dossier process pool (spawn) off the event loop; the files are stored in the database with
their sha256 in one transaction, once per batch (a dossier set, like a run, is never
rewritten: the same closed session always gives the same documents).
"""

from __future__ import annotations

import hashlib
import tomllib
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from nominations.council import counted, load_session
from nominations.dossier.context import DossierContext, normalize_context
from nominations.dossier.render import DossierFile as Rendered
from nominations.dossier.render import render_set_async, zip_set
from nominations.history_codes import label
from nominations.history_store import unit_history
from nominations.service import KINDS
from nominations.session_count import NomineeTally
from nominations.tables import DossierFile
from presentation.numbers import points_text
from presentation.times import date_text
from presentation.words import criterion_reason, status_text
from scoring.registry.store import load_registry_from_db
from scoring.services.plan_store import load_plan_version
from scoring.services.runs import unit_breakdown
from storage.audit import record
from storage.db import write_transaction
from storage.errors import ServiceError

ISSUERS = Path(__file__).parent / "issuers"
_FILE_COLUMNS = (DossierFile.name, DossierFile.title, DossierFile.sha256, DossierFile.pages, DossierFile.size,
                 DossierFile.created_at, DossierFile.created_by)


def issuer_for_plan(plan_id: str) -> dict[str, Any]:
    for path in sorted(ISSUERS.glob("*.toml")):
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
        if plan_id in doc.get("plan_ids", []):
            return doc
    raise ServiceError("not_found", f"Chưa khai báo cơ quan ban hành hồ sơ cho kế hoạch «{plan_id}» "
                       f"(thư mục {ISSUERS}).")


def _history_lines(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_year: dict[int, list[str]] = defaultdict(list)
    for r in rows:
        text = r.get("label") or label(r["kind"], r["value"])
        if r.get("detail"):
            text += f" ({r['detail']})"
        by_year[int(r["year"])].append(text)
    return [{"year": y, "text": "; ".join(items)} for y, items in sorted(by_year.items())]


def _achievement(b: dict[str, Any], movement: str, year: int) -> str:
    return (f"Đạt {points_text(b['total'], b['max'])} điểm, "
            f"xếp thứ {b['rank_in_cluster']}/{b['cluster_size']} "
            f"{b.get('cluster_name') or 'cụm thi đua'}, {b['band_name']} trong {movement} năm {year}")


async def _nominee(n: dict[str, Any], counted_as: NomineeTally, movement: str, year: int,
                   registry: Any, criteria: dict[str, Any]) -> dict[str, Any]:
    b = await unit_breakdown(n["run_id"], n["unit_code"])
    is_individual = b["level"] == "individual"

    def above(code: str | None) -> str | None:
        unit = registry.unit(code) if code and registry.has(code) else None
        return unit.parent if unit else None

    def name_of(code: str | None) -> str:
        return registry.unit(code).name if code and registry.has(code) else f"UBND {registry.province_name}"

    body = above(n["unit_code"])
    return {
        "nomination_id": n["id"], "unit_code": n["unit_code"], "name": b["unit_name"],
        "is_individual": is_individual, "unit_name": name_of(body), "parent_name": name_of(above(body)),
        "head_name": "",
        "cluster_name": b.get("cluster_name") or "", "award_id": n["award_id"],
        "award_name": counted_as.award_name, "legal_basis": n["legal_basis"],
        "achievement": _achievement(b, movement, year), "total": b["total"], "max": b["max"],
        "percent": b["percent"], "band_name": b["band_name"], "rank_in_cluster": b["rank_in_cluster"],
        "cluster_size": b["cluster_size"], "money": int(n["money"]),
        "criteria": [{"name": c["name"], "value": c["value"], "unit": c.get("unit") or "",
                      "target": c["target"], "points": c["points"], "max_points": c["max_points"],
                      "status_text": status_text(c["status"]),
                      "reason": criterion_reason(c, criteria.get(c["id"]))} for c in b["criteria"]],
        "bonus_items": [{"name": x["name"], "points": x["points"]} for x in b["bonus_items"] if x["points"]],
        "deduction_items": [{"name": x["name"], "points": x["points"]} for x in b["deduction_items"]
                            if x["points"]],
        "history": _history_lines(await unit_history(n["unit_code"])),
        "conditions": [c["text"] + (f": {c['found']}" if c.get("found") else "")
                       for c in n["evaluation"].get("conditions", []) if c.get("met")],
        "votes": {**counted_as.tally.as_record(), "percent": float(counted_as.tally.percent)},
    }


async def build_context(batch_id: int) -> DossierContext:
    """The dossier context of a batch whose council session is closed."""
    records = await load_session(batch_id)
    batch, session, council = records.batch, records.session, records.council
    if session is None or council is None or session["status"] != "closed":
        raise ServiceError("conflict", "Chỉ lập hồ sơ khi hội đồng đã họp xét xong (phiên họp đã kết thúc).")
    issuer = issuer_for_plan(records.period["plan_id"])
    registry = await load_registry_from_db()
    members = records.members
    movement = records.period["plan_title"]
    plan = await load_plan_version(int(records.period["plan_version"]))
    criteria = {c.id: c for c in plan.criteria}
    count = counted(records)
    tallies = {int(t.nomination["id"]): t for t in count.nominees}
    considered = [await _nominee(n, tallies[int(n["id"])], movement, batch["year"], registry, criteria)
                  for n in records.nominations]
    for i, c in enumerate(considered, start=1):
        c["no"] = i
    attendance = list(records.attendance.values())
    recused = [{"name": r.member, "nominee": r.nominee} for r in count.recusals]
    issued = sum(1 for a in attendance if a["status"] != "absent")
    returned = len({int(v["member"]) for v in records.votes})
    ctx = {
        "parent_body": issuer["parent_body"], "issuing_body": issuer["issuing_body"],
        "council_name": issuer["council_name"], "number": batch["number"],
        "minutes_number": session["number"],
        "place": issuer["place"], "date": batch["decision_date"], "movement": movement,
        "year": batch["year"], "title": batch["title"],
        "commendation_kind": KINDS[batch["commendation_kind"]],
        "signer": issuer["signer"],
        "council_signer": {**issuer["council_signer"], "name": members[session["chair_id"]]["full_name"]},
        "secretary": members[session["secretary_id"]]["full_name"],
        "recipients": issuer["recipients"], "issuer_name": issuer["issuer_name"],
        "addressee": issuer["addressee"],
        "legal_bases": sorted({n["legal_basis"] for n in considered}),
        "nominees": considered,
        "session": {
            "held_at": session["held_at"], "place": session["place"],
            "chair": members[session["chair_id"]]["full_name"],
            "secretary": members[session["secretary_id"]]["full_name"],
            "council_decision": f"{council['decision_no']} ngày {date_text(council['decision_date'])}",
            "members_total": count.members,
            "present": [members[int(a["member"])]["full_name"] for a in attendance
                        if a["status"] == "present"],
            "absent": [{"name": members[int(a["member"])]["full_name"], "reason": a["reason"],
                        "written_vote": a["status"] == "absent_written"}
                       for a in attendance if a["status"] != "present"],
            "recused": recused, "ballots_issued": issued, "ballots_returned": returned,
            "ballots_valid": returned - int(session["ballots_invalid"]),
            "ballots_invalid": int(session["ballots_invalid"]), "ended_at": session["closed_at"],
        },
        "money_total": sum(n["money"] for n in considered if n["votes"]["passed"]),
    }
    return normalize_context(ctx)


async def list_files(batch_id: int) -> list[dict[str, Any]]:
    rows = await DossierFile.select(*_FILE_COLUMNS).where(DossierFile.batch == batch_id).order_by(
        DossierFile.name)
    return [dict(r) for r in rows]


async def generate(batch_id: int, actor: str) -> list[dict[str, Any]]:
    """Render and store the batch's dossier set (once; later calls return the stored set)."""
    existing = await list_files(batch_id)
    if existing:
        return existing
    ctx = await build_context(batch_id)
    files = await render_set_async(ctx)
    now = datetime.now(UTC)
    async with write_transaction():
        if await list_files(batch_id):  # another request rendered it meanwhile
            return await list_files(batch_id)
        await DossierFile.insert(*[
            DossierFile(key=f"{batch_id}|{f.name}", batch=batch_id, name=f.name, title=f.title,
                        sha256=f.sha256, pages=f.pages, size=len(f.pdf), content=f.pdf, created_by=actor,
                        created_at=now)
            for f in files])
        await record(actor, "dossier.generate", "nomination_batch", batch_id,
                     after={f.name: f.sha256 for f in files})
    return await list_files(batch_id)


async def file_content(batch_id: int, name: str) -> tuple[bytes, str, str]:
    row = await DossierFile.select(DossierFile.content, DossierFile.sha256).where(
        (DossierFile.batch == batch_id) & (DossierFile.name == name)).first()
    if row is None:
        raise ServiceError("not_found", f"Đợt số {batch_id} không có tệp hồ sơ «{name}».")
    return bytes(row["content"]), name, str(row["sha256"])


async def zip_content(batch_id: int) -> tuple[bytes, str, str]:
    rows = await DossierFile.select().where(DossierFile.batch == batch_id).order_by(DossierFile.name)
    if not rows:
        raise ServiceError("not_found", f"Đợt số {batch_id} chưa lập hồ sơ.")
    data = zip_set([Rendered(name=r["name"], title=r["title"], pdf=bytes(r["content"]), sha256=r["sha256"],
                             pages=r["pages"]) for r in rows])
    return data, f"ho-so-dot-{batch_id}.zip", hashlib.sha256(data).hexdigest()
