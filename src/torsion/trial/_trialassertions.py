# The assertions of trial's TestCase, as a unittest.TestCase mixin.
#
# unittest.TestCase already has most of what trial users call; this adds
# trial's names for them (assertIdentical, failUnlessEqual, ...), trial's own
# assertions (assertApproximates, assertSubstring, ...), trial's forms of
# assertRaises and assertWarns (both return something useful), and the
# Deferred assertions.
#
# The Deferred assertions look at a Deferred's current result by adding one
# callback that records what it is given and passes it on unchanged; nothing
# else about the Deferred is touched.  If there is no result yet, that
# callback stays on the chain and keeps passing results through.  A failure
# result the assertion has dealt with (returned it, or failed the test with
# its traceback) is then consumed by an errback returning None, as trial
# does, so it is not logged again as an unhandled error when the Deferred is
# garbage collected.  Success results are left in place.
#
# The module-level __unittest flag makes unittest and pytest leave this
# module's frames out of the tracebacks of failed assertions.
from __future__ import annotations

import os
import types
import unittest
import warnings
from collections.abc import Callable, Coroutine, Generator
from typing import TYPE_CHECKING, Any, Generic, ParamSpec, TypeVar, overload

from torsion.internet.defer import Deferred, ensureDeferred
from torsion.python.failure import Failure

if TYPE_CHECKING:
    from unittest.case import _AssertWarnsContext

__unittest = True

_T = TypeVar("_T")
_E = TypeVar("_E", bound=BaseException)
_P = ParamSpec("_P")

_NO_RESULT: Any = object()


class FailTest(AssertionError):
    """
    Raised by the assertions of a trial-style TestCase: the test failed.
    """


def _qualifiedName(cls: type) -> str:
    if cls.__module__ == "builtins":
        return cls.__qualname__
    return f"{cls.__module__}.{cls.__qualname__}"


def _describeTypes(types: type | tuple[type, ...]) -> str:
    if isinstance(types, tuple):
        return " or ".join(_qualifiedName(t) for t in types)
    return _qualifiedName(types)


def _currentResult(deferred: Deferred[Any]) -> Any:
    """
    Return C{deferred}'s current result, or C{_NO_RESULT} if it has none.

    Leaves the result where it is.
    """
    seen: list[Any] = []
    looking = True

    def record(result: object) -> object:
        if looking:
            seen.append(result)
        return result

    deferred.addBoth(record)
    looking = False
    return seen[0] if seen else _NO_RESULT


def _consumeFailure(deferred: Deferred[Any]) -> None:
    """
    Replace a failure result of C{deferred} by None (it has been reported).
    """
    deferred.addErrback(lambda failure: None)


class _RaisesContext(Generic[_E]):
    """
    What C{assertRaises(exception)} returns: checks the exception raised in
    its C{with} block.

    @ivar exception: The exception raised, once the block has raised it.
    """

    exception: _E

    def __init__(
        self,
        case: unittest.TestCase,
        expected: type[_E] | tuple[type[_E], ...],
        msg: object = None,
    ) -> None:
        self._case = case
        self._expected = expected
        self._msg = msg
        self._returned: Any = _NO_RESULT

    def __enter__(self) -> _RaisesContext[_E]:
        return self

    def __exit__(
        self,
        excType: type[BaseException] | None,
        exc: BaseException | None,
        tb: types.TracebackType | None,
    ) -> bool:
        expectedName = _describeTypes(self._expected)
        suffix = f": {self._msg}" if self._msg is not None else ""
        if exc is None:
            returned = "" if self._returned is _NO_RESULT else f" (it returned {self._returned!r})"
            raise self._case.failureException(f"{expectedName} not raised{returned}{suffix}")
        if not isinstance(exc, self._expected):
            trace = Failure(exc, excType, tb).getTraceback()
            raise self._case.failureException(
                f"{_qualifiedName(type(exc))} raised instead of {expectedName}{suffix}:\n{trace}"
            ) from None
        self.exception = exc
        return True

    def _call(self, f: Callable[..., object], *args: Any, **kwargs: Any) -> _E:
        with self:
            self._returned = f(*args, **kwargs)
        return self.exception


class _Assertions(unittest.TestCase):
    """
    Trial's assertions and their aliases on top of unittest's.
    """

    failureException: type[BaseException] = FailTest

    # -- trial's names for unittest's assertions ---------------------------

    assertEquals = unittest.TestCase.assertEqual
    failUnlessEqual = unittest.TestCase.assertEqual
    failUnlessEquals = unittest.TestCase.assertEqual
    assertNotEquals = unittest.TestCase.assertNotEqual
    failIfEqual = unittest.TestCase.assertNotEqual
    failIfEquals = unittest.TestCase.assertNotEqual
    assert_ = unittest.TestCase.assertTrue
    failUnless = unittest.TestCase.assertTrue
    failUnlessTrue = unittest.TestCase.assertTrue
    assertNot = unittest.TestCase.assertFalse
    failIf = unittest.TestCase.assertFalse
    failUnlessFalse = unittest.TestCase.assertFalse
    assertIdentical = unittest.TestCase.assertIs
    failUnlessIdentical = unittest.TestCase.assertIs
    assertNotIdentical = unittest.TestCase.assertIsNot
    failIfIdentical = unittest.TestCase.assertIsNot
    failUnlessIn = unittest.TestCase.assertIn
    failIfIn = unittest.TestCase.assertNotIn
    failUnlessIsInstance = unittest.TestCase.assertIsInstance
    failIfIsInstance = unittest.TestCase.assertNotIsInstance
    assertAlmostEquals = unittest.TestCase.assertAlmostEqual
    failUnlessAlmostEqual = unittest.TestCase.assertAlmostEqual
    assertNotAlmostEquals = unittest.TestCase.assertNotAlmostEqual
    failIfAlmostEqual = unittest.TestCase.assertNotAlmostEqual
    failIfAlmostEquals = unittest.TestCase.assertNotAlmostEqual

    # -- trial's own assertions ----------------------------------------------

    def assertApproximates(
        self, first: float, second: float, tolerance: float, msg: str | None = None
    ) -> float:
        """
        Fail unless C{first} and C{second} differ by at most C{tolerance}.

        @param msg: Replaces the default failure message.
        @return: C{first}.
        @raise FailTest: If they differ by more.
        """
        if abs(first - second) > tolerance:
            raise self.failureException(
                msg or f"{first!r} ~== {second!r}: they differ by more than {tolerance!r}"
            )
        return first

    failUnlessApproximates = assertApproximates

    def assertSubstring(self, substring: _T, astring: Any, msg: str | None = None) -> _T:
        """
        Fail unless C{substring} occurs in C{astring}.

        @param msg: Replaces the default failure message.
        @return: C{substring}.
        @raise FailTest: If it does not.
        """
        if substring not in astring:
            raise self.failureException(msg or f"{substring!r} not in {astring!r}")
        return substring

    failUnlessSubstring = assertSubstring

    def assertNotSubstring(self, substring: _T, astring: Any, msg: str | None = None) -> _T:
        """
        Fail if C{substring} occurs in C{astring}.

        @param msg: Replaces the default failure message.
        @return: C{substring}.
        @raise FailTest: If it does.
        """
        if substring in astring:
            raise self.failureException(msg or f"{substring!r} in {astring!r}")
        return substring

    failIfSubstring = assertNotSubstring

    @overload  # type: ignore[override]
    def assertRaises(
        self, exception: type[_E] | tuple[type[_E], ...], *, msg: object = None
    ) -> _RaisesContext[_E]: ...

    @overload
    def assertRaises(
        self,
        exception: type[_E] | tuple[type[_E], ...],
        f: Callable[..., object],
        *args: Any,
        **kwargs: Any,
    ) -> _E: ...

    def assertRaises(
        self,
        exception: type[_E] | tuple[type[_E], ...],
        f: Callable[..., object] | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> _E | _RaisesContext[_E]:
        """
        Fail unless calling C{f(*args, **kwargs)} raises C{exception}.

        Without C{f}, return a context manager that checks its C{with}
        block instead (its C{exception} attribute is the exception raised)::

            error = self.assertRaises(ValueError, int, "x")
            with self.assertRaises(ValueError) as context:
                int("x")

        @param exception: The exception type (or a tuple of them) expected.
        @param f: The callable to call, or L{None} for the context manager.
        @return: The exception raised by C{f}; or the context manager.
        @raise FailTest: If nothing was raised, or an exception of another
            type was (its traceback is in the message).
        """
        if f is None:
            return _RaisesContext(self, exception, kwargs.get("msg"))
        return _RaisesContext(self, exception)._call(f, *args, **kwargs)

    failUnlessRaises = assertRaises  # type: ignore[assignment]

    @overload  # type: ignore[override]
    def assertWarns(
        self, category: type[Warning] | tuple[type[Warning], ...], *, msg: Any = None
    ) -> _AssertWarnsContext: ...

    @overload
    def assertWarns(
        self,
        category: type[Warning],
        message: str,
        filename: str,
        f: Callable[_P, _T],
        *args: _P.args,
        **kwargs: _P.kwargs,
    ) -> _T: ...

    @overload
    def assertWarns(
        self,
        category: type[Warning] | tuple[type[Warning], ...],
        f: Callable[..., object],
        /,
        *args: Any,
        **kwargs: Any,
    ) -> None: ...

    def assertWarns(self, category: Any, *args: Any, **kwargs: Any) -> Any:
        """
        Fail unless C{f(*args, **kwargs)} emits the warning described.

        This is trial's form,
        C{assertWarns(category, message, filename, f, *args, **kwargs)}:
        every warning C{f} emits must be the same one, with exactly that
        category and message text, attributed to C{filename} (the file the
        warning's C{stacklevel} points at).  It returns what C{f} returns.

        unittest's forms work too: C{with self.assertWarns(category):} and
        C{self.assertWarns(category, f, *args, **kwargs)}.

        @param category: The warning class expected.
        @return: C{f}'s result (trial's form); see unittest for the others.
        @raise FailTest: If C{f} emits no warning, different warnings, or a
            warning with another category, message or file.
        """
        if not args or callable(args[0]):
            return super().assertWarns(category, *args, **kwargs)
        message, filename, f, *rest = args
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = f(*rest, **kwargs)
        name = getattr(f, "__qualname__", repr(f))
        if not caught:
            raise self.failureException(
                f"{name} emitted no warning; expected {category.__name__}({message!r})"
            )
        first = caught[0]
        firstText = str(first.message)
        for other in caught[1:]:
            if (str(other.message), other.category) != (firstText, first.category):
                raise self.failureException(
                    f"{name} emitted different warnings: "
                    f"{first.category.__name__}({firstText!r}) and "
                    f"{other.category.__name__}({str(other.message)!r}); "
                    "assertWarns checks calls that emit one kind of warning"
                )
        if first.category is not category:
            raise self.failureException(
                f"{name} emitted {_qualifiedName(first.category)}({firstText!r}), "
                f"not {_qualifiedName(category)}"
            )
        if firstText != message:
            raise self.failureException(
                f"{name} emitted {category.__name__} with message {firstText!r}, "
                f"expected {message!r}"
            )
        if not _sameSource(filename, first.filename):
            raise self.failureException(
                f"{name} emitted its warning from {first.filename!r}, expected {filename!r}"
            )
        return result

    failUnlessWarns = assertWarns

    # -- Deferreds ---------------------------------------------------------

    def successResultOf(
        self, deferred: Deferred[_T] | Coroutine[Any, Any, _T] | Generator[Any, Any, _T]
    ) -> _T:
        """
        Return the success result C{deferred} has now.

        The result stays on the Deferred.  A coroutine is run (with
        L{ensureDeferred}) first.

        @param deferred: A Deferred, or a coroutine, that has succeeded.
        @return: The result.
        @raise FailTest: If C{deferred} has no result yet, or has failed;
            then the message includes the failure's traceback, and the
            failure is consumed so that it is not logged as unhandled.
        """
        d = ensureDeferred(deferred)
        result = _currentResult(d)
        if result is _NO_RESULT:
            raise self.failureException(
                f"Success result expected on {d!r}, found no result instead"
            )
        if isinstance(result, Failure):
            _consumeFailure(d)
            raise self.failureException(
                f"Success result expected on {d!r}, found failure result instead:\n"
                f"{result.getTraceback()}"
            )
        return result  # type: ignore[no-any-return]

    def failureResultOf(
        self, deferred: Deferred[Any], *expectedExceptionTypes: type[BaseException]
    ) -> Failure:
        """
        Return the failure result C{deferred} has now, and consume it.

        Afterwards the Deferred's result is L{None}, so the failure is not
        logged as unhandled when the Deferred is garbage collected.

        @param deferred: A Deferred (or coroutine) that has failed.
        @param expectedExceptionTypes: If given, the failure must wrap an
            exception of one of these types.
        @return: The L{Failure}.
        @raise FailTest: If C{deferred} has no result, has succeeded, or
            failed with another type of exception (its traceback is in the
            message).
        """
        d = ensureDeferred(deferred)
        result = _currentResult(d)
        if result is _NO_RESULT:
            raise self.failureException(
                f"Failure result expected on {d!r}, found no result instead"
            )
        if not isinstance(result, Failure):
            raise self.failureException(
                f"Failure result expected on {d!r}, found success result ({result!r}) instead"
            )
        _consumeFailure(d)
        if expectedExceptionTypes and not result.check(*expectedExceptionTypes):
            raise self.failureException(
                f"Failure of type ({_describeTypes(expectedExceptionTypes)}) expected on "
                f"{d!r}, found type {_qualifiedName(result.type)} instead:\n"
                f"{result.getTraceback()}"
            )
        return result

    def assertNoResult(self, deferred: Deferred[Any]) -> None:
        """
        Fail if C{deferred} has a result now.

        When it has none, the Deferred is unaffected.  When it has one, a
        failure result is consumed (the test failure reports it instead).

        @param deferred: A Deferred (or coroutine) that has no result: not
            fired, or waiting for another Deferred.
        @raise FailTest: If C{deferred} has a result.
        """
        d = ensureDeferred(deferred)
        result = _currentResult(d)
        if result is _NO_RESULT:
            return
        if isinstance(result, Failure):
            _consumeFailure(d)
        raise self.failureException(f"No result expected on {d!r}, found {result!r} instead")

    def assertFailure(
        self, deferred: Deferred[Any], *expectedFailures: type[BaseException]
    ) -> Deferred[Any]:
        """
        Add callbacks to C{deferred} that check it fails with one of the types.

        @param deferred: The Deferred to check.
        @param expectedFailures: The exception types it may fail with.
        @return: C{deferred}, which now fires with the exception if it
            failed with one of those types, and fails with
            C{self.failureException} if it succeeded or failed otherwise.
        """

        def succeeded(result: object) -> None:
            raise self.failureException(
                f"{deferred!r} succeeded with {result!r}; expected it to fail with "
                f"{_describeTypes(expectedFailures)}"
            )

        def failed(failure: Failure) -> BaseException:
            if failure.check(*expectedFailures):
                return failure.value
            raise self.failureException(
                f"{deferred!r} failed with {_qualifiedName(failure.type)}; expected "
                f"{_describeTypes(expectedFailures)}:\n{failure.getTraceback()}"
            )

        return deferred.addCallbacks(succeeded, failed)

    failUnlessFailure = assertFailure


def _sameSource(expected: str, actual: str) -> bool:
    """
    Whether the file names C{expected} and C{actual} name the same source.

    A compiled file (C{.pyc}) matches its source; as in trial, an expected
    name that starts with the actual one matches too.
    """

    def normal(path: str) -> str:
        path = os.path.normcase(os.path.abspath(path))
        return path[:-1] if path.endswith((".pyc", ".pyo")) else path

    return normal(expected) == normal(actual) or expected.startswith(actual)
