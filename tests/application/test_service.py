"""
Tests for L{torsion.application.service}: Service, MultiService (start
order, reverse stop order, waiting for every child), Application, Process
and ServiceMaker.
"""

from __future__ import annotations

import pickle
import sys
import types
from collections.abc import Iterator
from typing import Any

import pytest
from zope.interface import implementer
from zope.interface.verify import verifyClass, verifyObject

from tests.helpers import assertNoResult, resultOf
from torsion.application import service
from torsion.application.service import (
    Application,
    IProcess,
    IService,
    IServiceCollection,
    IServiceMaker,
    MultiService,
    Process,
    Service,
    ServiceMaker,
)
from torsion.internet.defer import Deferred, succeed
from torsion.logger import LogEvent
from torsion.python.components import Componentized
from torsion.python.failure import Failure


class Recording(Service):
    """
    A service that records its calls in a shared journal, and whose
    stopService returns the Deferred it is given.
    """

    def __init__(
        self, name: str, journal: list[str], stopping: Deferred[Any] | None = None
    ) -> None:
        self.setName(name)
        self.journal = journal
        self.stopping = stopping

    def privilegedStartService(self) -> None:
        self.journal.append(f"privileged {self.name}")
        Service.privilegedStartService(self)

    def startService(self) -> None:
        self.journal.append(f"start {self.name}")
        Service.startService(self)

    def stopService(self) -> Deferred[Any] | None:
        self.journal.append(f"stop {self.name}")
        Service.stopService(self)
        return self.stopping


class Broken(Service):
    """
    A service whose stopService raises.
    """

    def stopService(self) -> Deferred[Any] | None:
        Service.stopService(self)
        raise ZeroDivisionError("cannot stop")


def test_exports() -> None:
    """
    The module exports Twisted's names (but loadApplication, which needs
    persistence), each defined once and claimed by the public module.
    """
    assert sorted(service.__all__) == [
        "Application",
        "IProcess",
        "IService",
        "IServiceCollection",
        "IServiceMaker",
        "MultiService",
        "Process",
        "Service",
        "ServiceMaker",
    ]
    for name in ["Service", "MultiService", "Process", "ServiceMaker", "Application"]:
        assert getattr(service, name).__module__ == "torsion.application.service", name


def test_interfacesVerified() -> None:
    """
    The classes provide their interfaces as zope.interface verifies them.
    """
    assert verifyClass(IService, Service)
    assert verifyObject(IService, Service())
    assert verifyObject(IService, MultiService())
    assert verifyObject(IServiceCollection, MultiService())
    assert verifyObject(IProcess, Process())


class ServiceTests:
    """
    Tests for L{Service}.
    """

    def test_startStop(self) -> None:
        """
        startService marks it running, stopService marks it stopped and
        returns None: nothing to wait for.
        """
        s = Service()
        assert not s.running
        s.privilegedStartService()
        assert not s.running
        s.startService()
        assert s.running
        assert s.stopService() is None
        assert not s.running

    def test_setName(self) -> None:
        """
        setName names a service without a parent.
        """
        s = Service()
        assert s.name is None
        s.setName("web")
        assert s.name == "web"
        assert repr(s) == "<Service 'web'>"

    def test_setNameWithParent(self) -> None:
        """
        A service with a parent cannot be renamed: RuntimeError says how to
        do it.
        """
        s = Service()
        s.setServiceParent(MultiService())
        with pytest.raises(RuntimeError, match=r"^cannot rename .* to 'x' while it has a parent"):
            s.setName("x")

    def test_setServiceParent(self) -> None:
        """
        setServiceParent sets parent and adds the service to the parent.
        """
        parent = MultiService()
        s = Service()
        s.setName("a")
        s.setServiceParent(parent)
        assert s.parent is parent
        assert list(parent) == [s]
        assert parent.getServiceNamed("a") is s

    def test_setServiceParentMoves(self) -> None:
        """
        Setting another parent leaves the first one.
        """
        first, second = MultiService(), MultiService()
        s = Service()
        s.setServiceParent(first)
        s.setServiceParent(second)
        assert list(first) == []
        assert list(second) == [s]
        assert s.parent is second

    def test_setServiceParentNameClash(self) -> None:
        """
        Joining a parent that has a child of the same name raises
        RuntimeError and leaves the service without a parent.
        """
        parent = MultiService()
        a, b = Service(), Service()
        a.setName("same")
        b.setName("same")
        a.setServiceParent(parent)
        with pytest.raises(RuntimeError, match=r"already has a child named 'same'"):
            b.setServiceParent(parent)
        assert b.parent is None
        assert list(parent) == [a]

    def test_setServiceParentNotACollection(self) -> None:
        """
        A parent that is not an IServiceCollection is refused with
        TypeError.
        """
        with pytest.raises(TypeError, match=r"needs an IServiceCollection .* not 3$"):
            Service().setServiceParent(3)  # type: ignore[arg-type]

    def test_disownServiceParent(self) -> None:
        """
        disownServiceParent removes the service from its parent and clears
        parent; with a stopped parent there is nothing to wait for.
        """
        parent = MultiService()
        s = Service()
        s.setServiceParent(parent)
        assert s.disownServiceParent() is None
        assert s.parent is None
        assert list(parent) == []

    def test_disownRunningParent(self) -> None:
        """
        Leaving a running parent stops the service and returns its
        stopService result.
        """
        journal: list[str] = []
        stopping: Deferred[None] = Deferred()
        parent = MultiService()
        s = Recording("a", journal, stopping)
        s.setServiceParent(parent)
        parent.startService()
        assert s.disownServiceParent() is stopping
        assert journal == ["start a", "stop a"]
        assert not s.running

    def test_disownWithoutParent(self) -> None:
        """
        disownServiceParent without a parent raises RuntimeError.
        """
        with pytest.raises(RuntimeError, match=r"has no parent to leave"):
            Service().disownServiceParent()

    def test_pickleDropsRunning(self) -> None:
        """
        A pickled running service comes back not running, with its name.
        """
        s = Service()
        s.setName("p")
        s.startService()
        copy = pickle.loads(pickle.dumps(s))
        assert copy.name == "p"
        assert not copy.running


class MultiServiceTests:
    """
    Tests for L{MultiService}.
    """

    def test_startInOrder(self) -> None:
        """
        Children get privilegedStartService, then startService, in the order
        they were added.
        """
        journal: list[str] = []
        parent = MultiService()
        for name in "abc":
            Recording(name, journal).setServiceParent(parent)
        parent.privilegedStartService()
        parent.startService()
        assert journal == [
            "privileged a",
            "privileged b",
            "privileged c",
            "start a",
            "start b",
            "start c",
        ]
        assert parent.running
        assert all(child.running for child in parent)

    def test_stopInReverseAndWait(self) -> None:
        """
        Children stop last-added first, all at once (each stopService is
        called without waiting for the previous one's Deferred), and the
        MultiService's Deferred fires only once every child's has, with the
        DeferredList result in stopping order.
        """
        journal: list[str] = []
        waits: list[Deferred[Any]] = [Deferred(), Deferred()]
        parent = MultiService()
        Recording("a", journal, waits[0]).setServiceParent(parent)
        Recording("b", journal).setServiceParent(parent)
        Recording("c", journal, waits[1]).setServiceParent(parent)
        parent.startService()
        del journal[:]
        stopped = parent.stopService()
        assert journal == ["stop c", "stop b", "stop a"]
        assert not parent.running
        assertNoResult(stopped)
        waits[1].callback("c done")
        assertNoResult(stopped)
        waits[0].callback("a done")
        assert resultOf(stopped) == [(True, "c done"), (True, None), (True, "a done")]

    def test_stopFailureLoggedOthersStopped(self, loggedFailures: list[LogEvent]) -> None:
        """
        A child that fails to stop (raising, or failing its Deferred) does
        not keep the others from stopping; the failure is logged naming the
        child, and reported in the result.
        """
        journal: list[str] = []
        parent = MultiService()
        Recording("a", journal).setServiceParent(parent)
        broken = Broken()
        broken.setName("broken")
        broken.setServiceParent(parent)
        failing: Deferred[None] = Deferred()
        Recording("c", journal, failing).setServiceParent(parent)
        parent.startService()
        stopped = parent.stopService()
        failing.errback(Failure(KeyError("late")))
        results = resultOf(stopped)
        assert [ok for ok, _ in results] == [False, False, True]
        assert results[0][1].check(KeyError)
        assert results[1][1].check(ZeroDivisionError)
        assert journal == ["start a", "start c", "stop c", "stop a"]
        assert [event["service"] for event in loggedFailures] == [broken, parent.services[2]]
        assert "failed to stop" in loggedFailures[0]["log_format"]

    def test_addWhileRunning(self) -> None:
        """
        A child added to a running MultiService is started at once,
        privileged part first.
        """
        journal: list[str] = []
        parent = MultiService()
        parent.startService()
        Recording("late", journal).setServiceParent(parent)
        assert journal == ["privileged late", "start late"]

    def test_removeWhileStopped(self) -> None:
        """
        Removing a child from a stopped MultiService does not stop it, and
        forgets its name.
        """
        journal: list[str] = []
        parent = MultiService()
        child = Recording("a", journal)
        child.setServiceParent(parent)
        assert parent.removeService(child) is None
        assert journal == []
        with pytest.raises(KeyError):
            parent.getServiceNamed("a")

    def test_removeNotAChild(self) -> None:
        """
        Removing a service that is not a child raises ValueError naming it.
        """
        s = Service()
        s.setName("stranger")
        with pytest.raises(ValueError, match=r"^<Service 'stranger'> is not a child of"):
            MultiService().removeService(s)

    def test_getServiceNamedMissing(self) -> None:
        """
        getServiceNamed raises KeyError for an unknown name.
        """
        with pytest.raises(KeyError):
            MultiService().getServiceNamed("nobody")

    def test_unnamedChildren(self) -> None:
        """
        Unnamed children are kept and iterated in order, but not indexed.
        """
        parent = MultiService()
        children = [Service(), Service()]
        for child in children:
            child.setServiceParent(parent)
        assert list(parent) == children
        assert parent.namedServices == {}

    def test_nested(self) -> None:
        """
        A MultiService inside another starts and stops with it, its own
        children in their places in the order.
        """
        journal: list[str] = []
        root = MultiService()
        Recording("a", journal).setServiceParent(root)
        inner = MultiService()
        inner.setServiceParent(root)
        Recording("b", journal).setServiceParent(inner)
        Recording("c", journal).setServiceParent(inner)
        Recording("d", journal).setServiceParent(root)
        root.startService()
        stopped = root.stopService()
        assert journal == [
            "start a",
            "start b",
            "start c",
            "start d",
            "stop d",
            "stop c",
            "stop b",
            "stop a",
        ]
        assert [ok for ok, _ in resultOf(stopped)] == [True, True, True]

    def test_stopEmpty(self) -> None:
        """
        Stopping a MultiService without children fires at once with [].
        """
        parent = MultiService()
        parent.startService()
        assert resultOf(parent.stopService()) == []


class ApplicationTests:
    """
    Tests for L{Application}.
    """

    def test_adaptations(self) -> None:
        """
        An Application adapts to its MultiService (as IService and as
        IServiceCollection), named after it, and to its Process.
        """
        application = Application("app", uid=1000, gid=100)
        assert isinstance(application, Componentized)
        top = IService(application)
        assert isinstance(top, MultiService)
        assert IServiceCollection(application) is top
        assert top.name == "app"
        process = IProcess(application)
        assert (process.uid, process.gid, process.processName) == (1000, 100, None)

    def test_servicesJoin(self) -> None:
        """
        Services join an Application with setServiceParent(application);
        starting and stopping its IService runs them.
        """
        journal: list[str] = []
        application = Application("app")
        child = Recording("child", journal)
        child.setServiceParent(application)
        assert child.parent is IServiceCollection(application)
        top = IService(application)
        top.startService()
        stopped = top.stopService()
        assert stopped is not None
        assert journal == ["start child", "stop child"]
        assert [ok for ok, _ in resultOf(stopped)] == [True]

    def test_processDefaults(self) -> None:
        """
        Without uid and gid, the Process leaves them alone.
        """
        process = IProcess(Application("app"))
        assert (process.uid, process.gid) == (None, None)


@pytest.fixture
def makerModule() -> Iterator[str]:
    """
    The name of a module, importable for the test, defining Options and
    makeService.
    """
    name = "tests.application._fakeplugin"
    module = types.ModuleType(name)

    class Options(dict[str, Any]):
        pass

    def makeService(options: Any) -> Service:
        made = Service()
        made.setName(options["name"])
        return made

    vars(module).update(Options=Options, makeService=makeService)
    sys.modules[name] = module
    yield name
    del sys.modules[name]


class ServiceMakerTests:
    """
    Tests for L{ServiceMaker}.
    """

    def test_lazyModule(self, makerModule: str) -> None:
        """
        options and makeService come from the module, imported when asked.
        """
        maker = ServiceMaker("Fake", makerModule, "does nothing", "fake")
        assert (maker.name, maker.tapname, maker.description) == ("Fake", "fake", "does nothing")
        assert maker.options is sys.modules[makerModule].Options
        made = maker.makeService({"name": "made"})
        assert made.name == "made"
        assert verifyObject(IServiceMaker, maker)

    def test_missingAttribute(self, makerModule: str) -> None:
        """
        A module without makeService gives an AttributeError saying what it
        must define.
        """
        del sys.modules[makerModule].makeService
        maker = ServiceMaker("Fake", makerModule, "d", "fake")
        with pytest.raises(AttributeError, match=r"defines no 'makeService'; it must define"):
            maker.makeService({})

    def test_customMaker(self) -> None:
        """
        Any object with the four members provides IServiceMaker.
        """

        @implementer(IServiceMaker)
        class Maker:
            tapname = "echo"
            description = "an echo server"
            options = dict

            def makeService(self, options: Any) -> IService:
                return Service()

        assert verifyObject(IServiceMaker, Maker())
        assert isinstance(Maker().makeService({}), Service)


def test_stopServiceResultMaybeDeferred() -> None:
    """
    A child whose stopService returns an already-fired Deferred counts as
    stopped at once.
    """
    journal: list[str] = []
    parent = MultiService()
    Recording("a", journal, succeed("ok")).setServiceParent(parent)
    parent.startService()
    assert resultOf(parent.stopService()) == [(True, "ok")]
