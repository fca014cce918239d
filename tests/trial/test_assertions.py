"""
Tests for the assertions of L{torsion.trial.unittest.SynchronousTestCase}
that do not involve Deferreds.
"""

import unittest
import warnings

import pytest

from torsion.trial.unittest import FailTest, SkipTest, SynchronousTestCase


def _case() -> SynchronousTestCase:
    return SynchronousTestCase()


def _warnOld() -> int:
    warnings.warn("old", DeprecationWarning, stacklevel=1)
    return 7


def _warnTwoKinds() -> None:
    warnings.warn("one", DeprecationWarning, stacklevel=1)
    warnings.warn("two", UserWarning, stacklevel=1)


class NamesTests(SynchronousTestCase):
    def test_failTestIsTheFailureException(self) -> None:
        """
        C{FailTest} is an C{AssertionError} and the class of failures.
        """
        assert SynchronousTestCase.failureException is FailTest
        assert issubclass(FailTest, AssertionError)
        assert SkipTest is unittest.SkipTest

    def test_aliases(self) -> None:
        """
        Trial's other names for unittest's assertions are the same methods.
        """
        case = _case()
        pairs = {
            "assertEqual": ["assertEquals", "failUnlessEqual", "failUnlessEquals"],
            "assertNotEqual": ["assertNotEquals", "failIfEqual", "failIfEquals"],
            "assertTrue": ["assert_", "failUnless", "failUnlessTrue"],
            "assertFalse": ["failIf", "assertNot", "failUnlessFalse"],
            "assertIs": ["assertIdentical", "failUnlessIdentical"],
            "assertIsNot": ["assertNotIdentical", "failIfIdentical"],
            "assertIn": ["failUnlessIn"],
            "assertNotIn": ["failIfIn"],
            "assertRaises": ["failUnlessRaises"],
            "assertWarns": ["failUnlessWarns"],
            "assertApproximates": ["failUnlessApproximates"],
            "assertSubstring": ["failUnlessSubstring"],
            "assertNotSubstring": ["failIfSubstring"],
            "assertFailure": ["failUnlessFailure"],
        }
        for name, aliases in pairs.items():
            for alias in aliases:
                assert getattr(case, alias).__func__ is getattr(case, name).__func__, alias

    def test_aliasesPassAndFail(self) -> None:
        """
        The aliases pass on true statements and raise C{FailTest} on false
        ones, without deprecation warnings.
        """
        case = _case()
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            case.assertEquals(1, 1)
            case.failUnlessEqual("a", "a")
            case.assertNotEquals(1, 2)
            case.assert_(True)
            case.failUnless(1)
            case.failIf(0)
            case.assertIdentical(None, None)
            case.assertNotIdentical([], [])
            case.assertIn(1, [1])
            case.assertNotIn(2, [1])
        with pytest.raises(FailTest, match=r"^1 != 2$"):
            case.assertEquals(1, 2)
        with pytest.raises(FailTest):
            case.failUnless(0)
        with pytest.raises(FailTest):
            case.failIf(1)
        with pytest.raises(FailTest, match=r"^None is not 1$"):
            case.assertIdentical(None, 1)
        with pytest.raises(FailTest, match=r"^unexpectedly identical: None$"):
            case.assertNotIdentical(None, None)
        with pytest.raises(FailTest):
            case.assertNotEqual(1, 1)
        with pytest.raises(FailTest, match=r"^3 not found in \[1\]$"):
            case.assertIn(3, [1])
        with pytest.raises(FailTest):
            case.assertNotIn(1, [1])

    def test_fail(self) -> None:
        """
        C{fail} raises C{FailTest} with the message.
        """
        with pytest.raises(FailTest, match=r"^stop here$"):
            _case().fail("stop here")


class ApproximatesAndSubstringTests(SynchronousTestCase):
    def test_assertApproximates(self) -> None:
        """
        C{assertApproximates} passes within the tolerance, returning the
        first value, and fails beyond it, naming both values.
        """
        case = _case()
        assert case.assertApproximates(1.0, 1.05, 0.1) == 1.0
        with pytest.raises(FailTest, match=r"^1\.0 ~== 1\.5: they differ by more than 0\.1$"):
            case.assertApproximates(1.0, 1.5, 0.1)
        with pytest.raises(FailTest, match=r"^custom$"):
            case.assertApproximates(1.0, 1.5, 0.1, "custom")

    def test_assertSubstring(self) -> None:
        """
        C{assertSubstring} passes when the substring occurs, returning it,
        and fails otherwise, naming both.
        """
        case = _case()
        assert case.assertSubstring("ell", "hello") == "ell"
        with pytest.raises(FailTest, match=r"^'xyz' not in 'hello'$"):
            case.assertSubstring("xyz", "hello")

    def test_assertNotSubstring(self) -> None:
        """
        C{assertNotSubstring} passes when the substring does not occur, and
        fails when it does.
        """
        case = _case()
        assert case.assertNotSubstring("xyz", "hello") == "xyz"
        with pytest.raises(FailTest, match=r"^'ell' in 'hello'$"):
            case.assertNotSubstring("ell", "hello")


class AssertRaisesTests(SynchronousTestCase):
    def test_callableReturnsException(self) -> None:
        """
        With a callable, C{assertRaises} calls it with the arguments given
        and returns the exception it raised.
        """
        error = _case().assertRaises(ValueError, int, "x", base=10)
        assert isinstance(error, ValueError)
        assert "invalid literal" in str(error)

    def test_callableTupleOfTypes(self) -> None:
        """
        A tuple of exception types accepts any of them.
        """
        error = _case().assertRaises((KeyError, ValueError), int, "x")
        assert isinstance(error, ValueError)

    def test_callableNothingRaised(self) -> None:
        """
        If the callable returns, the failure names the exception expected and
        what was returned.
        """
        with pytest.raises(FailTest, match=r"^ValueError not raised \(it returned 3\)$"):
            _case().assertRaises(ValueError, int, "3")

    def test_callableWrongException(self) -> None:
        """
        If the callable raises another exception, the failure names both
        types and includes the traceback of the one raised.
        """
        with pytest.raises(FailTest) as info:
            _case().assertRaises(KeyError, int, "x")
        message = str(info.value)
        assert message.startswith("ValueError raised instead of KeyError:\n")
        assert "Traceback (most recent call last):" in message
        assert "invalid literal for int()" in message

    def test_contextManager(self) -> None:
        """
        Without a callable, C{assertRaises} is a context manager that keeps
        the exception raised in its block.
        """
        with _case().assertRaises(ZeroDivisionError) as context:
            1 / 0  # noqa: B018
        assert isinstance(context.exception, ZeroDivisionError)

    def test_contextManagerFails(self) -> None:
        """
        The context manager fails if nothing is raised, with C{msg} appended,
        or if something else is.
        """
        case = _case()
        notRaised = pytest.raises(FailTest, match=r"^ZeroDivisionError not raised: because$")
        with notRaised, case.assertRaises(ZeroDivisionError, msg="because"):
            pass
        otherRaised = pytest.raises(
            FailTest, match=r"^KeyError raised instead of ZeroDivisionError"
        )
        with otherRaised, case.assertRaises(ZeroDivisionError):
            raise KeyError("k")


class AssertWarnsTests(SynchronousTestCase):
    def test_trialFormReturnsResult(self) -> None:
        """
        Trial's form checks category, message and file, and returns what the
        function returned.
        """
        result = _case().assertWarns(DeprecationWarning, "old", __file__, _warnOld)
        assert result == 7

    def test_trialFormNoWarning(self) -> None:
        """
        Trial's form fails if the function emits no warning.
        """
        with pytest.raises(
            FailTest,
            match=r"^_case emitted no warning; expected DeprecationWarning\('old'\)$",
        ):
            _case().assertWarns(DeprecationWarning, "old", __file__, _case)

    def test_trialFormWrongCategory(self) -> None:
        """
        Trial's form fails if the category differs, naming both.
        """
        with pytest.raises(
            FailTest, match=r"^_warnOld emitted DeprecationWarning\('old'\), not UserWarning$"
        ):
            _case().assertWarns(UserWarning, "old", __file__, _warnOld)

    def test_trialFormWrongMessage(self) -> None:
        """
        Trial's form fails if the message differs, naming both.
        """
        with pytest.raises(
            FailTest,
            match=r"^_warnOld emitted DeprecationWarning with message 'old', expected 'new'$",
        ):
            _case().assertWarns(DeprecationWarning, "new", __file__, _warnOld)

    def test_trialFormWrongFile(self) -> None:
        """
        Trial's form fails if the warning points at another file.
        """
        with pytest.raises(FailTest, match=r"^_warnOld emitted its warning from '.*"):
            _case().assertWarns(DeprecationWarning, "old", unittest.__file__, _warnOld)

    def test_trialFormCompiledFile(self) -> None:
        """
        The compiled file's name matches its source's.
        """
        _case().assertWarns(DeprecationWarning, "old", __file__ + "c", _warnOld)

    def test_trialFormDifferentWarnings(self) -> None:
        """
        Trial's form fails if the function emits two different warnings.
        """
        with pytest.raises(FailTest, match=r"^_warnTwoKinds emitted different warnings: "):
            _case().assertWarns(DeprecationWarning, "one", __file__, _warnTwoKinds)

    def test_unittestForms(self) -> None:
        """
        unittest's context-manager and callable forms work too.
        """
        case = _case()
        with case.assertWarns(DeprecationWarning) as context:
            _warnOld()
        assert str(context.warning) == "old"
        case.assertWarns(DeprecationWarning, _warnOld)
        notTriggered = pytest.raises(FailTest, match=r"^UserWarning not triggered$")
        with notTriggered, case.assertWarns(UserWarning):
            pass
