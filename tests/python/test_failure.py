"""
Tests for torsion.python.failure.Failure.
"""

from __future__ import annotations

import io
import pickle
import re
from collections.abc import Generator

import pytest

from torsion.python.failure import Failure, NoCurrentExceptionError


class CustomError(Exception):
    """
    An exception defined in this module, for qualified-name checks.
    """


def raised(exc: BaseException) -> Failure:
    """
    A Failure of C{exc} after raising it, so that it has a traceback.
    """
    try:
        raise exc
    except BaseException:
        return Failure()


class ConstructionTests:
    def test_fromCurrentException(self) -> None:
        """
        Failure() inside an except block wraps the exception being handled.
        """
        empty: dict[str, int] = {}
        try:
            empty["missing"]
        except KeyError as e:
            f = Failure()
            assert f.value is e
        assert f.type is KeyError
        assert f.tb is not None

    def test_fromGivenException(self) -> None:
        """
        Failure(exc) wraps exc, using its own traceback if it was raised.
        """
        err = ValueError("given")
        f = Failure(err)
        assert f.value is err and f.type is ValueError and f.tb is None
        g = raised(KeyError("k"))
        h = Failure(g.value)
        assert h.tb is g.value.__traceback__

    def test_noCurrentException(self) -> None:
        """
        Failure() outside an except block raises NoCurrentExceptionError
        saying what to pass.
        """
        with pytest.raises(NoCurrentExceptionError) as info:
            Failure()
        assert "pass one" in str(info.value)

    def test_notAnException(self) -> None:
        """
        Failure() of a non-exception raises TypeError naming the value.
        """
        with pytest.raises(TypeError, match=r"^Failure\(\) wraps an exception, not str 'oops'"):
            Failure("oops")  # type: ignore[arg-type]

    def test_failureOfFailure(self) -> None:
        """
        Wrapping a Failure gives an equivalent Failure, not a nested one.
        """
        f = raised(KeyError())
        g = Failure(f)
        assert g.value is f.value and g.type is KeyError

    def test_countsDiffer(self) -> None:
        """
        Each Failure has its own serial number.
        """
        assert Failure(ValueError()).count != Failure(ValueError()).count


class InspectionTests:
    def test_check(self) -> None:
        """
        check() returns the first matching class or qualified name, or None.
        """
        f = Failure(CustomError())
        assert f.check(KeyError, Exception) is Exception
        assert f.check(KeyError) is None
        assert f.check(f"{__name__}.CustomError") == f"{__name__}.CustomError"
        assert f.check("builtins.Exception") == "builtins.Exception"
        assert f.check("builtins.KeyError") is None

    def test_trapMatching(self) -> None:
        """
        trap() returns the matching type when it matches.
        """
        assert Failure(KeyError()).trap(ValueError, LookupError) is LookupError

    def test_trapReraisesOriginal(self) -> None:
        """
        trap() re-raises the wrapped exception, with its traceback, when
        nothing matches.
        """
        f = raised(CustomError("x"))
        with pytest.raises(CustomError) as info:
            f.trap(KeyError)
        assert info.value is f.value

    def test_raiseException(self) -> None:
        """
        raiseException() raises the wrapped exception with its traceback.
        """
        f = raised(ValueError("v"))
        with pytest.raises(ValueError, match=r"^v$") as info:
            f.raiseException()
        assert "raised" in [entry.name for entry in info.traceback]

    def test_getErrorMessage(self) -> None:
        """
        getErrorMessage() is str() of the exception, even if str() fails.
        """

        class BrokenStr(Exception):
            def __str__(self) -> str:
                raise RuntimeError()

        assert Failure(ValueError("message")).getErrorMessage() == "message"
        assert "broken str" in Failure(BrokenStr()).getErrorMessage()

    def test_parentsAndFrames(self) -> None:
        """
        parents lists qualified names along the MRO; frames names functions.
        """
        f = raised(CustomError())
        assert f.parents[:2] == [f"{__name__}.CustomError", "builtins.Exception"]
        assert [frame[0] for frame in f.frames] == ["raised"]
        assert f.frames[0][3] == []

    def test_captureVars(self) -> None:
        """
        With captureVars, frames record local variables as reprs.
        """

        def boom() -> None:
            secret = 42  # noqa: F841 -- read back through the Failure
            raise ValueError()

        try:
            boom()
        except ValueError:
            f = Failure(captureVars=True)
        locals_ = dict(f.frames[-1][3])
        assert locals_["secret"] == "42"
        assert "secret : 42" in f.getTraceback(detail="verbose")

    def test_throwIntoGenerator(self) -> None:
        """
        throwExceptionIntoGenerator raises the exception at the generator's yield.
        """

        def gen() -> Generator[str, None, None]:
            try:
                yield "first"
            except KeyError:
                yield "caught"

        g = gen()
        next(g)
        assert Failure(KeyError()).throwExceptionIntoGenerator(g) == "caught"


class TracebackTests:
    def test_defaultTraceback(self) -> None:
        """
        The default traceback is Python's own format.
        """
        text = raised(ValueError("shown")).getTraceback()
        assert text.startswith("Traceback (most recent call last):\n")
        assert "in raised\n" in text
        assert text.endswith("ValueError: shown\n")

    def test_chainingPreserved(self) -> None:
        """
        raise ... from ... and implicit context appear in the traceback,
        also after cleaning and pickling.
        """
        try:
            try:
                raise KeyError("root cause")
            except KeyError as e:
                raise ValueError("outer") from e
        except ValueError:
            f = Failure()
        assert isinstance(f.value.__cause__, KeyError)
        for candidate in (f, pickle.loads(pickle.dumps(f))):
            text = candidate.getTraceback()
            assert "KeyError: 'root cause'" in text
            assert "direct cause of the following exception" in text
            assert "ValueError: outer" in text

    def test_briefAndVerbose(self) -> None:
        """
        brief has one line per frame; verbose names the failure number; an
        unknown detail level is refused.
        """
        f = raised(KeyError("b"))
        brief = f.getTraceback(detail="brief")
        assert brief.startswith("Traceback: <class 'KeyError'>: 'b'\n")
        assert re.search(r"test_failure\.py:\d+:raised\n", brief)
        assert f.getBriefTraceback() == brief
        assert f"*--- Failure #{f.count} ---" in f.getTraceback(detail="verbose")
        with pytest.raises(ValueError, match=r"detail must be one of"):
            f.getTraceback(detail="loud")

    def test_printTraceback(self) -> None:
        """
        printTraceback writes the traceback to the given file.
        """
        f = raised(KeyError("p"))
        out = io.StringIO()
        f.printTraceback(out)
        assert out.getvalue() == f.getTraceback()
        out = io.StringIO()
        f.printBriefTraceback(out)
        assert out.getvalue() == f.getBriefTraceback()
        out = io.StringIO()
        f.printDetailedTraceback(out)
        assert "End of Failure" in out.getvalue()

    def test_reprAndStr(self) -> None:
        """
        repr names the exception type and message.
        """
        f = Failure(ValueError("v"))
        assert repr(f) == "<torsion.python.failure.Failure builtins.ValueError: v>"
        assert str(f).startswith("[Failure instance: ")


class CleanAndPickleTests:
    def test_cleanFailureDropsTraceback(self) -> None:
        """
        cleanFailure() drops the live traceback but keeps its text and frames.
        """
        f = raised(ValueError("c"))
        before = f.getTraceback()
        frames = f.frames
        f.cleanFailure()
        assert f.tb is None and f.getTracebackObject() is None
        assert f.value.__traceback__ is None
        assert f.getTraceback() == before
        assert f.frames == frames
        f.cleanFailure()  # idempotent
        assert f.getTraceback() == before

    def test_pickle(self) -> None:
        """
        A Failure pickles (cleaning itself) and the copy keeps its type,
        message, frames and traceback text.
        """
        f = raised(CustomError("pickled"))
        text = f.getTraceback()
        copy = pickle.loads(pickle.dumps(f))
        assert isinstance(copy, Failure)
        assert copy.type is CustomError
        assert copy.getErrorMessage() == "pickled"
        assert copy.check(CustomError) is CustomError
        assert copy.getTraceback() == text
        assert copy.pickled == 1
        assert [fr[0] for fr in copy.frames] == ["raised"]
        with pytest.raises(CustomError):
            copy.raiseException()
