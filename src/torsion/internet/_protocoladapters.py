# Adapters between IProtocol and IConsumer, so that IConsumer(protocol) and
# IProtocol(consumer) work: a protocol can be the sink of a producer, and a
# consumer can receive a connection's bytes.
#
# zope.interface calls each function in its adapter_hooks list when an
# object does not provide the interface it is being adapted to.  We keep our
# adapters in a private AdapterRegistry and add one hook that looks there.
# The hook only runs for adaptations that would otherwise fail, so it costs
# nothing on the hot paths.
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from zope.interface import implementer, providedBy
from zope.interface.adapter import AdapterRegistry
from zope.interface.interface import InterfaceClass, adapter_hooks

from torsion.internet._itransport import IConsumer, IProducer, IProtocol, ITransport
from torsion.python.failure import Failure


@implementer(IConsumer)
class ProtocolToConsumerAdapter:
    """
    Lets a protocol be written to as an L{IConsumer}: each C{write} is
    delivered to its C{dataReceived}.

    Obtained with C{IConsumer(protocol)}.

    @ivar original: The protocol.
    """

    def __init__(self, original: IProtocol) -> None:
        """
        @param original: The protocol to deliver written bytes to.
        """
        self.original = original

    def write(self, data: bytes) -> None:
        """
        Pass C{data} to the protocol's C{dataReceived}.

        @param data: The bytes.
        """
        self.original.dataReceived(data)

    def registerProducer(self, producer: IProducer, streaming: bool) -> None:
        """
        Accept a producer; the protocol never pushes back, so nothing is done.

        @param producer: The producer.
        @param streaming: Whether it is a push producer.
        """

    def unregisterProducer(self) -> None:
        """
        Forget the producer (nothing to do).
        """


@implementer(IProtocol)
class ConsumerToProtocolAdapter:
    """
    Lets a consumer act as a protocol: the bytes a connection receives are
    written to it.

    Obtained with C{IProtocol(consumer)}.

    @ivar original: The consumer.
    """

    def __init__(self, original: IConsumer) -> None:
        """
        @param original: The consumer to write received bytes to.
        """
        self.original = original

    def dataReceived(self, data: bytes) -> None:
        """
        Write C{data} to the consumer.

        @param data: The bytes.
        """
        self.original.write(data)

    def connectionLost(self, reason: Failure) -> None:
        """
        Ignore the end of the connection.

        @param reason: Why it closed.
        """

    def makeConnection(self, transport: ITransport) -> None:
        """
        Ignore the transport: the consumer only receives bytes.

        @param transport: The transport.
        """

    def connectionMade(self) -> None:
        """
        Nothing to do when the connection is made.
        """


_registry = AdapterRegistry()
_registry.register([IProtocol], IConsumer, "", ProtocolToConsumerAdapter)
_registry.register([IConsumer], IProtocol, "", ConsumerToProtocolAdapter)
# zope.interface builds the registry's lookup methods at run time; the type
# checker cannot see them.
_lookup: Callable[..., Any] = _registry.lookup  # type: ignore[attr-defined]


def _adapt(interface: InterfaceClass, obj: object) -> object:
    """
    The adapter hook: adapt C{obj} to C{interface} if we know how, else give
    L{None} so that other hooks are tried.
    """
    factory = _lookup((providedBy(obj),), interface, "")
    if factory is None:
        return None
    return factory(obj)


adapter_hooks.append(_adapt)

__all__ = ["ConsumerToProtocolAdapter", "ProtocolToConsumerAdapter"]
