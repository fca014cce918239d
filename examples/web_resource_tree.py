"""
A small web site as a tree of resources, rendered without a server.

The tree:

    /                the front page (the root's child b"")
    /hello/<name>    a greeting computed from the path segment (getChild)
    /guestbook       GET lists the names, POST adds one (render_POST)
    /old             a redirect to /hello/world (util.Redirect)
    /private         403 Forbidden (ForbiddenResource)
    /slow            answers one simulated second later (NOT_DONE_YET)

Anything else is a 404 page, and a method a resource has no render_<METHOD>
for is a 405 page with an Allow header.

torsion.web.testing.DummyRequest stands in for the HTTP server: fetch()
walks the tree with getChildForRequest, as the server will, and renders the
resource it reaches.  Time is a torsion.internet.task.Clock, so the slow
page answers when the program advances the clock, not after a real second.

Run: python examples/web_resource_tree.py
"""

from __future__ import annotations

from html import escape

from torsion.internet.interfaces import IReactorTime
from torsion.internet.task import Clock
from torsion.web._notdone import NOT_DONE_YET
from torsion.web.iweb import IRequest, IResource
from torsion.web.resource import ForbiddenResource, Resource, getChildForRequest
from torsion.web.testing import DummyRequest
from torsion.web.util import Redirect


class Home(Resource):
    """
    The front page.
    """

    def render_GET(self, request: IRequest) -> bytes:
        request.setHeader(b"content-type", b"text/plain; charset=utf-8")
        return b"Welcome! Try /hello/alice or /guestbook."


class Greeting(Resource):
    """
    A greeting for one name.  The name comes from the URL, so it is escaped
    before it goes into HTML.
    """

    isLeaf = True

    def __init__(self, name: bytes) -> None:
        super().__init__()
        self.name = name.decode("utf-8", "replace")

    def render_GET(self, request: IRequest) -> bytes:
        return f"<p>Hello, {escape(self.name)}!</p>".encode()


class Greeter(Resource):
    """
    /hello/<name>: each name is a child made on demand.
    """

    def getChild(self, path: bytes, request: IRequest) -> IResource:
        if path == b"":
            return Redirect(b"/hello/world")
        return Greeting(path)


class Guestbook(Resource):
    """
    GET lists the names signed so far; POST signs with the C{name} argument.
    """

    def __init__(self) -> None:
        super().__init__()
        self.names: list[bytes] = []

    def render_GET(self, request: IRequest) -> bytes:
        return b"Signed by: " + (b", ".join(self.names) or b"nobody yet")

    def render_POST(self, request: IRequest) -> bytes:
        names: list[bytes] | None = request.args.get(b"name")
        if not names:
            request.setResponseCode(400)
            return b"POST a name argument to sign."
        self.names.append(names[0])
        request.setResponseCode(201)
        return b"Thanks, " + names[0] + b"."


class Slow(Resource):
    """
    Answers after C{delay} seconds: render_GET returns NOT_DONE_YET, and a
    timer writes the body and finishes the request.  If the client goes
    away first, the timer is cancelled.
    """

    def __init__(self, clock: IReactorTime, delay: float = 1.0) -> None:
        super().__init__()
        self.clock = clock
        self.delay = delay

    def render_GET(self, request: IRequest) -> int:
        def answer() -> None:
            request.write(b"Sorry for the wait.")
            request.finish()

        call = self.clock.callLater(self.delay, answer)
        request.notifyFinish().addErrback(lambda reason: call.cancel())
        return NOT_DONE_YET


def build(clock: IReactorTime) -> Resource:
    """
    Build the site's tree.
    """
    root = Resource()
    root.putChild(b"", Home())
    root.putChild(b"hello", Greeter())
    root.putChild(b"guestbook", Guestbook())
    root.putChild(b"old", Redirect(b"/hello/world"))
    root.putChild(b"private", ForbiddenResource())
    root.putChild(b"slow", Slow(clock))
    return root


def fetch(
    root: IResource,
    path: bytes,
    method: bytes = b"GET",
    args: dict[bytes, list[bytes]] | None = None,
) -> DummyRequest:
    """
    Answer one request for C{path} (such as C{b"/hello/alice"}) as the
    server would: find the resource, then render it.
    """
    request = DummyRequest(path[1:].split(b"/"))
    request.method = method
    request.uri = request.path = path
    request.args = args or {}
    request.render(getChildForRequest(root, request))
    return request


def show(request: DummyRequest) -> str:
    """
    One line describing the response to C{request}.
    """
    asked = f"{request.method.decode()} {request.uri.decode()}"
    if not request.finished:
        return f"{asked} -> still waiting"
    code = request.responseCode or 200
    body = b"".join(request.written)
    location = request.responseHeaders.getRawHeaders(b"location")
    allow = request.responseHeaders.getRawHeaders(b"allow")
    if location:
        detail = f"Location: {location[0].decode()}"
    elif allow:
        detail = f"Allow: {allow[0].decode()}"
    elif b"<h1>" in body:
        detail = body.split(b"<h1>")[1].split(b"</h1>")[0].decode()
    else:
        detail = body.decode()
    return f"{asked} -> {code} {detail}"


def main() -> None:
    clock = Clock()
    root = build(clock)
    for method, path, args in [
        (b"GET", b"/", None),
        (b"GET", b"/hello/alice", None),
        (b"GET", b"/hello/<script>", None),
        (b"GET", b"/hello/", None),
        (b"GET", b"/guestbook", None),
        (b"POST", b"/guestbook", {b"name": [b"bob"]}),
        (b"POST", b"/guestbook", None),
        (b"GET", b"/guestbook", None),
        (b"DELETE", b"/guestbook", None),
        (b"GET", b"/old", None),
        (b"GET", b"/private/files", None),
        (b"GET", b"/nowhere", None),
    ]:
        print(show(fetch(root, path, method, args)))

    slow = fetch(root, b"/slow")
    print(show(slow))
    clock.advance(1)
    print(f"a second later: {show(slow)}")

    gone = fetch(root, b"/slow")
    gone.connectionLost()
    print(f"client gone, timers left: {len(clock.getDelayedCalls())}")


if __name__ == "__main__":
    main()
