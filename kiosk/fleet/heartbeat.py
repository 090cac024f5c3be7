"""The heartbeat: every interval, the kiosk's health to the backend, and commands back.

Runs on its own daemon thread, so device probes and the network never hold up the UI. A
heartbeat that fails is not repeated at once: the next one, an interval later, carries the
same unreported command results.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from typing import Protocol

from backend.contracts import (
    CommandKind,
    CommandResult,
    DeviceReport,
    HeartbeatReply,
    HeartbeatRequest,
)
from kiosk.backend_client import BackendError
from kiosk.background import RepeatingWork
from kiosk.fleet.commands import CommandExecutor
from kiosk.fleet.device_health import DeviceProbes
from kiosk.fleet.outbox_figures import OutboxFigures

log = logging.getLogger(__name__)

MIN_INTERVAL_SECONDS = 1.0
MAX_INTERVAL_SECONDS = 3600.0
MAX_RESULTS_PER_HEARTBEAT = 20  # HeartbeatRequest.command_results max_length
_REMEMBERED_COMMANDS = 200


def software_version() -> str:
    """The installed package's version."""
    try:
        return metadata.version("smart-station")[:40]
    except metadata.PackageNotFoundError:
        return "unknown"


@dataclass(frozen=True)
class ServiceSnapshot:
    """What the kiosk shows and whether it serves citizens."""

    screen: str
    in_service: bool
    out_of_service_reason: str | None = None


class HeartbeatClient(Protocol):
    def heartbeat(self, request: HeartbeatRequest) -> HeartbeatReply: ...


class HeartbeatSender(RepeatingWork):
    """Builds and posts heartbeats; hands the reply's commands to the executor."""

    thread_name = "fleet-heartbeat"

    def __init__(
        self,
        client: HeartbeatClient,
        executor: CommandExecutor,
        probes: DeviceProbes,
        outbox: OutboxFigures,
        service: Callable[[], ServiceSnapshot],
        *,
        interval: float = 15.0,
        on_devices: Callable[[list[DeviceReport]], None] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self._client = client
        self.executor = executor
        self._probes = probes
        self._outbox = outbox
        self._service = service
        self.interval = interval
        self._on_devices = on_devices
        self._monotonic = monotonic
        self._started_at = monotonic()
        self._version = software_version()
        self._lock = threading.Lock()  # one heartbeat at a time; guards the results
        self._unreported: list[CommandResult] = []
        self._seen_commands: list[str] = []
        self.last_error: str | None = None
        self.last_reply: HeartbeatReply | None = None

    @property
    def unreported(self) -> list[CommandResult]:
        """Results of executed commands the backend has not yet received."""
        with self._lock:
            return list(self._unreported)

    def beat_once(self) -> HeartbeatReply | None:
        """Send one heartbeat and carry out the commands it brings back; None if it failed."""
        with self._lock:
            reply = self._send()
            if reply is None:
                return None
            restart = False
            for command in reply.commands:
                key = str(command.command_id)
                if key in self._seen_commands:
                    continue  # delivered twice: it was carried out already
                self._seen_commands = [*self._seen_commands[-_REMEMBERED_COMMANDS:], key]
                result = self.executor.execute(command)
                self._unreported.append(result)
                restart |= command.kind is CommandKind.RESTART_APP and result.ok
            if restart:
                self._send()  # report the results first: after the restart they are lost
                self.executor.restart()
            return reply

    def _send(self) -> HeartbeatReply | None:
        reports = self._probes.collect()
        if self._on_devices is not None:
            self._on_devices(reports)
        results = self._unreported[:MAX_RESULTS_PER_HEARTBEAT]
        service = self._service()
        request = HeartbeatRequest(
            sent_at=datetime.now(UTC),
            software_version=self._version,
            uptime_seconds=int(self._monotonic() - self._started_at),
            screen=service.screen[:40],
            in_service=service.in_service,
            out_of_service_reason=(service.out_of_service_reason or "")[:200] or None,
            devices=reports,
            outbox_backlog=self._outbox.backlog(),
            submissions_today=self._outbox.submissions_today(),
            command_results=results,
            outbox_rejected=self._outbox.rejected(),
            outbox_stuck=self._outbox.stuck(),
            numbering_refused_today=self._outbox.numbering_refused_today(),
        )
        try:
            reply = self._client.heartbeat(request)
        except BackendError as error:
            self.last_error = str(error)
            log.warning("heartbeat not delivered: %s", error)
            return None
        self.last_error = None
        self.last_reply = reply
        if reply.sequence_floor is not None:
            self._outbox.learn_sequence_floor(reply.sequence_floor)
        delivered = {result.command_id for result in results}
        self._unreported = [r for r in self._unreported if r.command_id not in delivered]
        self.interval = min(max(reply.interval_seconds, MIN_INTERVAL_SECONDS), MAX_INTERVAL_SECONDS)
        return reply

    def work_once(self) -> object:
        return self.beat_once()
