# .tac files: Python files, run by twistd -y, that build an `application`
# object (torsion.application.service.Application) and attach services to
# it.  The file runs with exec() in a fresh namespace holding only
# __file__ (its absolute path) and __name__ ("__tac__", so that an
# `if __name__ == "__main__":` block in it does not run); afterwards the
# namespace must hold `application`.  As with twistd, this runs the file's
# code with the full rights of the process: only run .tac files you trust.
from __future__ import annotations

import os
from typing import Any


class NoApplicationError(Exception):
    """
    A .tac file ran but defined no C{application}.

    @ivar path: The file.
    """

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path

    def __str__(self) -> str:
        return (
            f"{self.path!r} defines no 'application'; a .tac file must set "
            f"application = service.Application('NAME') and attach its services to it "
            f"(service.setServiceParent(application))"
        )


def loadApplication(path: str) -> Any:
    """
    Run a .tac file and return the C{application} it defines.

    @param path: The file.
    @return: The value of C{application}.
    @raise OSError: If the file cannot be read.
    @raise NoApplicationError: If it defines no C{application}.
    @raise BaseException: Whatever the file's code raised (C{SyntaxError},
        C{ImportError}, ...).
    """
    with open(path, "rb") as f:
        source = f.read()
    code = compile(source, path, "exec")
    namespace: dict[str, Any] = {"__file__": os.path.abspath(path), "__name__": "__tac__"}
    exec(code, namespace)
    try:
        return namespace["application"]
    except KeyError:
        raise NoApplicationError(path) from None
