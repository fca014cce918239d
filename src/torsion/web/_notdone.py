# The value a resource's render method returns to say "the body is not ready
# yet: I will write it and call request.finish() myself".  Twisted users know
# it as twisted.web.server.NOT_DONE_YET; torsion.web.server re-exports it from
# here, so that the resource layer and its test doubles can use it without
# importing the HTTP server.  It is the integer 1, as in Twisted, so code that
# compares with == or `is` behaves the same.
from __future__ import annotations

from typing import Final

NOT_DONE_YET: Final = 1
