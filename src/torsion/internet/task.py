"""
Scheduling tools: a fake clock for tests, repeating calls, delayed calls
with Deferreds, and cooperative multitasking of iterators.
"""

from torsion.internet._clock import Clock
from torsion.internet._cooperator import (
    CooperativeTask,
    Cooperator,
    NotPaused,
    SchedulerError,
    SchedulerStopped,
    TaskDone,
    TaskFailed,
    TaskFinished,
    TaskStopped,
    coiterate,
    cooperate,
)
from torsion.internet._looping import LoopingCall, deferLater
from torsion.internet._react import react
from torsion.python._publish import publish as _publish

__all__ = [
    "Clock",
    "CooperativeTask",
    "Cooperator",
    "LoopingCall",
    "NotPaused",
    "SchedulerError",
    "SchedulerStopped",
    "TaskDone",
    "TaskFailed",
    "TaskFinished",
    "TaskStopped",
    "coiterate",
    "cooperate",
    "deferLater",
    "react",
]

_publish(globals())
