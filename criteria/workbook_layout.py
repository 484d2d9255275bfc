"""The plan workbook's layout, shared by its writer and its reader: sheet names, columns (the
plan key each holds, its Vietnamese header, how its cells are written and read), and the words
a Department writes for each coded choice. The reader accepts the words or the codes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

INFO_SHEET = "Kế hoạch"
LEVEL_SHEET = "Cấp thi đua"
INDICATOR_SHEET = "Chỉ số"
GROUP_SHEET = "Nhóm tiêu chí"
CRITERIA_PREFIX = "Tiêu chí "  # one sheet per level: "Tiêu chí <level id>"
BONUS_SHEET = "Điểm thưởng"
DEDUCTION_SHEET = "Điểm trừ"
BAND_SHEET = "Xếp loại"
GUIDE_SHEET = "Hướng dẫn"
LEVEL_LABEL = "Mã cấp"  # A2 of a criteria sheet; B2 holds the level id
CRITERIA_HEADER_ROW = 3
MAX_ROWS = 5_000  # rows read from any sheet
MAX_BYTES = 5 * 1024 * 1024  # the workbook file
MAX_UNPACKED = 60 * 1024 * 1024  # its parts, uncompressed

SUBJECTS = {"collective": "Tập thể", "individual": "Cá nhân"}
SCOPES = {"cluster": "Trong khối/cụm", "level": "Toàn cấp"}
KINDS = {"percent": "Tỷ lệ (%)", "number": "Số", "count": "Số đếm", "yes_no": "Có/Không",
         "days": "Số ngày", "date": "Ngày", "points": "Điểm tự chấm"}
DIRECTIONS = {"higher": "Càng cao càng tốt", "lower": "Càng thấp càng tốt"}
METHODS = {"ratio_to_target": "Tỷ lệ so với chỉ tiêu", "threshold": "Đạt ngưỡng",
           "linear": "Tuyến tính", "bands": "Theo bậc", "yes_no": "Có/Không",
           "count_cap": "Theo số lượng, có trần", "points": "Chấm trực tiếp bằng điểm"}
MISSING = {"zero": "Tính 0 điểm", "exclude": "Không áp dụng"}
DEDUCTION_METHODS = {"per_occurrence": "Mỗi lần", "per_day_late": "Mỗi ngày chậm"}
YES, NO = "Có", "Không"


@dataclass(frozen=True)
class Column:
    """One column: ``key`` in the plan's table ("" for a column only shown), its header, and the
    kind of cell: text, number, fraction (0–1 shown as %), flag, list, choice, date, deadline
    (MM-DD shown dd/mm), bands, scale."""

    key: str
    header: str
    kind: str = "text"
    words: Mapping[str, str] = field(default_factory=dict)
    width: int = 18


INFO_ROWS = (  # the plan sheet: one row per key, the value in column B
    Column("id", "Mã kế hoạch"), Column("version", "Phiên bản"), Column("title", "Tên phong trào"),
    Column("issuer", "Cơ quan ban hành"), Column("source", "Văn bản căn cứ"),
    Column("valid_from", "Hiệu lực từ ngày", "date"), Column("valid_to", "Hiệu lực đến ngày", "date"),
    Column("order", "Thứ tự xếp hạng", "list"),
)
LEVEL_COLUMNS = (
    Column("id", "Mã cấp", width=14), Column("name", "Tên cấp", width=36),
    Column("subject", "Đối tượng", "choice", SUBJECTS, 12),
    Column("unit_kinds", "Loại đơn vị dự thi đua", "list", width=28),
    Column("max_points", "Thang điểm", "number", width=12),
    Column("bonus_cap", "Điểm thưởng tối đa", "number", width=12),
    Column("deduction_cap", "Điểm trừ tối đa", "number", width=12),
    Column("ranking_scope", "Xếp hạng", "choice", SCOPES, 16),
)
INDICATOR_COLUMNS = (
    Column("id", "Mã chỉ số", width=28), Column("level", "Mã cấp", width=12),
    Column("name", "Tên chỉ số", width=60), Column("kind", "Kiểu", "choice", KINDS, 14),
    Column("unit", "Đơn vị tính", width=14), Column("min", "Nhỏ nhất", "number", width=10),
    Column("max", "Lớn nhất", "number", width=10),
)
GROUP_COLUMNS = (Column("id", "Mã nhóm", width=24), Column("level", "Mã cấp", width=12),
                 Column("name", "Tên nhóm", width=70))
CRITERION_COLUMNS = (
    Column("", "STT", width=6), Column("id", "Mã tiêu chí", width=24),
    Column("name", "Tiêu chí", width=60), Column("indicator", "Mã chỉ số", width=24),
    Column("", "Chỉ số (theo trang «Chỉ số»)", width=36), Column("", "Đơn vị tính", width=10),
    Column("direction", "Chiều", "choice", DIRECTIONS, 16),
    Column("method", "Cách chấm", "choice", METHODS, 22),
    Column("target", "Chỉ tiêu", "number", width=10), Column("floor", "Mức sàn", "number", width=10),
    Column("points_each", "Điểm mỗi đơn vị", "number", width=10),
    Column("bands", "Các bậc (ngưỡng: điểm)", "bands", width=24),
    Column("scale", "Các mức điểm tự chấm", "scale", width=16),
    Column("max_points", "Điểm tối đa", "number", width=10),
    Column("", "Diễn giải cách chấm", width=60),
    Column("mandatory", "Bắt buộc", "flag", width=9),
    Column("applies_to", "Áp dụng cho", "list", width=20),
    Column("missing", "Khi thiếu số liệu", "choice", MISSING, 14),
    Column("source", "Căn cứ", width=30),
)
BONUS_COLUMNS = (
    Column("id", "Mã", width=24), Column("level", "Mã cấp", width=12),
    Column("name", "Nội dung", width=50), Column("indicator", "Mã chỉ số", width=24),
    Column("method", "Cách tính", "choice", {"count_cap": METHODS["count_cap"],
                                             "yes_no": METHODS["yes_no"]}, 22),
    Column("points_each", "Điểm mỗi lần", "number", width=10),
    Column("max_points", "Điểm tối đa", "number", width=10), Column("source", "Căn cứ", width=30),
)
DEDUCTION_COLUMNS = (
    Column("id", "Mã", width=24), Column("level", "Mã cấp", width=12),
    Column("name", "Nội dung", width=50), Column("indicator", "Mã chỉ số", width=24),
    Column("method", "Cách tính", "choice", DEDUCTION_METHODS, 16),
    Column("points_each", "Điểm mỗi lần/ngày", "number", width=10),
    Column("max_points", "Trừ tối đa", "number", width=10),
    Column("grace_days", "Số ngày ân hạn", "number", width=10),
    Column("deadline", "Hạn (ngày/tháng)", "deadline", width=12),
    Column("source", "Căn cứ", width=30),
)
BAND_COLUMNS = (
    Column("id", "Mã", width=12), Column("level", "Mã cấp", width=12),
    Column("name", "Mức xếp loại", width=40),
    Column("min_percent", "Tỷ lệ điểm tối thiểu (%)", "number", width=14),
    Column("criterion_floor", "Mỗi tiêu chí đạt tối thiểu", "fraction", width=14),
    Column("requires_mandatory", "Phải đạt mọi tiêu chí bắt buộc", "flag", width=14),
)
TABLE_SHEETS = {  # plan table → (sheet, columns)
    "levels": (LEVEL_SHEET, LEVEL_COLUMNS), "indicators": (INDICATOR_SHEET, INDICATOR_COLUMNS),
    "groups": (GROUP_SHEET, GROUP_COLUMNS), "bonuses": (BONUS_SHEET, BONUS_COLUMNS),
    "deductions": (DEDUCTION_SHEET, DEDUCTION_COLUMNS), "bands": (BAND_SHEET, BAND_COLUMNS),
}


def criteria_sheet(level_id: str) -> str:
    return (CRITERIA_PREFIX + level_id)[:31]


def roman(n: int) -> str:
    out = ""
    for value, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                           (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out, n = out + letters, n - value
    return out
