"""
Tests for L{torsion.web.iweb}: the web interfaces are complete, annotated
and usable.
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import pytest
from zope.interface import implementer
from zope.interface.interface import InterfaceClass, Method
from zope.interface.verify import verifyObject

from torsion.internet.defer import Deferred, succeed
from torsion.internet.interfaces import IConsumer, IPushProducer
from torsion.web import iweb, resource
from torsion.web.iweb import (
    UNKNOWN_LENGTH,
    IBodyProducer,
    IRequest,
    IResource,
)

SOURCE = Path(iweb.__file__)

# Names our IRequest adds to Twisted's: the Deferred every resource that
# renders with NOT_DONE_YET uses (Twisted's Request has it, its interface
# does not).
ADDED_TO_IREQUEST = {"notifyFinish"}


class InterfaceTests:
    """
    The module's interfaces.
    """

    def test_exports(self) -> None:
        """
        Every exported name but C{UNKNOWN_LENGTH} is an interface.
        """
        for name in iweb.__all__:
            value = getattr(iweb, name)
            if name == "UNKNOWN_LENGTH":
                assert value is UNKNOWN_LENGTH == "torsion.web.iweb.UNKNOWN_LENGTH"
            else:
                assert isinstance(value, InterfaceClass), name
                assert value.__doc__, name

    def test_resourceReexported(self) -> None:
        """
        L{IResource} is importable from C{torsion.web.resource}, as in
        Twisted.
        """
        assert resource.IResource is IResource

    def test_bodyProducerIsPushProducer(self) -> None:
        """
        An L{IBodyProducer} is an L{IPushProducer}.
        """
        assert IBodyProducer.extends(IPushProducer)

    def test_requestNames(self) -> None:
        """
        L{IRequest} documents the attributes and methods a resource uses.
        """
        names = set(IRequest.names())
        assert {
            "method",
            "uri",
            "path",
            "args",
            "prepath",
            "postpath",
            "requestHeaders",
            "responseHeaders",
            "content",
            "getHeader",
            "getCookie",
            "getAllHeaders",
            "getRequestHostname",
            "getHost",
            "getClientAddress",
            "getClientIP",
            "getUser",
            "getPassword",
            "isSecure",
            "getSession",
            "URLPath",
            "prePathURL",
            "rememberRootURL",
            "getRootURL",
            "finish",
            "write",
            "addCookie",
            "setResponseCode",
            "setHeader",
            "redirect",
            "setLastModified",
            "setETag",
            "setHost",
            "notifyFinish",
        } <= names

    def test_everyMemberDocumented(self) -> None:
        """
        Every attribute and method of every interface has a docstring.
        """
        for name in iweb.__all__:
            interface = getattr(iweb, name)
            if not isinstance(interface, InterfaceClass):
                continue
            for member in interface.names():
                assert interface[member].__doc__, f"{name}.{member}"

    def test_fullyAnnotated(self) -> None:
        """
        Every interface method annotates its parameters and return.
        """
        tree = ast.parse(SOURCE.read_text())
        checked = 0
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                for item in node.body:
                    if isinstance(item, ast.FunctionDef):
                        checked += 1
                        where = f"{node.name}.{item.name}"
                        assert item.returns is not None, where
                        for argument in item.args.args + item.args.kwonlyargs:
                            assert argument.annotation is not None, f"{where}({argument.arg})"
        assert checked > 40

    def test_twistedNames(self) -> None:
        """
        Every interface of Twisted's C{twisted.web.iweb} (but the private
        encoder ones) exists here with at least Twisted's members.
        """
        if importlib.util.find_spec("twisted") is None:
            pytest.skip("Twisted is not installed")
        import twisted.web.iweb as theirs

        for name in dir(theirs):
            value = getattr(theirs, name)
            if name.startswith("_") or not isinstance(value, InterfaceClass):
                continue
            if value.__module__ != "twisted.web.iweb":
                continue
            ours = getattr(iweb, name)
            assert set(value.names()) <= set(ours.names()), name
        assert set(IRequest.names()) - set(theirs.IRequest.names()) == ADDED_TO_IREQUEST


@implementer(IBodyProducer)
class BytesProducer:
    """
    An L{IBodyProducer} that writes one byte string at once.
    """

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.length = len(body)

    def startProducing(self, consumer: IConsumer) -> Deferred[None]:
        consumer.write(self.body)
        return succeed(None)

    def pauseProducing(self) -> None:
        pass

    def resumeProducing(self) -> None:
        pass

    def stopProducing(self) -> None:
        pass


@implementer(IConsumer)
class Collect:
    """
    A consumer that keeps what it is given.
    """

    def __init__(self) -> None:
        self.data: list[bytes] = []

    def registerProducer(self, producer: object, streaming: bool) -> None:
        pass

    def unregisterProducer(self) -> None:
        pass

    def write(self, data: bytes) -> None:
        self.data.append(data)


def test_bodyProducerContract() -> None:
    """
    A small body producer verifies against L{IBodyProducer} and writes its
    body when started.
    """
    producer = BytesProducer(b"payload")
    assert verifyObject(IBodyProducer, producer)
    assert producer.length == 7
    consumer = Collect()
    done: list[None] = []
    producer.startProducing(consumer).addCallback(done.append)
    assert consumer.data == [b"payload"]
    assert done == [None]


def test_methodsAreMethods() -> None:
    """
    Interface methods are zope methods (the overloads of C{getHeader}
    leave one method behind).
    """
    assert isinstance(IRequest["getHeader"], Method)
    signature = IRequest["getHeader"].getSignatureString()  # type: ignore[no-untyped-call]
    assert signature == "(key)"
