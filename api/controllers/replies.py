"""The right of reply: staff share a run as provisional, units dispute a criterion, both write in
the thread, staff accept or reject (see :mod:`scoring.services.replies`).

A unit account reads and writes only its own unit's disputes: another unit's dispute answers 403
without a word of its content.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, get, post
from litestar.exceptions import NotAuthorizedException
from litestar.params import FromQuery, JSONBody

from http_layer.access import AnyRequest, IdPath, is_admin, require_unit_access
from http_layer.auth import current_user, requires_admin, requires_roles
from scoring.services import replies
from scoring.services import runs as run_service

Text = Annotated[str, msgspec.Meta(max_length=replies.MAX_TEXT)]
Code = Annotated[str, msgspec.Meta(max_length=40)]
Value = float | Annotated[str, msgspec.Meta(max_length=80)] | None


class ShareBody(msgspec.Struct, forbid_unknown_fields=True):
    days: Annotated[int, msgspec.Meta(ge=1, le=replies.MAX_REPLY_DAYS)] = replies.REPLY_DAYS


class DisputeBody(msgspec.Struct, forbid_unknown_fields=True):
    criterion: Annotated[str, msgspec.Meta(max_length=80)]
    explanation: Text
    unit_code: Code | None = None  # a unit account: its own unit (the default)
    evidence_url: Text = ""
    claimed_value: Value = None


class MessageBody(msgspec.Struct, forbid_unknown_fields=True):
    body: Text


class AcceptBody(msgspec.Struct, forbid_unknown_fields=True):
    value: Value = None  # the corrected value: appraised, then the level is scored again
    note: Text = ""


class RejectBody(msgspec.Struct, forbid_unknown_fields=True):
    reason: Text


def _who(request: AnyRequest) -> tuple[str, str]:
    """(account name, side of the thread) of a logged-in caller."""
    user = current_user(request)
    if user is None:
        raise NotAuthorizedException(detail="Bạn cần đăng nhập.")
    return user.username, "staff" if user.role == "admin" else "unit"


def _own_unit(request: AnyRequest, asked: str | None) -> str | None:
    """Staff: the unit asked about (None: all); a unit account: its own, never another's."""
    user = current_user(request)
    if user is None:
        raise NotAuthorizedException(detail="Bạn cần đăng nhập.")
    if is_admin(request):
        return asked or None
    code = asked or user.unit_code or ""
    require_unit_access(request, code)
    return code


async def _dispute(request: AnyRequest, dispute_id: int) -> dict[str, Any]:
    _who(request)
    found = await replies.get_dispute(dispute_id)
    require_unit_access(request, found["unit_code"])
    return found


class ReplyRunController(Controller):
    path = "/api/v1/runs"
    tags = ("Giải trình",)

    @post("/{run_id:int}/share", guards=[requires_admin],
          summary="Chia sẻ kết quả tạm thời để đơn vị giải trình")
    async def share(self, request: AnyRequest, run_id: IdPath, data: JSONBody[ShareBody | None] = None,
                    ) -> dict[str, Any]:
        days = data.days if data is not None else replies.REPLY_DAYS
        return await replies.share_run(run_id, _who(request)[0], days)

    @get("/{run_id:int}/disputes", summary="Các giải trình của một lượt chấm (đơn vị: của mình)")
    async def disputes(self, request: AnyRequest, run_id: IdPath,
                       unit: FromQuery[str | None] = None) -> list[dict[str, Any]]:
        code = _own_unit(request, unit)
        await run_service.get_run(run_id)
        found = await replies.list_disputes(run_id=run_id, unit_code=code)
        thread = await replies.threads([d["id"] for d in found])
        return [{**d, "messages": thread[d["id"]]} for d in found]

    @post("/{run_id:int}/disputes", guards=[requires_roles("unit")], summary="Đơn vị giải trình một tiêu chí")
    async def open_dispute(self, request: AnyRequest, run_id: IdPath, data: JSONBody[DisputeBody],
                           ) -> dict[str, Any]:
        code = _own_unit(request, data.unit_code)
        assert code is not None
        return await replies.open_dispute(
            run_id, code, data.criterion, actor=_who(request)[0], explanation=data.explanation,
            evidence_url=data.evidence_url, claimed=data.claimed_value)


class DisputeController(Controller):
    path = "/api/v1/disputes"
    tags = ("Giải trình",)

    @get("/{dispute_id:int}/messages", summary="Trao đổi về một giải trình")
    async def messages(self, request: AnyRequest, dispute_id: IdPath) -> list[dict[str, Any]]:
        await _dispute(request, dispute_id)
        return await replies.messages(dispute_id)

    @post("/{dispute_id:int}/messages", guards=[requires_roles("unit", "admin")],
          summary="Gửi thêm trao đổi về một giải trình đang chờ trả lời")
    async def add_message(self, request: AnyRequest, dispute_id: IdPath, data: JSONBody[MessageBody],
                          ) -> dict[str, Any]:
        await _dispute(request, dispute_id)
        actor, side = _who(request)
        return await replies.add_message(dispute_id, data.body, actor=actor, side=side)

    @post("/{dispute_id:int}/accept", guards=[requires_admin], summary="Chấp nhận giải trình")
    async def accept(self, request: AnyRequest, dispute_id: IdPath, data: JSONBody[AcceptBody],
                     ) -> dict[str, Any]:
        return await replies.accept(dispute_id, actor=_who(request)[0], value=data.value, note=data.note)

    @post("/{dispute_id:int}/reject", guards=[requires_admin],
          summary="Không chấp nhận giải trình (kèm lý do)")
    async def reject(self, request: AnyRequest, dispute_id: IdPath, data: JSONBody[RejectBody],
                     ) -> dict[str, Any]:
        return await replies.reject(dispute_id, actor=_who(request)[0], reason=data.reason)
