"""Eligibility, nomination batches, councils, council sessions and votes, dossier files.

Staff (admin) run everything; council members read eligibility, batches, tallies and the
dossiers; unit accounts see none of it (their own history only, under /units).
"""

from __future__ import annotations

import msgspec
from litestar import Controller, Response, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody, MultipartBody

from api.schemas.errors import error_responses
from api.schemas.nominations import (
    AttendanceList,
    Ballot,
    Batch,
    BatchCreate,
    BatchDetail,
    Council,
    CouncilCreate,
    CouncilSession,
    DossierFile,
    Eligibility,
    HistoryEntry,
    HistoryImport,
    SessionClose,
    SessionOpen,
    SessionView,
    session_view,
)
from http_layer.access import IdPath, require_unit_access
from http_layer.auth import SignedIn, Viewer, requires_admin, requires_login, requires_roles
from http_layer.downloads import file_download
from http_layer.uploads import FileUpload, saved_uploads
from nominations import council as council_service
from nominations import dossiers as dossier_service
from nominations import history_store, service
from storage.errors import ServiceError

staff_or_council = requires_roles("admin", "council")


class EligibilityController(Controller):
    path = "/api/v1/periods/{period_id:int}/eligibility"
    tags = ("Khen thưởng",)
    guards = (staff_or_council,)

    @get("/", summary="Ai đủ điều kiện cho từng hình thức khen thưởng, vì sao; ai suýt đạt",
         responses=error_responses(400, 401, 403, 404, 409))
    async def eligibility(self, period_id: IdPath, award: FromQuery[str | None] = None) -> Eligibility:
        return msgspec.convert(await service.eligibility(period_id, [award] if award else None), Eligibility)


class BatchController(Controller):
    path = "/api/v1/nomination-batches"
    tags = ("Khen thưởng",)

    @get("/", guards=[staff_or_council], summary="Các đợt đề nghị khen thưởng",
         responses=error_responses(401, 403))
    async def list_batches(self) -> list[Batch]:
        return msgspec.convert(await service.list_batches(), list[Batch])

    @post("/", guards=[requires_admin], summary="Lập đợt đề nghị khen thưởng từ danh sách đủ điều kiện",
          responses=error_responses(400, 401, 403, 404, 409))
    async def create(self, user: SignedIn, data: JSONBody[BatchCreate]) -> Batch:
        batch = await service.create_batch(
            data.period_id, title=data.title, number=data.number, decision_date=data.decision_date,
            entries=[(e.award_id, e.unit_code) for e in data.entries], actor=user.username,
            commendation_kind=data.commendation_kind)
        return msgspec.convert(batch, Batch)

    @get("/{batch_id:int}", guards=[staff_or_council], summary="Một đợt: đề nghị, phiên họp, kết quả",
         responses=error_responses(400, 401, 403, 404))
    async def get_batch(self, batch_id: IdPath) -> BatchDetail:
        batch = await service.get_batch(batch_id)
        return msgspec.convert(
            {**batch, "nominations": await service.batch_nominations(batch_id),
             "session": session_view(await council_service.session_view(batch_id)),
             "dossiers": await dossier_service.list_files(batch_id)}, BatchDetail)

    @post("/{batch_id:int}/session", guards=[requires_admin], summary="Mở phiên họp xét của hội đồng",
          responses=error_responses(400, 401, 403, 404, 409))
    async def open_session(self, user: SignedIn, batch_id: IdPath,
                           data: JSONBody[SessionOpen]) -> CouncilSession:
        session = await council_service.open_session(
            batch_id, data.council_id, held_at=data.held_at, place=data.place, chair_id=data.chair_id,
            secretary_id=data.secretary_id, number=data.number, actor=user.username)
        return msgspec.convert(session, CouncilSession)

    @post("/{batch_id:int}/dossiers", guards=[requires_admin],
          summary="Lập hồ sơ PDF (sau khi họp xét xong)", responses=error_responses(400, 401, 403, 404, 409))
    async def make_dossiers(self, user: SignedIn, batch_id: IdPath) -> list[DossierFile]:
        return msgspec.convert(await dossier_service.generate(batch_id, user.username), list[DossierFile])

    @get("/{batch_id:int}/dossiers", guards=[staff_or_council], summary="Các tệp hồ sơ của đợt",
         responses=error_responses(400, 401, 403, 404))
    async def list_dossiers(self, batch_id: IdPath) -> list[DossierFile]:
        return msgspec.convert(await dossier_service.list_files(batch_id), list[DossierFile])

    @get("/{batch_id:int}/dossiers/{name:str}", guards=[staff_or_council],
         summary="Tải một tệp hồ sơ", media_type="application/octet-stream",
         responses=error_responses(400, 401, 403, 404))
    async def dossier(self, batch_id: IdPath, name: FromPath[str]) -> Response[bytes]:
        return file_download(*await dossier_service.file_content(batch_id, name))

    @get("/{batch_id:int}/dossiers.zip", guards=[staff_or_council], summary="Tải cả bộ hồ sơ (ZIP)",
         media_type="application/zip", responses=error_responses(400, 401, 403, 404))
    async def dossier_zip(self, batch_id: IdPath) -> Response[bytes]:
        return file_download(*await dossier_service.zip_content(batch_id))


class CouncilController(Controller):
    path = "/api/v1/councils"
    tags = ("Khen thưởng",)

    @get("/", guards=[staff_or_council], summary="Các hội đồng và thành viên",
         responses=error_responses(401, 403))
    async def list_councils(self) -> list[Council]:
        return msgspec.convert(await council_service.list_councils(), list[Council])

    @post("/", guards=[requires_admin], summary="Ghi nhận hội đồng theo quyết định thành lập",
          responses=error_responses(400, 401, 403))
    async def create(self, user: SignedIn, data: JSONBody[CouncilCreate]) -> Council:
        council = await council_service.create_council(
            data.name, data.decision_no, data.decision_date,
            [msgspec.structs.asdict(m) for m in data.members], user.username)
        return msgspec.convert(council, Council)


class SessionController(Controller):
    path = "/api/v1/council-sessions/{session_id:int}"
    tags = ("Khen thưởng",)

    @put("/attendance", guards=[requires_admin], summary="Điểm danh thành viên hội đồng",
         responses=error_responses(400, 401, 403, 404, 409))
    async def attendance(self, user: SignedIn, session_id: IdPath,
                         data: JSONBody[AttendanceList]) -> SessionView:
        await council_service.set_attendance(
            session_id, {a.member_id: (a.status, a.reason) for a in data}, user.username)
        return await self._view(session_id)

    @put("/votes", guards=[requires_admin], summary="Ghi phiếu biểu quyết của một thành viên",
         responses=error_responses(400, 401, 403, 404, 409))
    async def votes(self, user: SignedIn, session_id: IdPath, data: JSONBody[Ballot]) -> SessionView:
        try:
            choices = {int(k): v for k, v in data.choices.items()}
        except ValueError:
            raise ServiceError("invalid_input", "Mã đề nghị phải là số.",
                               details={"field": "choices"}) from None
        await council_service.record_votes(session_id, data.member_id, choices, user.username)
        return await self._view(session_id)

    @get("/", guards=[staff_or_council], summary="Điểm danh, phiếu và kết quả kiểm phiếu",
         responses=error_responses(400, 401, 403, 404, 409))
    async def get_session(self, session_id: IdPath) -> SessionView:
        return await self._view(session_id)

    @post("/close", guards=[requires_admin], summary="Kết thúc phiên họp: kết quả trở thành chính thức",
          responses=error_responses(400, 401, 403, 404, 409))
    async def close(self, user: SignedIn, session_id: IdPath,
                    data: JSONBody[SessionClose]) -> SessionView:
        await council_service.close_session(session_id, ballots_invalid=data.ballots_invalid,
                                            actor=user.username)
        return await self._view(session_id)

    async def _view(self, session_id: int) -> SessionView:
        session = await council_service.get_session(session_id)
        out = session_view(await council_service.session_view(session["batch_id"]))
        assert out is not None
        return out


class HistoryController(Controller):
    path = "/api/v1"
    tags = ("Lịch sử thi đua",)

    @post("/history/import", status_code=200, guards=[requires_admin],
          summary="Nhập lịch sử danh hiệu, xếp loại, sáng kiến, kỷ luật từ tệp CSV/XLSX",
          responses=error_responses(400, 401, 403))
    async def import_history(self, user: SignedIn, data: MultipartBody[FileUpload],
                             dry_run: FromQuery[bool] = False) -> HistoryImport:
        async with saved_uploads(data.files, "lịch sử thi đua") as paths:
            summary = await history_store.import_history(paths, user.username, dry_run=dry_run)
        return msgspec.convert(summary, HistoryImport)

    @get("/units/{unit_code:str}/history", guards=[requires_login],
         summary="Lịch sử thi đua của một tập thể, cá nhân (đơn vị chỉ xem của mình)",
         responses=error_responses(400, 401, 403, 404))
    async def unit_history(self, viewer: Viewer, unit_code: FromPath[str]) -> list[HistoryEntry]:
        if viewer is None or viewer.role != "council":
            require_unit_access(viewer, unit_code)
        return msgspec.convert(await history_store.unit_history(unit_code), list[HistoryEntry])
