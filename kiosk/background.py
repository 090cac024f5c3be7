"""Slow work off the UI thread, with its result handed back on the UI thread."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

Task = Callable[[], None]
Dispatch = Callable[[Task], None]
Completion = Callable[[Any, Exception | None], None]


def call_now(task: Task) -> None:
    """Run ``task`` at once in this thread (for tests and scripts)."""
    task()


def run_in_thread(task: Task) -> None:
    """Run slow work on a short-lived daemon thread."""
    threading.Thread(target=task, name="kiosk-work", daemon=True).start()


class BackgroundWork:
    """Runs work with ``run_in_background``; its result (or exception) reaches ``on_done``
    through ``dispatch``. Results of work started before ``forget_pending()`` are dropped."""

    def __init__(self, dispatch: Dispatch, run_in_background: Callable[[Task], None]) -> None:
        self._dispatch = dispatch
        self._run_in_background = run_in_background
        self._generation = 0

    def run(self, work: Callable[[], Any], on_done: Completion) -> None:
        generation = self._generation

        def job() -> None:
            try:
                result, error = work(), None
            except Exception as exc:
                result, error = None, exc
            self._dispatch(lambda: self._deliver(generation, on_done, result, error))

        self._run_in_background(job)

    def forget_pending(self) -> None:
        self._generation += 1

    def _deliver(
        self, generation: int, on_done: Completion, result: Any, error: Exception | None
    ) -> None:
        if generation == self._generation:
            on_done(result, error)
