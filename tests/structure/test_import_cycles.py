"""No new import circles in the core, the wire or the central record.

Every import counts, including the late ones inside functions: a late import hides a circle from
the interpreter, not from the reader. kiosk.config and kiosk.pin imported each other (config to
check ``[staff] pin_hash``, pin to write it); kiosk/pinhash.py, which both use, ended that. The
circles listed in KNOWN are older and owned elsewhere: one that disappears must leave the list
too, so the list only shrinks.
"""
from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

PACKAGES = ("kiosk", "sync", "central")
KNOWN = {
    frozenset({"kiosk.i18n", "kiosk.languages"}),
    frozenset({"kiosk.speech", "kiosk.speech_build"}),
    frozenset({"sync.agent", "sync.runner"}),
    frozenset({"central.cli", "central.returns_cli", "central.web.cli"}),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    files = {module_name(p): p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
        graph[name] = {m for m in found if m in files and m != name}
    return graph


def circles(graph: dict[str, set[str]]) -> set[frozenset[str]]:
    """Strongly connected groups of more than one module (Tarjan's algorithm, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out: set[frozenset[str]] = set()
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = set()
                    while True:
                        member = stack.pop()
                        group.add(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        out.add(frozenset(group))
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                work.append((child, iter(sorted(graph[child]))))
            elif child in stack:
                low[node] = min(low[node], index[child])
    return out


def test_no_import_circle_but_the_known_ones() -> None:
    found = circles(import_graph())
    assert found - KNOWN == set(), "new import circle(s): " + "; ".join(
        " <-> ".join(sorted(c)) for c in found - KNOWN)
    assert KNOWN - found == set(), "gone (remove from KNOWN): " + "; ".join(
        " <-> ".join(sorted(c)) for c in KNOWN - found)


def test_config_and_pin_no_longer_import_each_other() -> None:
    graph = import_graph()
    assert "kiosk.pin" not in graph["kiosk.config"] and "kiosk.pinhash" in graph["kiosk.config"]
    assert graph["kiosk.pinhash"] == {"kiosk.errors"}


def test_the_circle_finder_finds_a_circle() -> None:
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == {frozenset("abc")}
    assert circles({"a": {"b"}, "b": set()}) == set()
