"""The unit registry as an XLSX workbook for staff: export it, import it all or nothing.

An import is read whole and checked before anything is written: every bad cell, and every
registry rule the file would break (over the stored registry with the file applied, since
units are never deleted), is named by sheet, row, column and reason; then the clusters and
units are saved in one transaction (:func:`save_registry`, audited).
"""

from __future__ import annotations

from scoring.core.units import Registry, registry_problems
from scoring.registry.store import load_registry_from_db, save_registry
from scoring.registry.workbook import (
    SheetIssue,
    WorkbookError,
    read_registry_workbook,
    registry_workbook,
    rule_issues,
)
from scoring.services.units_admin import applied
from storage.db import write_transaction
from storage.errors import ServiceError


def _invalid(issues: list[SheetIssue]) -> ServiceError:
    return ServiceError(
        "import_invalid",
        f"Tệp danh mục đơn vị có {len(issues)} lỗi; chưa lưu gì. Hãy sửa từng ô được nêu rồi "
        "gửi lại.",
        details=[i.as_dict() for i in issues],
    )


async def export_registry_xlsx() -> bytes:
    registry = await load_registry_from_db()
    return registry_workbook(registry.clusters, registry.units)


async def import_registry_xlsx(actor: str, data: bytes) -> dict[str, int]:
    """Save the workbook's clusters and units (new or changed by code); returns the counts."""
    try:
        clusters, units = read_registry_workbook(data)
    except WorkbookError as exc:
        raise _invalid(exc.issues) from None
    async with write_transaction():
        stored = await load_registry_from_db()
        all_clusters, all_units = applied(stored, (u for _, u in units), (c for _, c in clusters))
        problems = registry_problems(all_clusters, all_units)
        if problems:
            raise _invalid(rule_issues(problems, clusters, units))
        registry = Registry(stored.province_code, stored.province_name, all_clusters, all_units)
        return await save_registry(registry, actor)
