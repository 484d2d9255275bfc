"""``thidua province``: the 34 provinces of the current structure, and a province's starting
registry (communes and wards, provincial agencies, and with --legacy the units before 1 Jul 2025)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

OK, INVALID = 0, 1


def add_commands(sub: Any) -> None:
    province = sub.add_parser("province", help="tỉnh, thành phố: xem danh sách, khởi tạo danh mục đơn vị")
    province_sub = province.add_subparsers(dest="province_command", required=True, metavar="LỆNH")
    province_sub.add_parser("list", help="34 tỉnh, thành phố (từ ngày 01/7/2025) với mã và tên")
    init = province_sub.add_parser(
        "init", help="khởi tạo danh mục đơn vị của một tỉnh khi danh mục còn trống: các xã, phường, "
                     "đặc khu hiện nay và các cơ quan, đơn vị cấp tỉnh")
    init.add_argument("province", metavar="TỈNH", help="mã hoặc tên tỉnh, có dấu hoặc không dấu "
                                                      "(ví dụ 66, «Đắk Lắk», «dak lak»)")
    init.add_argument("--legacy", action="store_true",
                      help="thêm các huyện, xã trước ngày 01/7/2025 của mọi tỉnh cũ đã hợp nhất vào "
                           "tỉnh này, kèm liên kết tới xã, phường mới")


def cmd_province(args: Any, progress: Callable[[str], None]) -> int:
    if args.province_command == "list":
        return _list()
    return _init(args, progress)


def _list() -> int:
    from scoring.registry.provinces import provinces

    every = provinces()
    print(f"{len(every)} tỉnh, thành phố (từ ngày 01/7/2025):")
    for p in every:
        print(f"  {p.code}  {p.full_name}")
    return OK


def _init(args: Any, progress: Callable[[str], None]) -> int:
    from scoring.services.province_setup import init_province

    progress(f"Đang khởi tạo danh mục đơn vị của «{args.province}»")
    s = asyncio.run(init_province(args.province, args.legacy, actor="cli"))
    print(f"Đã khởi tạo danh mục đơn vị của {s['province_name']} (mã {s['province_code']}):")
    print(f"  - xã, phường, đặc khu (từ 01/7/2025): {s['communes']}")
    print(f"  - cơ quan, đơn vị cấp tỉnh: {s['agencies']} (trong {s['agency_blocks']} khối thi đua)")
    if args.legacy:
        former = ", ".join(s["former_provinces"])
        communes = s["legacy_units"] - s["legacy_districts"]
        print(f"  - đơn vị trước 01/7/2025: {s['legacy_units']} ({s['legacy_districts']} huyện, quận, "
              f"thị xã, thành phố; {communes} xã, phường, thị trấn của {former})")
        print(f"  - liên kết tới đơn vị kế thừa: {s['successor_links']}")
    else:
        print("  - đơn vị trước 01/7/2025: không nạp (dùng --legacy để nạp)")
    return OK


__all__ = ["add_commands", "cmd_province"]
