"""From a published run to a closed council session: eligibility, a batch, attendance, recusal,
ballots, the tally against the rule's threshold over the full membership, audit, refusals."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from open_province import open_year, row_counts

from nominations import council, dossiers, service
from nominations.dossier import html_set
from nominations.tables import CouncilSession
from scoring.core.units import Registry, Unit
from scoring.registry.store import load_registry_from_db, save_registry
from scoring.services import runs
from scoring.services.publish import publish_run
from storage.audit import verify
from storage.errors import ServiceError
from storage.tables import AuditEntry

pytestmark = pytest.mark.db
AWARD = "bang-khen-tinh-tap-the"


async def published_communes(tmp_path: Path) -> int:
    period_id, _, _ = await open_year(tmp_path)
    run = await runs.start_run(period_id, "commune", actor="admin")
    await publish_run(run["id"], actor="admin")
    return period_id


def award(found: dict[str, Any], award_id: str) -> dict[str, Any]:
    return next(a for a in found["awards"] if a["award"]["id"] == award_id)


async def make_council(own_unit: str) -> dict[str, Any]:
    members = [{"full_name": name, "position": pos, "unit_code": unit} for name, pos, unit in [
        ("Nguyễn Văn An", "Chủ tịch Hội đồng", None), ("Trần Thị Bích", "Phó Chủ tịch", None),
        ("Lê Minh Châu", "Ủy viên", None), ("Phạm Thu Dung", "Ủy viên – Thư ký", None),
        ("Hoàng Đức Em", "Ủy viên", own_unit)]]
    return await council.create_council("Hội đồng Thi đua - Khen thưởng tỉnh", "1234/QĐ-UBND",
                                        date(2024, 3, 1), members, actor="admin")


async def test_eligibility_lists_reasons_cuts_and_money(clean_db: str, tmp_path: Path) -> None:
    period_id = await published_communes(tmp_path)
    found = await service.eligibility(period_id, on=date(2024, 12, 5))
    bk = award(found, AWARD)
    assert bk["version"]["legal_basis"] and "98/2023" in bk["version"]["legal_basis"]  # 2024 → Decree 98
    assert bk["eligible"], "the demo has communes that completed their tasks excellently"
    # 2,340,000 × 3.0 = 7,020,000 (already a multiple of 10,000)
    assert bk["money"] == 7_020_000
    quota = bk["version"]["quota"]["n"]
    per_cluster: dict[str, int] = {}
    for c in bk["eligible"]:
        assert c["band"] == "htxs" and all(r["met"] for r in c["conditions"])
        per_cluster[c["cluster"]] = per_cluster.get(c["cluster"], 0) + 1
    assert max(per_cluster.values()) <= quota
    for c in bk["cut"]:
        assert c["cut_reason"] and str(quota) in c["cut_reason"]
    for c in bk["near_misses"]:
        assert len(c["failed"]) == 1 and c["failed"][0]["text"]


async def test_a_batch_refuses_an_ineligible_unit_and_stores_nothing(clean_db: str, tmp_path: Path) -> None:
    period_id = await published_communes(tmp_path)
    bk = award(await service.eligibility(period_id), AWARD)
    good = bk["eligible"][0]["unit_code"]
    bad = (bk["cut"] or bk["near_misses"])[0]["unit_code"]
    before = await row_counts()
    with pytest.raises(ServiceError) as err:
        await service.create_batch(period_id, title="Đợt 1", number="125/TTr-SNV",
                                   decision_date=date(2024, 12, 5),
                                   entries=[(AWARD, good), (AWARD, bad)], actor="admin")
    assert err.value.code == "invalid_input"
    assert [d["unit_code"] for d in err.value.details] == [bad]
    assert "không được đề nghị" in err.value.details[0]["reason"]
    assert await row_counts() == before


async def test_council_session_from_ballots_to_final_results(clean_db: str, tmp_path: Path) -> None:
    period_id = await published_communes(tmp_path)
    bk = award(await service.eligibility(period_id), AWARD)
    a, b = bk["eligible"][0]["unit_code"], bk["eligible"][1]["unit_code"]
    batch = await service.create_batch(period_id, title="Đề nghị tặng Bằng khen năm 2024",
                                       number="125/TTr-SNV",
                                       decision_date=date(2024, 12, 5), entries=[(AWARD, a), (AWARD, b)],
                                       actor="admin")
    noms = {n["unit_code"]: n for n in await service.batch_nominations(batch["id"])}
    assert noms[a]["money"] == 7_020_000 and noms[a]["evaluation"]["conditions"]
    c = await make_council(own_unit=a)  # the fifth member belongs to nominee a
    m = [int(x["id"]) for x in c["members"]]
    session = await council.open_session(batch["id"], int(c["id"]),
                                         held_at=datetime(2024, 12, 10, 2, tzinfo=UTC),
                                         place="Phòng họp số 1, Sở Nội vụ", chair_id=m[0], secretary_id=m[3],
                                         number="15/BB-HĐTĐKT", actor="admin")
    sid = int(session["id"])
    with pytest.raises(ServiceError, match="đã có phiên họp"):
        await council.open_session(batch["id"], int(c["id"]), held_at=datetime.now(UTC), place="x",
                                   chair_id=m[0],
                                   secretary_id=m[3], number="16/BB", actor="admin")
    await council.set_attendance(sid, {m[0]: ("present", ""), m[1]: ("present", ""), m[2]: ("present", ""),
                                       m[3]: ("absent_written", "Đi công tác"), m[4]: ("present", "")},
                                 actor="admin")
    with pytest.raises(ServiceError) as err:  # the member from a's own unit may not vote on a
        await council.record_votes(sid, m[4], {int(noms[a]["id"]): "yes"}, actor="admin")
    assert "không được biểu quyết" in err.value.details[0]["reason"]
    with pytest.raises(ServiceError):  # nor recuse where there is no conflict
        await council.record_votes(sid, m[0], {int(noms[b]["id"]): "recused"}, actor="admin")
    ballots = {m[0]: ("yes", "yes"), m[1]: ("yes", "no"), m[2]: ("yes", "no"), m[3]: ("yes", "yes"),
               m[4]: ("recused", "no")}
    for member, (on_a, on_b) in list(ballots.items())[:4]:
        await council.record_votes(sid, member, {int(noms[a]["id"]): on_a, int(noms[b]["id"]): on_b}, "admin")
    with pytest.raises(ServiceError) as err:  # a member present has not voted yet
        await council.close_session(sid, ballots_invalid=0, actor="admin")
    assert "Hoàng Đức Em" in err.value.details[0]["reason"]
    await council.record_votes(sid, m[4], {int(noms[a]["id"]): "recused", int(noms[b]["id"]): "no"}, "admin")
    tally = {r["nomination"]["unit_code"]: r["tally"] for r in await council.session_tally(sid)}
    # Threshold 50 % of all 5 members: a has 4 yes (80 %) → passes, b has 2 yes (40 %) → fails;
    # the recused member still counts in the denominator (denominator = full membership).
    assert (tally[a].yes, tally[a].recused, tally[a].denominator, tally[a].passed) == (4, 1, 5, True)
    assert (tally[b].yes, tally[b].no, tally[b].denominator, tally[b].passed) == (2, 3, 5, False)
    # most yes votes first
    assert [r["nomination"]["unit_code"] for r in await council.session_tally(sid)] == [a, b]
    before_close = [n["result"] for n in await service.batch_nominations(batch["id"])]
    assert before_close == ["", ""], "results are not final while the session is open"
    await council.close_session(sid, ballots_invalid=0, actor="admin")
    results = {n["unit_code"]: n["result"] for n in await service.batch_nominations(batch["id"])}
    assert results == {a: "passed", b: "failed"}
    assert (await service.get_batch(batch["id"]))["status"] == "closed"
    with pytest.raises(ServiceError, match="đã kết thúc"):
        await council.record_votes(sid, m[1], {int(noms[b]["id"]): "yes"}, "admin")
    with pytest.raises(ServiceError) as err:  # one achievement earns one form
        await service.create_batch(period_id, title="Đợt 2", number="130/TTr-SNV",
                                   decision_date=date(2024, 12, 20),
                                   entries=[(AWARD, a)], actor="admin")
    assert "mỗi thành tích chỉ được đề nghị một hình thức" in err.value.details[0]["reason"]
    again = await service.create_batch(period_id, title="Đợt 2", number="130/TTr-SNV",
                                       decision_date=date(2024, 12, 20), entries=[(AWARD, b)], actor="admin")
    assert again["status"] == "draft", "a nominee the council refused may be proposed again"
    actions = [r["action"] for r in await AuditEntry.select(AuditEntry.action).order_by(AuditEntry.seq)]
    for action in ("nomination.batch_create", "council.create", "council.session_open", "council.attendance",
                   "council.vote", "council.session_close"):
        assert action in actions, action
    assert (await verify()).ok


async def test_a_member_from_a_predecessor_unit_must_recuse(clean_db: str, tmp_path: Path) -> None:
    """The council's members keep their legacy units after the 2025 mergers: a member from a
    unit the nominee succeeded is conflicted too."""
    period_id = await published_communes(tmp_path)
    a = award(await service.eligibility(period_id), AWARD)["eligible"][0]["unit_code"]
    registry = await load_registry_from_db()
    old = Unit("XA-CU-01", "Xã Cũ (đã sáp nhập)", "commune.xa", "commune", registry.province_code, None,
               date(2008, 1, 1), date(2019, 12, 31), successors=(a,))
    await save_registry(Registry(registry.province_code, registry.province_name, registry.clusters,
                                 (*registry.units, old)), "admin")
    batch = await service.create_batch(period_id, title="Đợt 1", number="125/TTr-SNV",
                                       decision_date=date(2024, 12, 5), entries=[(AWARD, a)], actor="admin")
    c = await make_council(own_unit=old.code)
    m = [int(x["id"]) for x in c["members"]]
    opened = await council.open_session(batch["id"], int(c["id"]), held_at=datetime.now(UTC),
                                        place="Sở Nội vụ", chair_id=m[0], secretary_id=m[3], number="15/BB",
                                        actor="admin")
    sid = int(opened["id"])
    await council.set_attendance(sid, {x: ("present", "") for x in m}, actor="admin")
    nomination = int((await service.batch_nominations(batch["id"]))[0]["id"])
    with pytest.raises(ServiceError) as err:
        await council.record_votes(sid, m[4], {nomination: "yes"}, actor="admin")
    assert "không được biểu quyết" in err.value.details[0]["reason"]
    await council.record_votes(sid, m[4], {nomination: "recused"}, actor="admin")


OLD_VOTE = ('vote = { threshold_percent = 50, denominator = "members", secret_ballot = false, '
            'legal_basis = "Quy chế hoạt động của Hội đồng Thi đua - Khen thưởng tỉnh" }')
NEW_VOTE = ('vote = { threshold_percent = 90, denominator = "members_minus_recused", secret_ballot = false, '
            'legal_basis = "Quy chế sửa đổi năm 2025" }')
OLD_NAME = 'name = "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh (tập thể)"'
NEW_NAME = 'name = "Bằng khen của Chủ tịch UBND tỉnh cho tập thể"'
MEETING = datetime(2024, 12, 10, 2, tzinfo=UTC)


def seats(m: list[int]) -> dict[str, Any]:
    """Where the session sits: the place, the chair (first member) and the secretary (fourth)."""
    return {"place": "Sở Nội vụ", "chair_id": m[0], "secretary_id": m[3]}


async def test_a_closed_session_keeps_the_count_it_was_closed_with(clean_db: str, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Closing stores the count (votes, threshold, denominator, legal basis, recusals); the minutes
    and the list of a closed session print it, however the rule file is edited afterwards. Only
    sessions counted afterwards follow the edited file."""
    rules = tmp_path / "rules"
    shutil.copytree(service.RULES_FOLDER, rules)
    monkeypatch.setattr(service, "RULES_FOLDER", rules)
    period_id = await published_communes(tmp_path)
    a, b = (c["unit_code"] for c in award(await service.eligibility(period_id), AWARD)["eligible"][:2])
    batch = await service.create_batch(period_id, title="Đề nghị tặng Bằng khen năm 2024",
                                       number="125/TTr-SNV", decision_date=date(2024, 12, 5),
                                       entries=[(AWARD, a), (AWARD, b)], actor="admin")
    noms = {n["unit_code"]: int(n["id"]) for n in await service.batch_nominations(batch["id"])}
    made = await make_council(own_unit=a)
    m = [int(x["id"]) for x in made["members"]]
    opened = await council.open_session(batch["id"], int(made["id"]), held_at=MEETING,
                                        **seats(m), number="15/BB", actor="admin")
    sid = int(opened["id"])
    await council.set_attendance(sid, {m[0]: ("present", ""), m[1]: ("present", ""), m[2]: ("present", ""),
                                       m[3]: ("absent_written", "Đi công tác"), m[4]: ("present", "")},
                                 "admin")
    # a: 3 yes of 5 members (60 %), the fifth recused; b: 2 yes of 5 (40 %).
    for member, on_a, on_b in [(m[0], "yes", "yes"), (m[1], "yes", "no"), (m[2], "no", "no"),
                               (m[3], "yes", "yes"), (m[4], "recused", "no")]:
        await council.record_votes(sid, member, {noms[a]: on_a, noms[b]: on_b}, "admin")
    await council.close_session(sid, ballots_invalid=0, actor="admin")
    papers = dict(html_set(await dossiers.build_context(batch["id"])))

    row = await CouncilSession.select(CouncilSession.tally).where(CouncilSession.id == sid).first()
    assert row is not None and row["tally"], "kết thúc phiên họp phải lưu kết quả kiểm phiếu"
    stored = json.loads(row["tally"])
    kept = {e["unit_code"]: e for e in stored["nominees"]}
    basis = "Quy chế hoạt động của Hội đồng Thi đua - Khen thưởng tỉnh"
    expected = {"yes": 3, "no": 1, "recused": 1, "written": 1, "members": 5, "denominator": 5,
                "denominator_rule": "members", "percent": "60.00", "threshold_percent": 50,
                "legal_basis": basis, "passed": True}
    assert {k: kept[a]["tally"][k] for k in expected} == expected, \
        "kết quả lưu phải ghi số phiếu, ngưỡng, mẫu số và căn cứ pháp lý đã áp dụng"
    assert (kept[b]["tally"]["yes"], kept[b]["tally"]["passed"]) == (2, False)
    assert kept[a]["award_name"] == "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh (tập thể)"
    assert stored["members"] == 5
    assert stored["recusals"] == [{"member_id": m[4], "member": "Hoàng Đức Em", "nomination_id": noms[a],
                                   "nominee": kept[a]["unit_name"]}]
    made_with = await service.get_batch(batch["id"])  # the file is unchanged since the batch was made
    assert stored["rule_set"] == {"id": made_with["rule_set_id"], "sha256": made_with["rule_set_sha256"]}

    path = next(rules.glob("*.toml"))
    text = path.read_text(encoding="utf-8")
    assert OLD_VOTE in text and OLD_NAME in text
    path.write_text(text.replace(OLD_VOTE, NEW_VOTE).replace(OLD_NAME, NEW_NAME), encoding="utf-8")

    again = dict(html_set(await dossiers.build_context(batch["id"])))
    assert "(≥ 50\u00a0%)" in papers["04-bien-ban.pdf"] and "(≥ 90\u00a0%)" not in again["04-bien-ban.pdf"]
    assert again["04-bien-ban.pdf"] == papers["04-bien-ban.pdf"], \
        "biên bản của phiên đã kết thúc không được đổi theo tệp quy định"
    assert again == papers, "hồ sơ của phiên đã kết thúc không được đổi theo tệp quy định"
    closed = {r["nomination"]["unit_code"]: r["tally"] for r in await council.session_tally(sid)}
    assert (closed[a].threshold_percent, closed[a].legal_basis, closed[a].passed) == (50, basis, True)

    # A session counted after the edit follows the edited file (b, refused, may be proposed again).
    later = await service.create_batch(period_id, title="Đợt 2", number="130/TTr-SNV",
                                       decision_date=date(2024, 12, 20), entries=[(AWARD, b)], actor="admin")
    opened = await council.open_session(later["id"], int(made["id"]), held_at=MEETING, **seats(m),
                                        number="16/BB", actor="admin")
    [counted] = await council.session_tally(int(opened["id"]))
    assert (counted["tally"].threshold_percent, counted["tally"].denominator_rule,
            counted["tally"].legal_basis) == (90, "members_minus_recused", "Quy chế sửa đổi năm 2025")

    # A session closed before the count was stored (none in the row) is counted again, as before.
    await CouncilSession.update({CouncilSession.tally: None}).where(CouncilSession.id == sid)
    legacy = {r["nomination"]["unit_code"]: r["tally"] for r in await council.session_tally(sid)}
    assert (legacy[a].threshold_percent, legacy[a].passed) == (90, False)
