"""Imports point down only: the nominations package uses no page, controller, HTTP or demo code."""

from __future__ import annotations

import ast
from pathlib import Path

import nominations

ABOVE = ("web", "api", "http_layer", "server", "demo", "litestar")


def test_nominations_imports_nothing_from_the_layers_above() -> None:
    root = Path(nominations.__file__).parent
    found = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else [])
            found += [f"{path.relative_to(root)}: {name}" for name in names if name.split(".")[0] in ABOVE]
    assert not found, "nominations không được dùng mã của lớp trên (trang, API, HTTP, dữ liệu mẫu): " + \
        ", ".join(found)
