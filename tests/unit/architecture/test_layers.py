"""Imports point down only: pages and controllers never read tables, the domain knows no HTTP.

Each module is parsed with :mod:`ast` (nothing is imported), so a broken rule names the file
and the import at fault.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
EDGES = ("web", "api")  # pages; JSON controllers and the CLI
DOMAIN = ("criteria", "scoring", "nominations")


def modules(*packages: str) -> Iterator[Path]:
    for package in packages:
        yield from sorted((ROOT / package).rglob("*.py"))


def imported(path: Path) -> Iterator[tuple[int, str]]:
    """(line, dotted module) for every module the file imports; ``from X import y`` gives both
    ``X`` and ``X.y``, since ``y`` may itself be a module."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            yield node.lineno, base
            for alias in node.names:
                yield node.lineno, f"{base}.{alias.name}" if node.module else base + alias.name


def offences(packages: tuple[str, ...], wrong: str, last_part: bool) -> list[str]:
    out = []
    for path in modules(*packages):
        for line, name in imported(path):
            parts = name.lstrip(".").split(".")
            if (parts[-1] if last_part else parts[0]) == wrong:
                out.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
    return sorted(set(out))


def test_pages_and_controllers_never_import_tables() -> None:
    found = offences(EDGES, "tables", last_part=True)
    assert not found, "web/ and api/ read data through services only, never tables:\n" + "\n".join(found)


def test_the_domain_knows_nothing_of_litestar() -> None:
    found = offences(DOMAIN, "litestar", last_part=False)
    assert not found, "criteria/, scoring/, nominations/ must not import litestar:\n" + "\n".join(found)
