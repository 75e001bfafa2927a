"""Ctrl-C and SIGTERM: a handler that raises, except where an exception must not land.

Used by the command line (:mod:`analysis.cli`) and the build (:mod:`analysis.pipeline`). Light
on purpose: the command line installs it before it imports anything heavy.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Callable, Iterator

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)  # Ctrl-C, and `kill`'s default


class StopHandler:
    """A handler of SIGINT and SIGTERM that raises ``interruption(signum)``, except in :meth:`deferred`.

    Python runs a handler between any two bytecodes of the main thread, so its exception can
    land where it does harm: inside the import of a C extension, which turns it into an
    ``ImportError`` and a traceback (numpy's ``PyCapsule_Import could not import module
    "datetime"``, seen when SIGTERM came as the command started), or in the middle of starting a
    worker, which would leave the worker out of the pool, never ended. There the signal is only
    recorded, and raised as soon as the block is left.
    """

    def __init__(self, interruption: Callable[[int], BaseException]):
        self.interruption = interruption
        self.deferring = False
        self.received: int | None = None

    def __call__(self, signum: int, frame: object) -> None:
        if not self.deferring:
            raise self.interruption(signum)
        self.received = self.received or signum

    @contextlib.contextmanager
    def deferred(self) -> Iterator[None]:
        """Record a signal that comes during the block; raise it when the block ends (unless it raised)."""
        self.deferring = True
        try:
            yield
        finally:
            self.deferring = False
        if self.received:
            raise self.interruption(self.received)
