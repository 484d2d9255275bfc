"""The right of reply: staff share a run as provisional, units dispute a criterion, both write in
the thread, staff accept or reject (see :mod:`scoring.services.replies`).

A unit account reads and writes only its own unit's disputes: another unit's dispute answers 403
without a word of its content.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, get, post
from litestar.params import FromQuery, JSONBody

from accounts.service import CurrentUser
from api.schemas.errors import error_responses
from api.schemas.replies import (
    AcceptBody,
    Dispute,
    DisputeBody,
    DisputeMessage,
    DisputeWithMessages,
    MessageBody,
    RejectBody,
    RunShare,
    ShareBody,
)
from http_layer.access import IdPath, require_unit_access
from http_layer.auth import SignedIn, requires_admin, requires_roles
from scoring.services import replies
from scoring.services import runs as run_service


def _side(user: CurrentUser) -> str:
    """The caller's side of a dispute's thread."""
    return "staff" if user.is_admin else "unit"


def _own_unit(user: CurrentUser, asked: str | None) -> str | None:
    """Staff: the unit asked about (None: all); a unit account: its own, never another's."""
    if user.is_admin:
        return asked or None
    code = asked or user.unit_code or ""
    require_unit_access(user, code)
    return code


async def _dispute(user: CurrentUser, dispute_id: int) -> dict[str, Any]:
    found = await replies.get_dispute(dispute_id)
    require_unit_access(user, found["unit_code"])
    return found


class ReplyRunController(Controller):
    path = "/api/v1/runs"
    tags = ("Giải trình",)

    @post("/{run_id:int}/share", guards=[requires_admin],
          summary="Chia sẻ kết quả tạm thời để đơn vị giải trình",
          responses=error_responses(400, 401, 403, 404, 409))
    async def share(self, user: SignedIn, run_id: IdPath, data: JSONBody[ShareBody | None] = None,
                    ) -> RunShare:
        days = data.days if data is not None else replies.REPLY_DAYS
        return msgspec.convert(await replies.share_run(run_id, user.username, days), RunShare)

    @get("/{run_id:int}/disputes", summary="Các giải trình của một lượt chấm (đơn vị: của mình)",
         responses=error_responses(400, 401, 403, 404))
    async def disputes(self, user: SignedIn, run_id: IdPath,
                       unit: FromQuery[str | None] = None) -> list[DisputeWithMessages]:
        code = _own_unit(user, unit)
        await run_service.get_run(run_id)
        found = await replies.list_disputes(run_id=run_id, unit_code=code)
        thread = await replies.threads([d["id"] for d in found])
        return msgspec.convert([{**d, "messages": thread[d["id"]]} for d in found], list[DisputeWithMessages])

    @post("/{run_id:int}/disputes", guards=[requires_roles("unit")], summary="Đơn vị giải trình một tiêu chí",
          responses=error_responses(400, 401, 403, 404, 409))
    async def open_dispute(self, user: SignedIn, run_id: IdPath, data: JSONBody[DisputeBody],
                           ) -> Dispute:
        code = _own_unit(user, data.unit_code)
        assert code is not None
        return msgspec.convert(await replies.open_dispute(
            run_id, code, data.criterion, actor=user.username, explanation=data.explanation,
            evidence_url=data.evidence_url, claimed=data.claimed_value), Dispute)


class DisputeController(Controller):
    path = "/api/v1/disputes"
    tags = ("Giải trình",)

    @get("/{dispute_id:int}/messages", summary="Trao đổi về một giải trình",
         responses=error_responses(400, 401, 403, 404))
    async def messages(self, user: SignedIn, dispute_id: IdPath) -> list[DisputeMessage]:
        await _dispute(user, dispute_id)
        return msgspec.convert(await replies.messages(dispute_id), list[DisputeMessage])

    @post("/{dispute_id:int}/messages", guards=[requires_roles("unit", "admin")],
          summary="Gửi thêm trao đổi về một giải trình đang chờ trả lời",
          responses=error_responses(400, 401, 403, 404, 409))
    async def add_message(self, user: SignedIn, dispute_id: IdPath, data: JSONBody[MessageBody],
                          ) -> DisputeMessage:
        await _dispute(user, dispute_id)
        actor, side = user.username, _side(user)
        return msgspec.convert(await replies.add_message(dispute_id, data.body, actor=actor, side=side),
                               DisputeMessage)

    @post("/{dispute_id:int}/accept", guards=[requires_admin], summary="Chấp nhận giải trình",
          responses=error_responses(400, 401, 403, 404, 409))
    async def accept(self, user: SignedIn, dispute_id: IdPath, data: JSONBody[AcceptBody],
                     ) -> Dispute:
        return msgspec.convert(
            await replies.accept(dispute_id, actor=user.username, value=data.value, note=data.note), Dispute)

    @post("/{dispute_id:int}/reject", guards=[requires_admin],
          summary="Không chấp nhận giải trình (kèm lý do)",
          responses=error_responses(400, 401, 403, 404, 409))
    async def reject(self, user: SignedIn, dispute_id: IdPath, data: JSONBody[RejectBody],
                     ) -> Dispute:
        return msgspec.convert(await replies.reject(dispute_id, actor=user.username, reason=data.reason),
                               Dispute)
