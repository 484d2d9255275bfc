"""The house's layers: every import points down, and no module imports itself through others.

Read from the source with ``ast`` (function-level imports included), so a lazy import cannot
hide an arrow that runs up. ARCHITECTURE.md draws the layers; this test holds the code to it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

# Higher imports lower; packages of the same rank never import each other.
RANK = {
    "server": 9,
    "web": 8, "api": 8,
    "http_layer": 7, "demo": 7,
    "nominations": 6, "accounts": 6,
    "scoring": 5,
    "criteria": 4,
    "storage": 2,
    "presentation": 1,
}
# Inside scoring: the pure core imports nothing of the other rooms, of storage or of tables;
# intake and the registry never import the services above them.
SCORING_ROOMS = {"core": 1, "tables": 1, "intake": 2, "registry": 2, "piccolo_app": 3, "services": 4}
PURE = ("scoring.core", "criteria.model", "criteria.fields", "criteria.loader", "criteria.crosscheck",
        "criteria.describe")


def modules() -> Iterator[tuple[str, Path]]:
    for package in RANK:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "piccolo_migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
            yield name, path


@cache
def module_names() -> frozenset[str]:
    return frozenset(name for name, _ in modules())


def imports(path: Path) -> Iterator[tuple[int, str]]:
    """(line, imported module) of every absolute import, at any depth of the file."""
    names = module_names()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            submodules = [f"{node.module}.{a.name}" for a in node.names if f"{node.module}.{a.name}" in names]
            if submodules:  # ``from scoring.services import runs``
                yield from ((node.lineno, m) for m in submodules)
            else:
                yield node.lineno, node.module
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name


def known(target: str, names: frozenset[str]) -> str | None:
    """The project module a dotted import refers to (None for a name inside a module or a library)."""
    return target if target in names else None


def test_every_import_points_down() -> None:
    wrong = []
    for name, path in modules():
        mine = name.split(".")[0]
        for line, target in imports(path):
            theirs = target.split(".")[0]
            if theirs not in RANK or theirs == mine:
                continue
            if RANK[theirs] >= RANK[mine]:
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {target} "
                             f"({mine}, tầng {RANK[mine]} → {theirs}, tầng {RANK[theirs]})")
    assert not wrong, "Nhập ngược tầng (phải nhập xuống tầng thấp hơn):\n" + "\n".join(wrong)


def test_scoring_rooms_point_down() -> None:
    wrong = []
    for name, path in modules():
        parts = name.split(".")
        if parts[0] != "scoring" or len(parts) < 2 or parts[1] not in SCORING_ROOMS:
            continue
        for line, target in imports(path):
            tp = target.split(".")
            if tp[0] != "scoring" or len(tp) < 2 or tp[1] not in SCORING_ROOMS or tp[1] == parts[1]:
                continue
            if SCORING_ROOMS[tp[1]] >= SCORING_ROOMS[parts[1]]:
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {target}")
    assert not wrong, "Trong scoring/, một phòng nhập phòng ở trên nó:\n" + "\n".join(wrong)


def test_the_pure_core_does_no_storage_and_no_http() -> None:
    wrong = []
    for name, path in modules():
        if not name.startswith(PURE):
            continue
        for line, target in imports(path):
            if target.split(".")[0] in ("storage", "piccolo", "litestar", "accounts", "nominations") or (
                    target.endswith(".tables")):
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {target}")
    assert not wrong, "Lõi tính điểm thuần phải không chạm cơ sở dữ liệu hay HTTP:\n" + "\n".join(wrong)


def test_no_import_circles() -> None:
    """Module-level imports only: a lazy import inside a function cannot make a cycle at import time,
    but it still shows in the layer tests above."""
    names = module_names()
    graph: dict[str, set[str]] = {}
    for name, path in modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        edges = set()
        for node in tree.body:
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            edges |= {t for t in targets if known(t, names) and t != name}
        graph[name] = edges
    cycles = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(" → ".join([*stack[stack.index(nxt):], nxt]))
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert not cycles, "Vòng nhập giữa các mô-đun:\n" + "\n".join(cycles)


def test_the_rules_see_real_imports() -> None:
    """The walker finds what is there: web imports the HTTP layer, the services import storage."""
    found = {target for name, path in modules() if name == "server.app" for _, target in imports(path)}
    assert {"web.routes", "api.routes", "http_layer.auth"} <= found
