"""Units and clusters (khối/cụm thi đua) that take part in an emulation movement.

A unit is anything that is scored: a provincial agency, a district, a commune or an
individual official. Units carry validity dates and successor links because the
administrative map changes (the district level ended on 1 Jul 2025) and history must
survive a merger. Only :func:`load_registry` and :func:`save_registry` touch files.
Messages are Vietnamese because Department staff read them.
"""

from __future__ import annotations

import json
import os
import unicodedata
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from presentation.times import date_text

LEVELS = ("province", "agency", "district", "commune", "individual")
# The province itself is the organiser, never a competitor.
COMPETING_LEVELS = ("agency", "district", "commune", "individual")
KINDS = (
    "province", "agency.so", "agency.ban", "agency.nganh_doc", "agency.doan_the",
    "district.huyen", "district.thanh_pho", "district.quan", "district.thi_xa", "commune.xa",
    "commune.phuong", "commune.thi_tran", "commune.dac_khu", "individual.cbccvc",
)  # fmt: skip
# A kind is "<level>.<sort>", so its level is the part before the dot.
KIND_LEVELS: Mapping[str, str] = {kind: kind.split(".")[0] for kind in KINDS}
SEXES = ("nam", "nu")
FILE_FORMAT = "thidua.registry"
FILE_VERSION = 1


@dataclass(frozen=True, slots=True)
class Cluster:
    """A khối/cụm thi đua: units of one level that are ranked against each other.

    ``leader`` and ``deputy`` (cụm trưởng, cụm phó) are codes of member units, or ``None``.
    """

    code: str
    name: str
    level: str
    leader: str | None = None
    deputy: str | None = None


@dataclass(frozen=True, slots=True)
class Unit:
    """One collective or individual; ``valid_to`` is inclusive, ``None`` means still valid."""

    code: str
    name: str
    kind: str
    level: str
    parent: str | None
    cluster: str | None
    valid_from: date
    valid_to: date | None = None
    tags: tuple[str, ...] = ()
    sex: str | None = None
    successors: tuple[str, ...] = ()

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


def _vn_date(day: date | None) -> str:
    return "nay" if day is None else date_text(day)


def _span(unit: Unit) -> str:
    return f"{_vn_date(unit.valid_from)} – {_vn_date(unit.valid_to)}"


def _cluster_problems(clusters: tuple[Cluster, ...]) -> list[str]:
    problems = [
        f"mã khối/cụm thi đua '{code}' bị trùng ({n} lần); mỗi khối/cụm phải có mã riêng"
        for code, n in Counter(c.code for c in clusters).items()
        if n > 1
    ]
    for c in clusters:
        if c.level not in COMPETING_LEVELS:
            problems.append(
                f"khối/cụm '{c.code}': cấp '{c.level}' không hợp lệ; "
                f"dùng một trong: {', '.join(COMPETING_LEVELS)}"
            )
        if not unicodedata.is_normalized("NFC", c.name):
            problems.append(f"khối/cụm '{c.code}': tên chưa chuẩn hóa Unicode NFC")
    return problems


def _officer_problems(c: Cluster, units: Mapping[str, Unit]) -> list[str]:
    """The leader and deputy of a cluster must be two of its member units."""
    where = f"khối/cụm '{c.code}'"
    problems: list[str] = []
    for role, code in (("cụm trưởng", c.leader), ("cụm phó", c.deputy)):
        if code is None:
            continue
        unit = units.get(code)
        if unit is None:
            problems.append(f"{where}: {role} '{code}' không có trong danh mục đơn vị")
        elif unit.cluster != c.code:
            problems.append(f"{where}: {role} '{code}' không phải đơn vị thành viên của khối/cụm")
    if c.leader is not None and c.leader == c.deputy:
        problems.append(f"{where}: cụm trưởng và cụm phó phải là hai đơn vị khác nhau")
    return problems


def _unit_problems(
    u: Unit, units: Mapping[str, Unit], clusters: Mapping[str, Cluster]
) -> list[str]:
    where = f"đơn vị '{u.code}'"
    problems: list[str] = []
    if not u.code.strip() or not u.name.strip():
        problems.append(f"{where}: mã và tên không được để trống")
    if not unicodedata.is_normalized("NFC", u.name):
        problems.append(f"{where}: tên chưa chuẩn hóa Unicode NFC")
    expected = KIND_LEVELS.get(u.kind)
    if expected is None:
        problems.append(f"{where}: loại '{u.kind}' không hợp lệ")
    elif expected != u.level:
        problems.append(f"{where}: loại '{u.kind}' thuộc cấp '{expected}', không phải '{u.level}'")
    if u.cluster is not None:
        cluster = clusters.get(u.cluster)
        if cluster is None:
            problems.append(f"{where}: khối/cụm thi đua '{u.cluster}' không có trong danh mục")
        elif cluster.level != u.level:
            problems.append(
                f"{where} (cấp '{u.level}') không thể thuộc khối/cụm '{cluster.code}' "
                f"của cấp '{cluster.level}'"
            )
    if u.valid_to is not None and u.valid_to < u.valid_from:
        problems.append(f"{where}: ngày hết hiệu lực trước ngày bắt đầu ({_span(u)})")
    if u.sex is not None and u.sex not in SEXES:
        problems.append(f"{where}: giới tính '{u.sex}' không hợp lệ; dùng 'nam' hoặc 'nu'")
    if u.sex is not None and u.level != "individual":
        problems.append(f"{where}: chỉ cá nhân mới có giới tính")
    if u.parent is not None:
        parent = units.get(u.parent)
        if parent is None or parent.code == u.code:
            problems.append(f"{where}: đơn vị cấp trên '{u.parent}' không có trong danh mục")
        elif u.valid_from < parent.valid_from or (
            parent.valid_to is not None and (u.valid_to is None or u.valid_to > parent.valid_to)
        ):
            problems.append(
                f"{where}: thời gian hiệu lực ({_span(u)}) vượt ra ngoài thời gian hiệu lực "
                f"của đơn vị cấp trên '{parent.code}' ({_span(parent)})"
            )
    return problems


def registry_problems(clusters: tuple[Cluster, ...], units: tuple[Unit, ...]) -> list[str]:
    """Every inconsistency between units and clusters, in file order, in Vietnamese."""
    problems = _cluster_problems(clusters)
    problems += [
        f"mã đơn vị '{code}' bị trùng ({n} lần); mỗi đơn vị phải có mã riêng"
        for code, n in Counter(u.code for u in units).items()
        if n > 1
    ]
    by_code = {u.code: u for u in units}
    clusters_by_code = {c.code: c for c in clusters}
    for u in units:
        problems += _unit_problems(u, by_code, clusters_by_code)
    for c in clusters:
        problems += _officer_problems(c, by_code)
    return problems


@dataclass(frozen=True)
class Registry:
    """All units and clusters of one province; lookups are indexed once at construction."""

    province_code: str
    province_name: str
    clusters: tuple[Cluster, ...]
    units: tuple[Unit, ...]
    _units: dict[str, Unit] = field(init=False, repr=False, compare=False)
    _clusters: dict[str, Cluster] = field(init=False, repr=False, compare=False)
    _levels: dict[str, tuple[Unit, ...]] = field(init=False, repr=False, compare=False)
    _members: dict[str, tuple[Unit, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        problems = registry_problems(self.clusters, self.units)
        if problems:
            raise ValueError(
                f"Danh mục đơn vị của {self.province_name} không hợp lệ:\n- "
                + "\n- ".join(problems)
            )
        levels: dict[str, list[Unit]] = {level: [] for level in LEVELS}
        members: dict[str, list[Unit]] = {c.code: [] for c in self.clusters}
        for u in self.units:
            levels[u.level].append(u)
            if u.cluster is not None:
                members[u.cluster].append(u)
        object.__setattr__(self, "_units", {u.code: u for u in self.units})
        object.__setattr__(self, "_clusters", {c.code: c for c in self.clusters})
        object.__setattr__(self, "_levels", {k: tuple(v) for k, v in levels.items()})
        object.__setattr__(self, "_members", {k: tuple(v) for k, v in members.items()})

    def unit(self, code: str) -> Unit:
        try:
            return self._units[code]
        except KeyError:
            raise KeyError(f"Không có đơn vị mã '{code}' trong danh mục") from None

    def cluster(self, code: str) -> Cluster:
        try:
            return self._clusters[code]
        except KeyError:
            raise KeyError(f"Không có khối/cụm thi đua mã '{code}' trong danh mục") from None

    def has(self, code: str) -> bool:
        return code in self._units

    def of_level(self, level: str, on: date | None = None) -> tuple[Unit, ...]:
        """Units of a level in registry order; only those valid on ``on`` if given."""
        if level not in self._levels:
            raise ValueError(f"Cấp '{level}' không hợp lệ; dùng một trong: {', '.join(LEVELS)}")
        units = self._levels[level]
        return units if on is None else tuple(u for u in units if u.valid_on(on))

    def members(self, cluster: str, on: date | None = None) -> tuple[Unit, ...]:
        """Units of a cluster in registry order; only those valid on ``on`` if given."""
        units = self._members[self.cluster(cluster).code]
        return units if on is None else tuple(u for u in units if u.valid_on(on))


_UNIT_FIELDS = tuple(Unit.__dataclass_fields__)


def _to_json(value: object) -> object:
    if isinstance(value, date):
        return value.isoformat()
    return list(value) if isinstance(value, tuple) else value


def _cluster_dict(c: Cluster) -> dict[str, Any]:
    """A cluster's JSON object; leader and deputy only when set, so older files stay the same."""
    out: dict[str, Any] = {"code": c.code, "name": c.name, "level": c.level}
    out.update({k: v for k, v in (("leader", c.leader), ("deputy", c.deputy)) if v is not None})
    return out


def registry_to_dict(registry: Registry) -> dict[str, Any]:
    """The JSON document of a registry; key order is fixed so files diff cleanly."""
    return {
        "format": FILE_FORMAT,
        "version": FILE_VERSION,
        "province": {"code": registry.province_code, "name": registry.province_name},
        "clusters": [_cluster_dict(c) for c in registry.clusters],
        "units": [{key: _to_json(getattr(u, key)) for key in _UNIT_FIELDS} for u in registry.units],
    }


def save_registry(registry: Registry, path: str | os.PathLike[str]) -> None:
    text = json.dumps(registry_to_dict(registry), ensure_ascii=False, indent=1) + "\n"
    Path(path).write_text(text, encoding="utf-8")


class _Reader:
    """Reads one JSON object, recording problems instead of raising."""

    def __init__(self, obj: Any, where: str, fields: tuple[str, ...], issues: list[str]) -> None:
        self.where, self.issues = where, issues
        self.obj: Mapping[str, Any] = obj if isinstance(obj, dict) else {}
        if not isinstance(obj, dict):
            issues.append(f"{where}: cần một đối tượng JSON {{...}}")
        for key in sorted(set(self.obj) - set(fields)):
            issues.append(
                f"{where}: trường '{key}' không được hỗ trợ (chỉ dùng: {', '.join(fields)})"
            )

    def text(self, key: str, optional: bool = False) -> str | None:
        value = self.obj.get(key)
        if value is None and optional:
            return None
        if not isinstance(value, str) or not value.strip():
            what = "thiếu trường" if value is None else "cần chuỗi ký tự không rỗng ở trường"
            self.issues.append(f"{self.where}: {what} '{key}'")
            return None
        return unicodedata.normalize("NFC", value)

    def day(self, key: str, optional: bool = False) -> date | None:
        value = self.text(key, optional)
        if value is None:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.issues.append(
                f"{self.where}: ngày '{value}' ở trường '{key}' không hợp lệ; "
                "ghi theo dạng năm-tháng-ngày, ví dụ 2025-06-30"
            )
            return None

    def texts(self, key: str) -> tuple[str, ...]:
        value = self.obj.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.issues.append(f"{self.where}: trường '{key}' cần một danh sách chuỗi ký tự")
            return ()
        return tuple(unicodedata.normalize("NFC", v) for v in value)


def _items(doc: Mapping[str, Any], key: str, issues: list[str]) -> list[Any]:
    value = doc.get(key)
    if isinstance(value, list):
        return value
    issues.append(f"thiếu danh sách '{key}'" if value is None else f"'{key}' cần là một danh sách")
    return []


def registry_from_dict(doc: Any) -> Registry:
    """Build a registry from its JSON document; one ValueError lists every problem."""
    issues: list[str] = []
    top = _Reader(doc, "tệp", ("format", "version", "province", "clusters", "units"), issues)
    if (
        top.obj.get("format", FILE_FORMAT) != FILE_FORMAT
        or top.obj.get("version", FILE_VERSION) != FILE_VERSION
    ):
        issues.append(f"tệp không phải danh mục đơn vị '{FILE_FORMAT}' phiên bản {FILE_VERSION}")
    province = _Reader(top.obj.get("province"), "province", ("code", "name"), issues)
    clusters: list[Cluster] = []
    for i, raw in enumerate(_items(top.obj, "clusters", issues)):
        code = raw.get("code") if isinstance(raw, dict) else None
        r = _Reader(raw, f"clusters[{i}] (mã '{code}')",
                    ("code", "name", "level", "leader", "deputy"), issues)
        c_code, name, level = r.text("code"), r.text("name"), r.text("level")
        leader, deputy = r.text("leader", True), r.text("deputy", True)
        if c_code is not None and name is not None and level is not None:
            clusters.append(Cluster(c_code, name, level, leader, deputy))
    units: list[Unit] = []
    for i, raw in enumerate(_items(top.obj, "units", issues)):
        code = raw.get("code") if isinstance(raw, dict) else None
        r = _Reader(raw, f"units[{i}] (mã '{code}')", _UNIT_FIELDS, issues)
        u_code, name, kind, level = r.text("code"), r.text("name"), r.text("kind"), r.text("level")
        parent, cluster, sex = r.text("parent", True), r.text("cluster", True), r.text("sex", True)
        valid_from, valid_to = r.day("valid_from"), r.day("valid_to", True)
        tags, successors = r.texts("tags"), r.texts("successors")
        if u_code and name and kind and level and valid_from:
            units.append(
                Unit(u_code, name, kind, level, parent, cluster, valid_from, valid_to,
                     tags, sex, successors)
            )  # fmt: skip
    province_code, province_name = province.text("code"), province.text("name")
    if issues or province_code is None or province_name is None:
        raise ValueError("Danh mục đơn vị không hợp lệ:\n- " + "\n- ".join(issues))
    return Registry(province_code, province_name, tuple(clusters), tuple(units))


def load_registry(path: str | os.PathLike[str]) -> Registry:
    """Read a registry saved by :func:`save_registry`; errors name the file and the unit."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"Tệp {path}: không đọc được JSON (dòng {exc.lineno}, cột {exc.colno}): {exc.msg}"
        ) from None
    except UnicodeDecodeError:
        raise ValueError(
            f"Tệp {path}: không phải văn bản UTF-8; hãy lưu lại với mã hóa UTF-8"
        ) from None
    try:
        return registry_from_dict(doc)
    except ValueError as exc:
        raise ValueError(f"Tệp {path}: {exc}") from None
