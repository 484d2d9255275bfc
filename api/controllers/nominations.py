"""Eligibility, nomination batches, councils, council sessions and votes, dossier files.

Staff (admin) run everything; council members read eligibility, batches, tallies and the
dossiers; unit accounts see none of it (their own history only, under /units).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Response, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody, MultipartBody

from http_layer.access import IdField, IdPath, require_unit_access
from http_layer.auth import SignedIn, Viewer, requires_admin, requires_login, requires_roles
from http_layer.downloads import file_download
from http_layer.uploads import FileUpload, saved_uploads
from nominations import council as council_service
from nominations import dossiers as dossier_service
from nominations import history_store, service
from presentation.numbers import percent_text
from storage.errors import ServiceError

staff_or_council = requires_roles("admin", "council")
Text = Annotated[str, msgspec.Meta(max_length=500)]



class Entry(msgspec.Struct):
    award_id: Annotated[str, msgspec.Meta(max_length=80)]
    unit_code: Annotated[str, msgspec.Meta(max_length=40)]


class BatchCreate(msgspec.Struct):
    period_id: IdField
    title: Text
    number: Annotated[str, msgspec.Meta(max_length=80)]
    decision_date: date
    entries: Annotated[list[Entry], msgspec.Meta(max_length=5000)]
    commendation_kind: Literal["thematic"] = "thematic"


class MemberIn(msgspec.Struct):
    full_name: Text
    position: Text = "Ủy viên"
    unit_code: Annotated[str, msgspec.Meta(max_length=40)] | None = None
    username: Annotated[str, msgspec.Meta(max_length=80)] | None = None


class CouncilCreate(msgspec.Struct):
    name: Text
    decision_no: Annotated[str, msgspec.Meta(max_length=80)]
    decision_date: date
    members: Annotated[list[MemberIn], msgspec.Meta(max_length=200)]


class SessionOpen(msgspec.Struct):
    council_id: IdField
    held_at: datetime
    place: Text
    chair_id: IdField
    secretary_id: IdField
    number: Annotated[str, msgspec.Meta(max_length=80)]


class AttendanceIn(msgspec.Struct):
    member_id: IdField
    status: Literal["present", "absent_written", "absent"]
    reason: Text = ""


class Ballot(msgspec.Struct):
    member_id: IdField
    choices: dict[str, Literal["yes", "no", "abstain", "recused"]]


class SessionClose(msgspec.Struct):
    ballots_invalid: Annotated[int, msgspec.Meta(ge=0, le=1000)] = 0


def _session_out(view: dict[str, Any] | None) -> dict[str, Any] | None:
    if view is None:
        return None
    return {
        "session": view["session"], "council": view["council"],
        "attendance": list(view["attendance"].values()),
        "tally": [{"nomination_id": r["nomination"]["id"], "award_id": r["nomination"]["award_id"],
                   "unit_code": r["nomination"]["unit_code"], **r["tally"].as_record(),
                   "percent_text": percent_text(r["tally"].percent)}
                  for r in view["tally"]],
    }


class EligibilityController(Controller):
    path = "/api/v1/periods/{period_id:int}/eligibility"
    tags = ("Khen thưởng",)
    guards = (staff_or_council,)

    @get("/", summary="Ai đủ điều kiện cho từng hình thức khen thưởng, vì sao; ai suýt đạt")
    async def eligibility(self, period_id: IdPath, award: FromQuery[str | None] = None) -> dict[str, Any]:
        return await service.eligibility(period_id, [award] if award else None)


class BatchController(Controller):
    path = "/api/v1/nomination-batches"
    tags = ("Khen thưởng",)

    @get("/", guards=[staff_or_council], summary="Các đợt đề nghị khen thưởng")
    async def list_batches(self) -> list[dict[str, Any]]:
        return await service.list_batches()

    @post("/", guards=[requires_admin], summary="Lập đợt đề nghị khen thưởng từ danh sách đủ điều kiện")
    async def create(self, user: SignedIn, data: JSONBody[BatchCreate]) -> dict[str, Any]:
        return await service.create_batch(
            data.period_id, title=data.title, number=data.number, decision_date=data.decision_date,
            entries=[(e.award_id, e.unit_code) for e in data.entries], actor=user.username,
            commendation_kind=data.commendation_kind)

    @get("/{batch_id:int}", guards=[staff_or_council], summary="Một đợt: đề nghị, phiên họp, kết quả")
    async def get_batch(self, batch_id: IdPath) -> dict[str, Any]:
        batch = await service.get_batch(batch_id)
        return {**batch, "nominations": await service.batch_nominations(batch_id),
                "session": _session_out(await council_service.session_view(batch_id)),
                "dossiers": await dossier_service.list_files(batch_id)}

    @post("/{batch_id:int}/session", guards=[requires_admin], summary="Mở phiên họp xét của hội đồng")
    async def open_session(self, user: SignedIn, batch_id: IdPath,
                           data: JSONBody[SessionOpen]) -> dict[str, Any]:
        return await council_service.open_session(
            batch_id, data.council_id, held_at=data.held_at, place=data.place, chair_id=data.chair_id,
            secretary_id=data.secretary_id, number=data.number, actor=user.username)

    @post("/{batch_id:int}/dossiers", guards=[requires_admin],
          summary="Lập hồ sơ PDF (sau khi họp xét xong)")
    async def make_dossiers(self, user: SignedIn, batch_id: IdPath) -> list[dict[str, Any]]:
        return await dossier_service.generate(batch_id, user.username)

    @get("/{batch_id:int}/dossiers", guards=[staff_or_council], summary="Các tệp hồ sơ của đợt")
    async def list_dossiers(self, batch_id: IdPath) -> list[dict[str, Any]]:
        return await dossier_service.list_files(batch_id)

    @get("/{batch_id:int}/dossiers/{name:str}", guards=[staff_or_council],
         summary="Tải một tệp hồ sơ", media_type="application/octet-stream")
    async def dossier(self, batch_id: IdPath, name: FromPath[str]) -> Response[bytes]:
        return file_download(*await dossier_service.file_content(batch_id, name))

    @get("/{batch_id:int}/dossiers.zip", guards=[staff_or_council], summary="Tải cả bộ hồ sơ (ZIP)",
         media_type="application/zip")
    async def dossier_zip(self, batch_id: IdPath) -> Response[bytes]:
        return file_download(*await dossier_service.zip_content(batch_id))


class CouncilController(Controller):
    path = "/api/v1/councils"
    tags = ("Khen thưởng",)

    @get("/", guards=[staff_or_council], summary="Các hội đồng và thành viên")
    async def list_councils(self) -> list[dict[str, Any]]:
        return await council_service.list_councils()

    @post("/", guards=[requires_admin], summary="Ghi nhận hội đồng theo quyết định thành lập")
    async def create(self, user: SignedIn, data: JSONBody[CouncilCreate]) -> dict[str, Any]:
        return await council_service.create_council(
            data.name, data.decision_no, data.decision_date,
            [msgspec.structs.asdict(m) for m in data.members], user.username)


class SessionController(Controller):
    path = "/api/v1/council-sessions/{session_id:int}"
    tags = ("Khen thưởng",)

    @put("/attendance", guards=[requires_admin], summary="Điểm danh thành viên hội đồng")
    async def attendance(self, user: SignedIn, session_id: IdPath,
                         data: JSONBody[Annotated[list[AttendanceIn], msgspec.Meta(max_length=200)]]
                         ) -> dict[str, Any]:
        await council_service.set_attendance(
            session_id, {a.member_id: (a.status, a.reason) for a in data}, user.username)
        return await self._view(session_id)

    @put("/votes", guards=[requires_admin], summary="Ghi phiếu biểu quyết của một thành viên")
    async def votes(self, user: SignedIn, session_id: IdPath, data: JSONBody[Ballot]) -> dict[str, Any]:
        try:
            choices = {int(k): v for k, v in data.choices.items()}
        except ValueError:
            raise ServiceError("invalid_input", "Mã đề nghị phải là số.",
                               details={"field": "choices"}) from None
        await council_service.record_votes(session_id, data.member_id, choices, user.username)
        return await self._view(session_id)

    @get("/", guards=[staff_or_council], summary="Điểm danh, phiếu và kết quả kiểm phiếu")
    async def get_session(self, session_id: IdPath) -> dict[str, Any]:
        return await self._view(session_id)

    @post("/close", guards=[requires_admin], summary="Kết thúc phiên họp: kết quả trở thành chính thức")
    async def close(self, user: SignedIn, session_id: IdPath,
                    data: JSONBody[SessionClose]) -> dict[str, Any]:
        await council_service.close_session(session_id, ballots_invalid=data.ballots_invalid,
                                            actor=user.username)
        return await self._view(session_id)

    async def _view(self, session_id: int) -> dict[str, Any]:
        session = await council_service.get_session(session_id)
        out = _session_out(await council_service.session_view(session["batch_id"]))
        assert out is not None
        return out


class HistoryController(Controller):
    path = "/api/v1"
    tags = ("Lịch sử thi đua",)

    @post("/history/import", status_code=200, guards=[requires_admin],
          summary="Nhập lịch sử danh hiệu, xếp loại, sáng kiến, kỷ luật từ tệp CSV/XLSX")
    async def import_history(self, user: SignedIn, data: MultipartBody[FileUpload],
                             dry_run: FromQuery[bool] = False) -> dict[str, Any]:
        async with saved_uploads(data.files, "lịch sử thi đua") as paths:
            return await history_store.import_history(paths, user.username, dry_run=dry_run)

    @get("/units/{unit_code:str}/history", guards=[requires_login],
         summary="Lịch sử thi đua của một tập thể, cá nhân (đơn vị chỉ xem của mình)")
    async def unit_history(self, viewer: Viewer,
                           unit_code: FromPath[str]) -> list[dict[str, Any]]:
        if viewer is None or viewer.role != "council":
            require_unit_access(viewer, unit_code)
        return await history_store.unit_history(unit_code)
