"""Slow work off the UI thread, with its result handed back on the UI thread."""

from __future__ import annotations

import logging
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


class RepeatingWork:
    """A daemon thread doing ``work_once`` now and then every ``interval`` seconds, or at once
    on ``wake()``; a failed round is logged and the next one still comes."""

    thread_name = "kiosk-repeating"
    interval: float

    def __init__(self) -> None:
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def work_once(self) -> object:
        raise NotImplementedError

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name=self.thread_name, daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Start a round now."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        self._wake.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                self.work_once()
            except Exception:
                # A broken round must not end the work for the rest of the kiosk's life.
                logging.getLogger(type(self).__module__).exception("%s failed", self.thread_name)
            self._wake.wait(self.interval)
            self._wake.clear()
