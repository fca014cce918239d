"""
Virtual hosting: one server answering for several host names.

L{NameVirtualHost} picks a resource tree by the request's I{Host} header;
L{VHostMonsterResource} lets a site behind a reverse proxy build its URLs
with the proxy's public host and scheme.  See C{docs/web-proxy-vhost.md}.
"""

from __future__ import annotations

from typing import Any

from torsion.python._publish import publish as _publish
from torsion.web._resource import NoResource, Resource, getChildForRequest
from torsion.web.iweb import IRequest, IResource


def _hostName(host: bytes) -> bytes:
    """
    The name part of a I{Host} value, lowercased: without its port, and
    with an IPv6 literal kept whole (C{b"[::1]:80"} gives C{b"[::1]"}).
    """
    host = host.strip().lower()
    if host.startswith(b"["):
        end = host.find(b"]")
        return host[: end + 1] if end >= 0 else host
    return host.split(b":", 1)[0]


class NameVirtualHost(Resource):
    """
    A resource that hands each request to the tree registered for its
    I{Host} header (the port and the letter case do not matter).

    A request for a host that was not added, or without a I{Host} header
    (HTTP/1.0), goes to L{default}, or gets a 404 page when there is none.

    @ivar hosts: The trees, by lowercased host name.
    @ivar default: The tree for unknown hosts, or L{None}.
    """

    def __init__(self) -> None:
        super().__init__()
        self.hosts: dict[bytes, IResource] = {}
        self.default: IResource | None = None

    def listStaticEntities(self) -> list[tuple[Any, Any]]:
        """
        The registered children, then the hosts as one entity,
        C{("Virtual Hosts", VirtualHostCollection(self))}.

        @return: A new list of (name, entity) pairs.
        """
        return [*super().listStaticEntities(), ("Virtual Hosts", VirtualHostCollection(self))]

    def getStaticEntity(self, name: Any) -> Any:
        """
        A registered child, or the hosts' L{VirtualHostCollection} for
        C{"Virtual Hosts"}.

        @param name: A path segment, or C{"Virtual Hosts"}.
        @return: The entity, or L{None}.
        """
        if name == "Virtual Hosts":
            return VirtualHostCollection(self)
        return super().getStaticEntity(name)

    def addHost(self, name: bytes, resrc: IResource) -> None:
        """
        Answer requests for host C{name} with C{resrc}.

        @param name: The host name, such as C{b"example.com"}, without a
            port.
        @param resrc: The root of that host's tree.
        @raise TypeError: If C{name} is not bytes.
        """
        if not isinstance(name, bytes):
            raise TypeError(
                f"NameVirtualHost.addHost() takes the host name as bytes, not "
                f"{type(name).__name__}: {name!r}; write e.g. b'example.com'"
            )
        self.hosts[_hostName(name)] = resrc

    def removeHost(self, name: bytes) -> None:
        """
        Stop answering for host C{name}.

        @param name: A host name given to L{addHost}.
        @raise KeyError: If that host was not added.
        """
        del self.hosts[_hostName(name)]

    def _getResourceForRequest(self, request: IRequest) -> IResource:
        """
        The tree for C{request}'s host.

        @param request: The request.
        @return: The host's tree, L{default}, or a 404 page.
        """
        host = request.getHeader(b"host")
        found = self.hosts.get(_hostName(host)) if host else None
        if found is None:
            found = self.default
        if found is None:
            return NoResource("No such virtual host.")
        return found

    def render(self, request: IRequest) -> Any:
        """
        Render the host's tree root.

        @param request: The request.
        @return: What that resource returns.
        """
        return self._getResourceForRequest(request).render(request)

    def getChild(self, path: bytes, request: IRequest) -> IResource:
        """
        Continue traversal in the host's tree.

        @param path: The path segment.
        @param request: The request.
        @return: The child of the host's root (or the root itself, if it is
            a leaf: the segment is put back on C{request.postpath}).
        """
        resrc = self._getResourceForRequest(request)
        if resrc.isLeaf:
            request.postpath.insert(0, request.prepath.pop())
            return resrc
        return resrc.getChildWithDefault(path, request)


class VirtualHostCollection:
    """
    The hosts of a L{NameVirtualHost} seen as a collection of named
    entities (for configuration tools): adding an entity adds a host.

    @ivar nvh: The virtual host resource.
    """

    entityType: Any = IResource

    def __init__(self, nvh: NameVirtualHost) -> None:
        """
        @param nvh: The virtual host resource whose hosts to show.
        """
        self.nvh = nvh

    def listStaticEntities(self) -> list[tuple[bytes, IResource]]:
        """
        The hosts and their trees.

        @return: A new list of (name, resource) pairs.
        """
        return list(self.nvh.hosts.items())

    def getStaticEntity(self, name: bytes) -> IResource | None:
        """
        The tree of a host.

        @param name: The host name.
        @return: The tree, or L{None}.
        """
        return self.nvh.hosts.get(_hostName(name))

    def reallyPutEntity(self, name: bytes, entity: IResource) -> None:
        """
        Add a host.

        @param name: The host name.
        @param entity: Its tree.
        """
        self.nvh.addHost(name, entity)

    def delEntity(self, name: bytes) -> None:
        """
        Remove a host.

        @param name: The host name.
        @raise KeyError: If there is no such host.
        """
        self.nvh.removeHost(name)


class _HostResource(Resource):
    """
    The second step under L{VHostMonsterResource}: the public host (and
    port) segment, after which traversal restarts from the site's root.
    """

    def getChild(self, path: bytes, request: IRequest) -> IResource:
        host, colon, port = path.partition(b":")
        secure = request.isSecure()
        if colon:
            try:
                number = int(port)
            except ValueError:
                return NoResource(f"Bad port in virtual host segment {path!r}.")
        else:
            number = 443 if secure else 80
        setHost: Any = getattr(request, "setHost", None)
        if setHost is not None:
            setHost(host, number, secure)
        # The three segments (monster, scheme, host) are not part of the
        # public URL: forget them, and traverse the rest from the top.
        del request.prepath[-3:]
        site = getattr(request, "site", None)
        if site is None:
            return NoResource("VHostMonsterResource needs a request from a Site.")
        root: IResource = site.resource
        return getChildForRequest(root, request)


class VHostMonsterResource(Resource):
    """
    Put this in a site's tree (as C{b"vhost"}, say) for a reverse proxy to
    send C{/vhost/http/public.example:8080/rest} when the public URL is
    C{http://public.example:8080/rest}: the request then believes it
    arrived there (its host, port and scheme, and so its URLs and
    redirects), and is served from the site's root with the path C{/rest}.
    """

    def getChild(self, path: bytes, request: IRequest) -> IResource:
        """
        Take the scheme segment (C{b"http"} or C{b"https"}).

        @param path: The segment.
        @param request: The request.
        @return: The resource that takes the host segment.
        """
        if path in (b"http", b"https"):
            secure = path == b"https"
            # The request now reports the public scheme.
            request.isSecure = lambda: secure  # type: ignore[method-assign]
        return _HostResource()


__all__ = ["NameVirtualHost", "VHostMonsterResource", "VirtualHostCollection"]

_publish(globals())
