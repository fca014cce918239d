# The global reactor is whatever object sits at sys.modules
# ["torsion.internet.reactor"] (and as the attribute `reactor` of the
# torsion.internet package): importing torsion.internet.reactor before any
# reactor is installed runs reactor.py, which installs the default.  A
# reactor is chosen by name with TORSION_REACTOR (select, poll, epoll).
from __future__ import annotations

import importlib
import os
import sys
from typing import Any

from torsion.internet._errors import ReactorAlreadyInstalledError

_MODULE = "torsion.internet.reactor"

REACTORS = {
    "epoll": "torsion.internet.epollreactor",
    "poll": "torsion.internet.pollreactor",
    "select": "torsion.internet.selectreactor",
}


def installReactor(reactor: Any) -> None:
    """
    Make C{reactor} the global reactor, C{torsion.internet.reactor}.

    @raise ReactorAlreadyInstalledError: If a reactor is already installed.
    """
    if _MODULE in sys.modules:
        raise ReactorAlreadyInstalledError(
            f"a reactor is already installed ({sys.modules[_MODULE]!r}); install "
            "yours before anything imports torsion.internet.reactor"
        )
    import torsion.internet

    sys.modules[_MODULE] = reactor
    torsion.internet.reactor = reactor


def defaultReactorName() -> str:
    """
    @return: The reactor to install when none was chosen: TORSION_REACTOR
        if set, else epoll where it exists, else poll, else select.
    """
    chosen = os.environ.get("TORSION_REACTOR")
    if chosen:
        return chosen
    import select

    if hasattr(select, "epoll"):
        return "epoll"
    if hasattr(select, "poll"):
        return "poll"
    return "select"


def installByName(name: str) -> Any:
    """
    Install the reactor called C{name} ("select", "poll", "epoll").

    @return: The reactor installed.
    @raise ValueError: If there is no reactor of that name.
    """
    module = REACTORS.get(name)
    if module is None:
        raise ValueError(f"unknown reactor {name!r}; choose one of: {', '.join(sorted(REACTORS))}")
    return importlib.import_module(module).install()


def installDefault() -> Any:
    """
    Install the default reactor (see L{defaultReactorName}).
    """
    return installByName(defaultReactorName())


__all__ = ["REACTORS", "defaultReactorName", "installByName", "installDefault", "installReactor"]
