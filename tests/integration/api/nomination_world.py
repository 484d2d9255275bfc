"""Councils, nomination batches and sessions in every state, for the API tests that need them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from nominations import council, dossiers, service

AWARD = "bang-khen-tinh-tap-the"
MEMBERS = [("Nguyễn Văn An", "Chủ tịch Hội đồng"), ("Trần Thị Bích", "Phó Chủ tịch"),
           ("Lê Minh Châu", "Ủy viên – Thư ký")]


@dataclass
class Awards:
    council_id: int
    draft_batch: int  # no session yet
    open_session: int
    closed_batch: int  # session closed, dossiers made
    closed_session: int
    dossier_name: str
    spare_unit: str  # eligible, in no batch
    session_form: dict[str, Any]
    council_form: dict[str, Any]
    attendance: list[dict[str, Any]]
    ballot: dict[str, Any]


async def add_awards(world: Any) -> Awards:
    period = world.published_period
    found = await service.eligibility(period, [AWARD])
    units = [c["unit_code"] for c in found["awards"][0]["eligible"]]
    assert len(units) >= 4, "the demo's 2023 communes give at least four eligible for the Bằng khen"
    council_form = {"name": "Hội đồng Thi đua - Khen thưởng tỉnh", "decision_no": "1234/QĐ-UBND",
                    "decision_date": "2024-03-01",
                    "members": [{"full_name": n, "position": p} for n, p in MEMBERS]}
    made = await council.create_council(council_form["name"], council_form["decision_no"], date(2024, 3, 1),
                                        council_form["members"], actor="system")
    cid, m = int(made["id"]), [int(x["id"]) for x in made["members"]]
    session_form = {"council_id": cid, "held_at": "2024-12-10T09:00:00+07:00", "place": "Sở Nội vụ",
                    "chair_id": m[0], "secretary_id": m[2], "number": "15/BB-HĐTĐKT"}

    async def batch(unit: str) -> int:
        made = await service.create_batch(period, title="Đề nghị tặng Bằng khen", number="125/TTr-SNV",
                                          decision_date=date(2024, 12, 5), entries=[(AWARD, unit)],
                                          actor="system")
        return int(made["id"])

    async def session(batch_id: int) -> tuple[int, int]:
        s = await council.open_session(batch_id, cid, held_at=datetime(2024, 12, 10, 2, tzinfo=UTC),
                                       place="Sở Nội vụ", chair_id=m[0], secretary_id=m[2],
                                       number="15/BB-HĐTĐKT", actor="system")
        sid = int(s["id"])
        await council.set_attendance(sid, {x: ("present", "") for x in m}, actor="system")
        nomination = int((await service.batch_nominations(batch_id))[0]["id"])
        for x in m:
            await council.record_votes(sid, x, {nomination: "yes"}, actor="system")
        return sid, nomination

    draft, opened, closed = await batch(units[0]), await batch(units[1]), await batch(units[2])
    open_sid, open_nomination = await session(opened)
    closed_sid, _ = await session(closed)
    await council.close_session(closed_sid, ballots_invalid=0, actor="system")
    files = await dossiers.generate(closed, actor="system")
    return Awards(
        council_id=cid, draft_batch=draft, open_session=open_sid, closed_batch=closed,
        closed_session=closed_sid, dossier_name=files[0]["name"], spare_unit=units[3],
        session_form=session_form, council_form=council_form,
        attendance=[{"member_id": x, "status": "present"} for x in m],
        ballot={"member_id": m[0], "choices": {str(open_nomination): "yes"}})
