# The interfaces of the service hierarchy: IService (something that starts
# and stops), IServiceCollection (a service's parent, which starts and stops
# its children), IProcess (how the process should run: name, user, group)
# and IServiceMaker (what a plugin gives the `torsion` command to build a
# service from command-line options).  torsion.application.service
# re-exports them with the classes that implement them (_service.py).
#
# The call order for a service, driven by its parent or by the program that
# runs the application:
#
#   setServiceParent? privilegedStartService? startService
#       stopService (startService stopService)* disownServiceParent?
#
# privilegedStartService runs before the process gives up root privileges
# (so it is the place to bind ports below 1024); startService runs after.
from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from zope.interface import Attribute, Interface

if TYPE_CHECKING:
    from torsion.internet.defer import Deferred
    from torsion.python.components import Componentized


class IService(Interface):
    """
    Something that runs between a start and a stop: a server, a client, a
    timer, a group of services.

    Calls: C{privilegedStartService}? C{startService} C{stopService}, the
    pair C{startService}/C{stopService} possibly repeated.
    """

    name = Attribute("The service's name (a C{str}), or L{None}.")

    running = Attribute("Whether the service has been started and not stopped since.")

    parent = Attribute("The L{IServiceCollection} this service belongs to, or L{None}.")

    def setName(name: str) -> None:
        """
        Name the service, so that its parent can find it by that name.

        @param name: The name.
        @raise RuntimeError: If the service already has a parent.
        """

    def setServiceParent(parent: IServiceCollection | Componentized) -> None:
        """
        Make this service a child of C{parent}, leaving its former parent
        first; sets C{parent} and adds the service to it.

        @param parent: An L{IServiceCollection}, or something that adapts to
            one (an C{Application}).
        @raise RuntimeError: If C{parent} already has a child with this
            service's name.
        """

    def disownServiceParent() -> Deferred[Any] | None:
        """
        Leave the parent: remove this service from it and set C{parent} to
        L{None}.  A running parent stops the service.

        @return: What the service's C{stopService} returned if it was
            stopped (a Deferred that fires once it has stopped), else L{None}.
        """

    def privilegedStartService() -> None:
        """
        Do the part of starting that needs the privileges the process starts
        with (such as binding a port below 1024), before it gives them up.
        """

    def startService() -> None:
        """
        Start the service.
        """

    def stopService() -> Deferred[Any] | None:
        """
        Stop the service.

        @return: A Deferred that fires once the service has stopped, or
            L{None} if it stops at once.
        """


class IServiceCollection(Interface):
    """
    A service's parent: it holds child services, starts them when it starts
    and stops them when it stops, and finds the named ones by name.
    """

    def getServiceNamed(name: str) -> IService:
        """
        The child service called C{name}.

        @param name: The child's name.
        @return: The child.
        @raise KeyError: If no child has that name.
        """

    def __iter__() -> Iterator[IService]:
        """
        @return: An iterator over the children, in the order they were added.
        """

    def addService(service: IService) -> None:
        """
        Add a child; a running collection starts it at once.

        Only C{IService.setServiceParent} should call this.

        @param service: The child.
        @raise RuntimeError: If another child has the same name.
        """

    def removeService(service: IService) -> Deferred[Any] | None:
        """
        Remove a child; a running collection stops it.

        Only C{IService.disownServiceParent} should call this.

        @param service: The child.
        @return: What the child's C{stopService} returned if it was stopped,
            else L{None}.
        @raise ValueError: If C{service} is not a child.
        """


class IProcess(Interface):
    """
    How the process that runs an application should run.
    """

    processName = Attribute("The name to show in C{ps} (a C{str}), or L{None} to leave it.")

    uid = Attribute("The user id (an C{int}) to run as, or L{None} to leave it.")

    gid = Attribute("The group id (an C{int}) to run as, or L{None} to leave it.")


class IServiceMaker(Interface):
    """
    What a plugin provides to make a service from command-line options: it
    becomes a subcommand of the C{torsion} command (C{torsion web ...}).
    """

    tapname = Attribute("The subcommand's name, short and lower-case, such as C{'web'}.")

    description = Attribute("A one-line summary of what the service does, for C{--help}.")

    options = Attribute(
        "The class of the subcommand's options (a C{usage.Options} subclass); "
        "instantiated and parsed before L{makeService} is called."
    )

    def makeService(options: Any) -> IService:
        """
        Make the service the options describe.

        @param options: The parsed options: an instance of L{options}, or
            any mapping from option names to values.
        @return: The service, not yet started.
        """


__all__ = ["IProcess", "IService", "IServiceCollection", "IServiceMaker"]
