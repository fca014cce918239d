"""
Tests for torsion.python.lockfile: a lock between real processes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from torsion.python.lockfile import FilesystemLock, isLocked


def test_lockAndUnlock(tmp_path: Path) -> None:
    """
    lock() takes a free lock (cleanly), unlock() frees it.
    """
    path = str(tmp_path / "lock")
    lock = FilesystemLock(path)
    assert lock.lock() is True
    assert lock.locked and lock.clean
    assert os.readlink(path) == str(os.getpid())
    assert isLocked(path)
    lock.unlock()
    assert not lock.locked
    assert not isLocked(path)


def test_heldLockRefused(tmp_path: Path) -> None:
    """
    A second lock object on a held path does not get it.
    """
    path = str(tmp_path / "lock")
    first = FilesystemLock(path)
    assert first.lock()
    assert FilesystemLock(path).lock() is False
    first.unlock()


def test_heldByOtherProcess(tmp_path: Path) -> None:
    """
    A lock held by another live process is refused; once that process has
    exited without unlocking, the stale lock is broken (clean is False).
    """
    path = str(tmp_path / "lock")
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from torsion.python.lockfile import FilesystemLock; "
            f"assert FilesystemLock({path!r}).lock(); "
            "print('locked', flush=True); sys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None and child.stdin is not None
    assert child.stdout.readline() == "locked\n"
    lock = FilesystemLock(path)
    assert lock.lock() is False
    child.stdin.close()
    assert child.wait(timeout=30) == 0
    assert lock.lock() is True
    assert lock.clean is False
    lock.unlock()


def test_unlockNotHeld(tmp_path: Path) -> None:
    """
    unlock() of a lock not held raises ValueError naming the path.
    """
    path = str(tmp_path / "lock")
    with pytest.raises(ValueError, match=r"is not held"):
        FilesystemLock(path).unlock()


def test_garbageLockFile(tmp_path: Path) -> None:
    """
    A symlink at the path that is not a pid is reported, not overwritten.
    """
    path = str(tmp_path / "lock")
    os.symlink("not-a-pid", path)
    with pytest.raises(OSError, match=r"not a process id"):
        FilesystemLock(path).lock()
