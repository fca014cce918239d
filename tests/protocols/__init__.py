"""
Tests for L{torsion.protocols}.

Shared helpers for the parser tests live here.
"""

from __future__ import annotations

import ast
from itertools import pairwise
from pathlib import Path
from types import ModuleType

from hypothesis import strategies as st


def chunked(data: bytes, cuts: list[int]) -> list[bytes]:
    """
    Split C{data} at the offsets C{cuts} (taken modulo its length + 1, in
    any order; empty chunks included).
    """
    bounds = [0, *sorted(cut % (len(data) + 1) for cut in cuts), len(data)]
    return [data[a:b] for a, b in pairwise(bounds)]


# Bytes built from pieces that often make (or almost make) delimiters and
# frames, so that random input exercises the interesting paths.
pieces = st.sampled_from(
    [b"a", b"b", b"\r", b"\n", b"\r\n", b"0", b"1", b"9", b":", b",", b"\x00", b"\xff", b"xyz"]
)
framingBytes = st.lists(pieces, max_size=200).map(b"".join) | st.binary(max_size=600)
cutLists = st.lists(st.integers(min_value=0, max_value=10_000), max_size=30)


def importedModules(module: ModuleType) -> set[str]:
    """
    The modules that the source of C{module} imports (at any level).
    """
    assert module.__file__ is not None
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module is not None:
            names.add(node.module)
    return names


def isSansIO(module: ModuleType) -> bool:
    """
    Whether C{module} imports nothing that does I/O or knows of the
    reactor: no C{torsion.internet}, C{torsion.logger}, sockets or asyncio.
    """
    forbidden = ("torsion.internet", "torsion.logger", "socket", "asyncio", "select")
    return not any(
        name == bad or name.startswith(bad + ".")
        for name in importedModules(module)
        for bad in forbidden
    )


__all__ = ["chunked", "cutLists", "framingBytes", "importedModules", "isSansIO", "pieces"]
