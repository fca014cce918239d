"""
inlineCallbacks: Deferred-using code that reads top to bottom.

A pretend web site is crawled breadth first.  Inside an inlineCallbacks
generator, "page = yield fetch(path)" waits for the Deferred and gives its
result (or raises its error, caught here with try/except).  Each level of
the site is fetched in parallel with a DeferredList, whose consumeErrors
flag keeps the broken links' failures from being reported as unhandled.

There is no reactor here: a Clock stands in for it, and runUntilIdle()
moves time forward from one scheduled call to the next.

Run: python examples/defer_inlinecallbacks.py
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from torsion.internet import task
from torsion.internet.defer import Deferred, DeferredList, inlineCallbacks
from torsion.internet.task import Clock
from torsion.python.failure import Failure

SITE = {
    "/": ["/about", "/news"],
    "/about": ["/"],
    "/news": ["/news/1", "/news/2", "/gone"],
    "/news/1": ["/news"],
    "/news/2": ["/news", "/about"],
}


class NotFound(Exception):
    """
    The page does not exist.
    """


def links(path: str) -> list[str]:
    """
    Return the links on page C{path}.

    @raise NotFound: If there is no such page.
    """
    if path not in SITE:
        raise NotFound(f"{path} does not exist")
    return SITE[path]


def fetch(clock: Clock, path: str) -> Deferred[list[str]]:
    """
    Fetch C{path}; longer paths take longer (a quarter second per character).
    """
    return task.deferLater(clock, 0.25 * len(path), links, path)


def runUntilIdle(clock: Clock) -> None:
    """
    Play the reactor's part: jump to each scheduled call until none is left.
    """
    while clock.getDelayedCalls():
        nextTime = min(call.getTime() for call in clock.getDelayedCalls())
        clock.advance(nextTime - clock.seconds())


@inlineCallbacks
def crawl(clock: Clock, start: str) -> Generator[Deferred[Any], Any, list[str]]:
    """
    Visit every page reachable from C{start}, one level at a time.

    @return: A Deferred firing with the pages found, in the order visited.
    """
    seen = [start]
    level = [start]
    depth = 0
    while level:
        print(f"[{clock.seconds():4.2f}s] depth {depth}: fetching {', '.join(level)}")
        results = yield DeferredList([fetch(clock, path) for path in level], consumeErrors=True)
        nextLevel: list[str] = []
        for path, (succeeded, value) in zip(level, results, strict=True):
            if not succeeded:
                failure: Failure = value
                failure.trap(NotFound)
                print(f"[{clock.seconds():4.2f}s]   broken link: {failure.getErrorMessage()}")
                seen.remove(path)
                continue
            for link in value:
                if link not in seen:
                    seen.append(link)
                    nextLevel.append(link)
        level = nextLevel
        depth += 1
    return seen


@inlineCallbacks
def main(clock: Clock) -> Generator[Deferred[Any], Any, None]:
    """
    Check one page on its own, then crawl the whole site.
    """
    try:
        yield fetch(clock, "/missing")
    except NotFound as e:
        print(f"[{clock.seconds():4.2f}s] as expected: {e}")

    pages = yield crawl(clock, "/")
    print(f"[{clock.seconds():4.2f}s] found {len(pages)} pages: {' '.join(pages)}")


if __name__ == "__main__":
    clock = Clock()
    done = main(clock)
    runUntilIdle(clock)
    done.addErrback(lambda failure: print(failure.getTraceback()))
