"""
HTTP for torsion: the web server, resources and the HTTP client, with
twisted.web's API.

The pieces, each in its own module as in twisted.web:

 - L{torsion.web.http_headers}: L{Headers<torsion.web.http_headers.Headers>},
   the case-insensitive multi-valued header collection that requests and
   responses carry.
 - L{torsion.web.resource}, L{torsion.web.iweb}, L{torsion.web.error}: the
   resource tree and the interfaces a server and its resources agree on.

Underneath, the HTTP/1.1 wire format is read and written by a sans-IO parser
(C{torsion.web._httpparse}: bytes in, events out, no sockets) and its
encoding helpers (C{torsion.web._httpencode}); C{docs/web-http.md} lists the
rules they enforce and the limits they apply.
"""
