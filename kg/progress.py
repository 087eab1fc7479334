"""The stages of a long operation and how long each took, told to whoever asked.

An ingest of 100k files spends many minutes after its last file (re-ingesting files whose
citations were completed, the stub flags, the derivations); :class:`Laps` lets the code below the
CLI say what it finished and when, and the CLI decides whether to print it.

>>> told = []
>>> laps = Laps(lambda what, seconds: told.append((what, seconds >= 0)))
>>> laps.lap("read 3 documents")
>>> told
[('read 3 documents', True)]
>>> Laps(None).lap("nobody asked")  # no report: nothing happens
"""

from __future__ import annotations

import time
from collections.abc import Callable

#: What a stage says when it ends: a phrase ("matched 34 provinces' tasks") and its seconds.
Report = Callable[[str, float], None]


class Laps:
    """A stopwatch whose every :meth:`lap` reports the time since the last one (or since it was made)."""

    def __init__(self, report: Report | None) -> None:
        self.report = report
        self._last = time.perf_counter()

    def lap(self, what: str) -> None:
        now = time.perf_counter()
        if self.report is not None:
            self.report(what, now - self._last)
        self._last = now
