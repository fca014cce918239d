"""
Timed work without a reactor: a Clock drives LoopingCall, deferLater and a
Cooperator.

A pretend player shows an animation for a few simulated seconds:

  - a heartbeat LoopingCall reports once a second;
  - an animation LoopingCall.withCount draws 4 frames a second, and when
    the clock jumps it learns how many frames it missed;
  - a Cooperator checks two files a chunk at a time, taking turns;
  - deferLater stops the loops after 3.5 seconds.

Time moves only when the program calls clock.advance(), so the output is the
same on every run: this is how torsion's (and Twisted's) tests handle time.
Halfway through, the clock jumps 1.5 seconds at once, as a blocked reactor
would, to show what the loops do about lateness.

Run: python examples/looping_clock.py
"""

from __future__ import annotations

from collections.abc import Iterator

from torsion.internet.task import Clock, Cooperator, LoopingCall, deferLater


def main() -> None:
    clock = Clock()

    def say(message: str) -> None:
        print(f"[{clock.seconds():3.1f}s] {message}")

    beats = 0

    def heartbeat() -> None:
        nonlocal beats
        beats += 1
        say(f"heartbeat {beats}")

    heart = LoopingCall(heartbeat)
    heart.clock = clock
    heart.start(1.0).addCallback(lambda loop: say(f"heartbeat stopped after {beats} beats"))

    frames = 0

    def draw(count: int) -> None:
        nonlocal frames
        frames += count
        if count > 1:
            say(f"animation was late: skipped {count - 1} frames, now at frame {frames}")

    animation = LoopingCall.withCount(draw)
    animation.clock = clock
    animation.start(0.25)

    # One step of one task per tick, a tick every half second.
    cooperator = Cooperator(
        terminationPredicateFactory=lambda: lambda: True,
        scheduler=lambda tick: clock.callLater(0.5, tick),
    )

    def check(name: str, chunks: int) -> Iterator[None]:
        for chunk in range(1, chunks + 1):
            say(f"{name}: checked chunk {chunk} of {chunks}")
            yield None

    def checked(iterator: Iterator[None], name: str) -> None:
        say(f"{name}: all chunks checked")

    for name, chunks in [("report.pdf", 3), ("photo.jpg", 2)]:
        cooperator.coiterate(check(name, chunks)).addCallback(checked, name)

    def finish() -> None:
        heart.stop()
        animation.stop()
        say(f"stopped the animation at frame {frames}")

    deferLater(clock, 3.5, finish)

    clock.pump([0.25] * 4)
    say("the clock jumps 1.5s at once")
    clock.advance(1.5)
    clock.pump([0.25] * 8)
    say(f"{len(clock.getDelayedCalls())} calls left on the clock")


if __name__ == "__main__":
    main()
