"""A progress bar for long imports: a redrawn line on a terminal, a line per tenth elsewhere."""

from __future__ import annotations

import time
from typing import TextIO


class Progress:
    """Counts rows done out of a known total and shows the rate."""

    def __init__(self, total: int, out: TextIO, label: str = "rows", width: int = 30) -> None:
        self.total, self.out, self.label, self.width = max(total, 1), out, label, width
        self.done = 0
        self.started = time.monotonic()
        self._drawn_at = 0.0
        self._tenth = 0
        self._tty = out.isatty()

    def __call__(self, n: int) -> None:
        self.done += n
        now = time.monotonic()
        if self._tty and now - self._drawn_at >= 0.1:
            self._drawn_at = now
            self.out.write("\r" + self.line())
            self.out.flush()
        elif not self._tty and (tenth := self.done * 10 // self.total) > self._tenth:
            self._tenth = tenth
            self.out.write(self.line() + "\n")
            self.out.flush()

    def line(self) -> str:
        share = min(self.done / self.total, 1.0)
        filled = int(share * self.width)
        rate = self.done / max(time.monotonic() - self.started, 1e-9)
        return (
            f"[{'#' * filled}{'.' * (self.width - filled)}] {share:4.0%} "
            f"{self.done:,}/{self.total:,} {self.label}  {rate:,.0f}/s"
        )

    def finish(self) -> None:
        if self._tty:
            self.out.write("\r" + self.line() + "\n")
            self.out.flush()
