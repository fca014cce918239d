"""
The examples of C{docs/web-server.md} run; the one followed by its output
prints exactly that.
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path
from typing import Any

from torsion.trial.util import runUntil

DOCS = Path(__file__).resolve().parents[2] / "docs" / "web-server.md"


def test_sessionExamplePrintsWhatThePageSays() -> None:
    """The session example prints the text shown under it."""
    page = DOCS.read_text(encoding="utf-8")
    found = re.findall(r"```python\n((?:(?!```).)*?)```\n\n```text\n(.*?)```", page, re.DOTALL)
    assert len(found) == 1
    code, expected = found[0]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, str(DOCS), "exec"), {"__name__": "__docs__"})
    assert out.getvalue() == expected


def test_firstExampleListens(reactor: Any) -> None:
    """The first example (without reactor.run) listens on the global reactor."""
    page = DOCS.read_text(encoding="utf-8")
    code = re.findall(r"```python\n(.*?)```", page, re.DOTALL)[0]
    code = code.replace("reactor.listenTCP(8080,", "port = reactor.listenTCP(0,")
    namespace: dict[str, Any] = {"__name__": "__docs__"}
    exec(compile(code, str(DOCS), "exec"), namespace)
    port = namespace["port"]
    assert port.getHost().port > 0
    runUntil(reactor, port.stopListening(), 10)
