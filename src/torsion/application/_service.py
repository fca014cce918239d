# The service hierarchy: Service (the base class of every service),
# MultiService (a service that is also a collection of services), Process
# and Application (a Componentized object made of a MultiService and a
# Process), ServiceMaker (an IServiceMaker that imports its module lazily).
#
# Ordering
# --------
# A MultiService starts its children in the order they were added, each one
# synchronously (startService returns nothing to wait for), and stops them
# in the reverse order.  Stopping is concurrent, as in Twisted: each child's
# stopService is called in turn without waiting for the Deferred of the one
# before, and the MultiService's Deferred fires once all of them have.  So
# a child may not count on a later sibling being fully stopped before its
# own stopService is called; one that must wait for another should be its
# child instead, or wait for it explicitly.
#
# A child that fails to stop (stopService raises, or its Deferred fails)
# does not keep the others from stopping: the failure is logged, naming the
# service, and appears in the MultiService's result list, which is the
# result of a DeferredList, [(success, result), ...] in stopping order.
#
# Parents and names
# -----------------
# service.parent and the parent's children are kept consistent by
# setServiceParent/disownServiceParent, which call the parent's
# addService/removeService.  Names must be unique among siblings, and are
# fixed while a service has a parent (the parent indexes its children by
# name).
from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

from zope.interface import implementer

from torsion.application._iservice import IProcess, IService, IServiceCollection, IServiceMaker
from torsion.internet.defer import Deferred, DeferredList, maybeDeferred
from torsion.logger import Logger
from torsion.plugin import IPlugin
from torsion.python.components import Componentized
from torsion.python.failure import Failure


@implementer(IService)
class Service:
    """
    A service that does nothing but keep its state: the base class for
    services.

    Subclasses override L{startService} and L{stopService} (calling these
    versions, which keep L{running} up to date) to do their work.

    @ivar name: The name, or L{None}.
    @ivar running: Whether started and not stopped since.
    @ivar parent: The parent collection, or L{None}.
    """

    name: str | None = None
    running: bool = False
    parent: IServiceCollection | None = None

    def __getstate__(self) -> dict[str, Any]:
        """
        Pickle everything but L{running}: an unpickled service is stopped.

        @return: The instance's attributes, without C{running}.
        """
        state = self.__dict__.copy()
        state.pop("running", None)
        return state

    def setName(self, name: str) -> None:
        """
        Name the service.

        @param name: The name.
        @raise RuntimeError: If the service has a parent: leave it first
            (L{disownServiceParent}), rename, then join again.
        """
        if self.parent is not None:
            raise RuntimeError(
                f"cannot rename {self!r} to {name!r} while it has a parent; call "
                "disownServiceParent() first, then setName(), then setServiceParent()"
            )
        self.name = name

    def setServiceParent(self, parent: IServiceCollection | Componentized) -> None:
        """
        Make this service a child of C{parent}, leaving any former parent.

        @param parent: An L{IServiceCollection}, or something that adapts to
            one, such as an C{Application}.
        @raise RuntimeError: If C{parent} already has a child with this
            service's name; the service is then left without a parent.
        @raise TypeError: If C{parent} is not and does not adapt to an
            L{IServiceCollection}.
        """
        if self.parent is not None:
            self.disownServiceParent()
        collection = IServiceCollection(parent, None)
        if collection is None:
            raise TypeError(
                f"{self!r}.setServiceParent() needs an IServiceCollection (such as a "
                f"MultiService or an Application), not {parent!r}"
            )
        self.parent = collection
        try:
            collection.addService(self)
        except BaseException:
            self.parent = None
            raise

    def disownServiceParent(self) -> Deferred[Any] | None:
        """
        Leave the parent; a running parent stops this service.

        @return: What L{stopService} returned if the parent stopped this
            service, else L{None}.
        @raise RuntimeError: If the service has no parent.
        """
        parent = self.parent
        if parent is None:
            raise RuntimeError(
                f"{self!r} has no parent to leave; check service.parent before "
                "calling disownServiceParent()"
            )
        result = parent.removeService(self)
        self.parent = None
        return result

    def privilegedStartService(self) -> None:
        """
        Do nothing: override to do the privileged part of starting.
        """

    def startService(self) -> None:
        """
        Mark the service as running.
        """
        self.running = True

    def stopService(self) -> Deferred[Any] | None:
        """
        Mark the service as not running.

        @return: L{None}: there is nothing to wait for.
        """
        self.running = False
        return None

    def __repr__(self) -> str:
        if self.name is None:
            return f"<{type(self).__name__} at 0x{id(self):x}>"
        return f"<{type(self).__name__} {self.name!r}>"


@implementer(IServiceCollection)
class MultiService(Service):
    """
    A service made of child services, which start in the order they were
    added and stop in the reverse order.

    Stopping is concurrent: each child's C{stopService} is called in turn
    without waiting for the previous child to finish stopping, and the
    Deferred from L{stopService} fires once every child has.

    @ivar services: The children, in the order they were added.
    @ivar namedServices: The named children, by name.
    """

    _log = Logger()

    def __init__(self) -> None:
        self.services: list[IService] = []
        self.namedServices: dict[str, IService] = {}

    def privilegedStartService(self) -> None:
        """
        Call every child's C{privilegedStartService}, in order.
        """
        Service.privilegedStartService(self)
        for service in list(self):
            service.privilegedStartService()

    def startService(self) -> None:
        """
        Mark this service running, then start every child, in order.
        """
        Service.startService(self)
        for service in list(self):
            service.startService()

    def stopService(self) -> Deferred[list[tuple[bool, Any]]]:
        """
        Mark this service stopped, then stop every child, last added first.

        @return: A Deferred that fires once every child has stopped, with a
            list of C{(success, result)} pairs in stopping order (the result
            of a L{DeferredList}).  A child that fails to stop is logged and
            its pair holds C{False} and the failure.
        """
        Service.stopService(self)
        stopping = []
        for service in reversed(list(self)):
            d: Deferred[Any] = maybeDeferred(service.stopService)
            d.addErrback(self._stopFailed, service)
            stopping.append(d)
        return DeferredList(stopping, consumeErrors=True)

    def _stopFailed(self, failure: Failure, service: IService) -> Failure:
        self._log.failure("{service!r} failed to stop", failure, service=service)
        # Passed on to the DeferredList's result list, which consumes it.
        return failure

    def getServiceNamed(self, name: str) -> IService:
        """
        The child called C{name}.

        @param name: The child's name.
        @return: The child.
        @raise KeyError: If no child has that name.
        """
        return self.namedServices[name]

    def __iter__(self) -> Iterator[IService]:
        """
        @return: An iterator over the children, in the order they were added.
        """
        return iter(self.services)

    def addService(self, service: IService) -> None:
        """
        Add a child; if this service is running, start it (privileged part
        first).

        Call C{service.setServiceParent(multiService)} rather than this.

        @param service: The child.
        @raise RuntimeError: If another child has the same name.
        """
        name = service.name
        if name is not None:
            if name in self.namedServices:
                raise RuntimeError(
                    f"{self!r} already has a child named {name!r}: "
                    f"{self.namedServices[name]!r}; give {service!r} another name"
                )
            self.namedServices[name] = service
        self.services.append(service)
        if self.running:
            service.privilegedStartService()
            service.startService()

    def removeService(self, service: IService) -> Deferred[Any] | None:
        """
        Remove a child; if this service is running, stop it.

        Call C{service.disownServiceParent()} rather than this.

        @param service: The child.
        @return: What the child's C{stopService} returned if it was stopped,
            else L{None}.
        @raise ValueError: If C{service} is not a child of this service.
        """
        if not any(child is service for child in self.services):
            raise ValueError(f"{service!r} is not a child of {self!r}, so it cannot be removed")
        self.services = [child for child in self.services if child is not service]
        name = service.name
        if name is not None and self.namedServices.get(name) is service:
            del self.namedServices[name]
        if self.running:
            return service.stopService()
        return None


@implementer(IProcess)
class Process:
    """
    How the process should run: the user and group ids given, and its name
    left alone.

    @ivar processName: The name to show in C{ps}, or L{None}.
    @ivar uid: The user id to run as, or L{None}.
    @ivar gid: The group id to run as, or L{None}.
    """

    processName: str | None = None

    def __init__(self, uid: int | None = None, gid: int | None = None) -> None:
        """
        @param uid: The user id to run as; L{None} leaves it alone.
        @param gid: The group id to run as; L{None} leaves it alone.
        """
        self.uid = uid
        self.gid = gid


def Application(name: str, uid: int | None = None, gid: int | None = None) -> Componentized:
    """
    Make the root of an application's services.

    The result is adapted to what is needed: C{IService(application)} and
    C{IServiceCollection(application)} are its L{MultiService}, named
    C{name}; C{IProcess(application)} is its L{Process}.  Services join it
    with C{service.setServiceParent(application)}.

    Unlike Twisted's, it is not persistable: there is no C{IPersistable}
    component, and nothing saves or loads applications.

    @param name: The application's (and its MultiService's) name.
    @param uid: The user id the process should run as, or L{None}.
    @param gid: The group id the process should run as, or L{None}.
    @return: The application.
    """
    application = Componentized()
    services = MultiService()
    services.setName(name)
    application.addComponent(services, ignoreClass=True)
    application.addComponent(Process(uid, gid), ignoreClass=True)
    return application


@implementer(IServiceMaker, IPlugin)
class ServiceMaker:
    """
    An L{IServiceMaker} whose options and service come from a module that is
    imported only when they are needed.

    The module defines C{Options} (the options class) and C{makeService}
    (called with the parsed options), so that listing the subcommands of
    the C{torsion} command does not import every plugin's code.

    @ivar name: A human-readable name.
    @ivar module: The dotted name of the module.
    @ivar description: The one-line summary.
    @ivar tapname: The subcommand's name.
    """

    def __init__(self, name: str, module: str, description: str, tapname: str) -> None:
        """
        @param name: A human-readable name, such as C{"torsion Web"}.
        @param module: The dotted name of the module defining C{Options} and
            C{makeService}.
        @param description: The one-line summary.
        @param tapname: The subcommand's name.
        """
        self.name = name
        self.module = module
        self.description = description
        self.tapname = tapname

    def _load(self, attribute: str) -> Any:
        module = importlib.import_module(self.module)
        try:
            return getattr(module, attribute)
        except AttributeError:
            raise AttributeError(
                f"module {self.module!r} of the {self.tapname!r} service maker defines no "
                f"{attribute!r}; it must define both Options and makeService"
            ) from None

    @property
    def options(self) -> Any:
        """
        The module's C{Options} class (importing the module).
        """
        return self._load("Options")

    def makeService(self, options: Any) -> IService:
        """
        Call the module's C{makeService} (importing the module).

        @param options: The parsed options.
        @return: The service it makes.
        """
        service: IService = self._load("makeService")(options)
        return service


__all__ = ["Application", "MultiService", "Process", "Service", "ServiceMaker"]
