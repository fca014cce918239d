"""
A minimal Django project configured in code, for the tests of
L{torsion.web.wsgi.WSGIResource} with Django (C{test_wsgi_django.py}).

This module is the project's C{ROOT_URLCONF}: its C{urlpatterns} route to
the views below.  Call L{application} to configure Django (once per
process) and get its WSGI application.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

# Django ships no type hints: its names are Any here.
import django  # type: ignore[import-untyped]
from django.conf import settings  # type: ignore[import-untyped]
from django.core.wsgi import get_wsgi_application  # type: ignore[import-untyped]
from django.http import (  # type: ignore[import-untyped]
    HttpResponse,
    HttpResponseNotAllowed,
    JsonResponse,
    StreamingHttpResponse,
)
from django.urls import path, reverse  # type: ignore[import-untyped]
from django.views.decorators.csrf import csrf_exempt  # type: ignore[import-untyped]

# How long a view waits for the test before giving up: only a broken
# server makes it wait that long.
TIMEOUT = 30.0

# The settings of the test project.  No database, no apps, no templates:
# Django's built-in 400, 404 and 500 pages are used.  CommonMiddleware
# validates the Host header and adds the trailing slash (APPEND_SLASH).
SETTINGS: dict[str, Any] = {
    "DEBUG": False,
    "SECRET_KEY": "torsion-tests-not-a-secret",
    "ALLOWED_HOSTS": ["127.0.0.1", "localhost"],
    "ROOT_URLCONF": __name__,
    "MIDDLEWARE": ["django.middleware.common.CommonMiddleware"],
    "INSTALLED_APPS": [],
    "DATABASES": {},
    "USE_TZ": True,
    # Django's own 500 logging (django.request) goes to stdlib logging as
    # usual; keep Django from installing its handlers (which would mail
    # ADMINS) on the test process's loggers.
    "LOGGING_CONFIG": None,
}

# The view of /gated/ sends its first chunk, then waits for this event
# before sending the rest: a test clears it, sees the first chunk arrive,
# then sets it.
gate = threading.Event()
gate.set()

# The view of /together/ waits at this barrier: the requests that pass it
# ran in different pool threads at the same time.  A test replaces it.
barrier = threading.Barrier(1)


def application() -> Any:
    """
    Configure Django for this project (the first time only) and return
    its WSGI application.

    @return: A new C{django.core.handlers.wsgi.WSGIHandler}.
    @raise RuntimeError: If Django was configured already, by something
        else, for another project.
    """
    if not settings.configured:
        settings.configure(**SETTINGS)
        django.setup()
    elif __name__ != settings.ROOT_URLCONF:
        raise RuntimeError(
            f"Django is configured for ROOT_URLCONF {settings.ROOT_URLCONF!r}, not {__name__!r}; "
            "run the Django tests of torsion.web.wsgi in a process of their own"
        )
    return get_wsgi_application()


def text(request: Any) -> Any:
    """A plain text page."""
    return HttpResponse("Plain text from Django\n", content_type="text/plain; charset=utf-8")


def about(request: Any) -> Any:
    """The request as Django sees it (and the query parameter C{name}), as JSON."""
    return JsonResponse(
        {
            "name": request.GET.get("name", ""),
            "method": request.method,
            "path": request.path,
            "path_info": request.path_info,
            "script_name": request.META["SCRIPT_NAME"],
            "reversed": reverse("about"),
            "absolute": request.build_absolute_uri(),
            "host": request.get_host(),
            "secure": request.is_secure(),
            "thread": threading.current_thread().name,
        }
    )


def word(request: Any, word: str) -> Any:
    """The path segment C{word}, decoded by Django, as JSON."""
    return JsonResponse({"word": word, "path": request.path})


def echo(request: Any) -> Any:
    """The length and first bytes of the request body, and its form fields, as JSON."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    body: bytes = request.body
    return JsonResponse(
        {
            "length": len(body),
            "start": body[:10].decode("latin-1"),
            "content_type": request.content_type,
            "form": request.POST.dict(),
        }
    )


def stream(request: Any) -> Any:
    """A streamed response: 20 numbered lines, one chunk each."""

    def lines() -> Iterator[bytes]:
        for i in range(20):
            yield b"line %d\n" % i

    return StreamingHttpResponse(lines(), content_type="text/plain")


def gated(request: Any) -> Any:
    """A streamed response whose second chunk waits for L{gate}."""

    def chunks() -> Iterator[bytes]:
        yield b"first|"
        if not gate.wait(TIMEOUT):
            raise RuntimeError("the test never opened the gate")
        yield b"second|"
        yield b"last"

    return StreamingHttpResponse(chunks(), content_type="text/plain")


def together(request: Any) -> Any:
    """Wait at L{barrier} for the other requests, then answer."""
    index = barrier.wait(TIMEOUT)
    return HttpResponse(f"passed {index}", content_type="text/plain")


def boom(request: Any) -> Any:
    """Raise: Django answers with its 500 page."""
    raise ZeroDivisionError("the secret detail of a failing view")


urlpatterns = [
    path("text/", text, name="text"),
    path("about/", about, name="about"),
    path("word/<str:word>/", word, name="word"),
    path("echo/", csrf_exempt(echo), name="echo"),
    path("stream/", stream, name="stream"),
    path("gated/", gated, name="gated"),
    path("together/", together, name="together"),
    path("boom/", boom, name="boom"),
]
