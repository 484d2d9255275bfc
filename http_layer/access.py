"""Who may read what: the rules the pages and the domain controllers share.

Each check takes the signed-in user (``viewer``, None when anonymous) that handlers receive as a
dependency (see :mod:`http_layer.auth`).

- staff (``admin``) see and change everything;
- a ``unit`` account reads and writes only its own unit's data and breakdown;
- a ``council`` member reads the breakdowns of published runs;
- anyone reads published totals and ranks, nothing before publication.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.params import PathParameter, QueryParameter

from accounts.service import CurrentUser

AnyRequest = Request[Any, Any, Any]

MAX_ID = 2**31 - 1
"""The largest row id either database holds (PostgreSQL ``integer``). A larger id from a client
would overflow the database driver (a 500); these types refuse it as invalid input (400)."""
IdPath = Annotated[int, PathParameter(ge=1, le=MAX_ID)]
IdQuery = Annotated[int, QueryParameter(ge=1, le=MAX_ID)]
OptionalIdQuery = Annotated[int | None, QueryParameter(ge=1, le=MAX_ID)]
IdField = Annotated[int, msgspec.Meta(ge=1, le=MAX_ID)]

NOT_YOURS = "Bạn chỉ được xem và nhập số liệu của đơn vị mình."
STAFF_ONLY = "Chỉ cán bộ Ban Thi đua – Khen thưởng (quản trị) được làm việc này."
NOT_PUBLISHED = "Kết quả này chưa được công bố."


def is_admin(viewer: CurrentUser | None) -> bool:
    return viewer is not None and viewer.role == "admin"


def require_unit_access(viewer: CurrentUser | None, unit_code: str) -> None:
    """Staff, or the unit's own account; anonymous → 401, others → 403."""
    user = viewer
    if user is None:
        raise NotAuthorizedException(detail="Bạn cần đăng nhập.")
    if user.role == "admin":
        return
    if user.role == "unit" and user.unit_code == unit_code:
        return
    raise PermissionDeniedException(detail=NOT_YOURS)


def require_breakdown_access(viewer: CurrentUser | None, unit_code: str, published: bool) -> None:
    """A unit's breakdown: staff, the unit itself, and council members once published."""
    if viewer is not None and viewer.role == "council" and published:
        return
    require_unit_access(viewer, unit_code)


def require_published_or_admin(viewer: CurrentUser | None, published: bool) -> None:
    if not published and not is_admin(viewer):
        if viewer is None:
            raise NotAuthorizedException(detail=NOT_PUBLISHED)
        raise PermissionDeniedException(detail=NOT_PUBLISHED)
