"""Carrying out operators' commands; each ends in a ``CommandResult`` for the next heartbeat.

Restarting is done by ending the process with ``RESTART_EXIT_CODE``: the service manager that
runs the kiosk starts it again on that code (for systemd: ``Restart=on-failure`` with
``RestartForceExitStatus=75``, or ``Restart=always``). The heartbeat sender reports the
command's result before the process ends.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from backend.contracts import (
    MAX_HEARTBEAT_DETAIL_CHARS,
    CommandKind,
    CommandResult,
    KioskCommand,
)
from config.profiles import KioskProfile
from devices.printer.interface import ReceiptPrinter
from kiosk.background import Dispatch, call_now

log = logging.getLogger(__name__)

RESTART_EXIT_CODE = 75  # EX_TEMPFAIL: "try again", i.e. start the kiosk again

# A bare ESC/POS page for printers whose driver has no test page of its own.
_PLAIN_TEST_PAGE = b"\x1b@\x1ba\x01TEST PAGE\n\nSmart Station\n\n\n\x1dV\x41\x03"


class ServiceControl(Protocol):
    """The flow's out-of-service events (kiosk.flow_service.ServiceSteps)."""

    def take_out_of_service(self, note: str = "") -> None: ...

    def put_back_in_service(self) -> None: ...

    def apply_profile(self, profile: KioskProfile) -> None: ...


class CommandFailed(Exception):
    """A command could not be carried out; the message goes to the operator."""


@dataclass
class CommandHooks:
    """What commands act on. ``dispatch`` runs flow events on the UI thread; a hook left
    None makes its command fail with a clear detail."""

    dispatch: Dispatch = call_now
    flow: Callable[[], ServiceControl | None] = lambda: None
    printer: Callable[[], ReceiptPrinter | None] = lambda: None
    load_profile: Callable[[], KioskProfile] | None = None
    apply_profile: Callable[[KioskProfile], None] | None = None
    capture_screen: Callable[[], bytes] | None = None
    upload_screenshot: Callable[[UUID, bytes], str] | None = None
    restart: Callable[[int], None] | None = None


class CommandExecutor:
    """Runs one command at a time on the heartbeat thread."""

    def __init__(self, hooks: CommandHooks) -> None:
        self.hooks = hooks
        self._handlers: dict[CommandKind, Callable[[KioskCommand], str]] = {
            CommandKind.OUT_OF_SERVICE: self._out_of_service,
            CommandKind.BACK_IN_SERVICE: self._back_in_service,
            CommandKind.RELOAD_CONFIG: self._reload_config,
            CommandKind.TAKE_SCREENSHOT: self._take_screenshot,
            CommandKind.PRINT_TEST_PAGE: self._print_test_page,
            CommandKind.RESTART_APP: self._restart_app,
        }

    def execute(self, command: KioskCommand) -> CommandResult:
        """Carry out ``command``; a failure becomes a result with ``ok=False``."""
        try:
            detail, ok = self._handlers[command.kind](command), True
        except CommandFailed as failure:
            detail, ok = str(failure), False
        except Exception as error:  # any fault is the operator's to see, not the kiosk's end
            log.exception("command %s (%s) failed", command.command_id, command.kind)
            detail, ok = f"{type(error).__name__}: {error}", False
        log.info("command %s %s: ok=%s %s", command.kind, command.command_id, ok, detail)
        return CommandResult(
            command_id=command.command_id, ok=ok, detail=detail[:MAX_HEARTBEAT_DETAIL_CHARS]
        )

    def restart(self) -> None:
        """End the process for its runner to start it again (after results were reported)."""
        if self.hooks.restart is None:
            raise CommandFailed("this kiosk cannot restart itself")
        self.hooks.restart(RESTART_EXIT_CODE)

    # --- handlers -------------------------------------------------------------------------

    def _flow(self) -> ServiceControl:
        flow = self.hooks.flow()
        if flow is None:
            raise CommandFailed("no user interface is running")
        return flow

    def _out_of_service(self, command: KioskCommand) -> str:
        flow = self._flow()
        self.hooks.dispatch(lambda: flow.take_out_of_service(command.note))
        return "out of service once no citizen is being served"

    def _back_in_service(self, command: KioskCommand) -> str:
        flow = self._flow()
        self.hooks.dispatch(flow.put_back_in_service)
        return "back in service unless a needed device is down"

    def _reload_config(self, command: KioskCommand) -> str:
        if self.hooks.load_profile is None or self.hooks.apply_profile is None:
            raise CommandFailed("this kiosk does not know its profile file")
        try:
            profile = self.hooks.load_profile()
        except (OSError, ValueError) as error:  # nothing of an invalid file is applied
            raise CommandFailed(f"cannot load the profile: {error}") from error
        self.hooks.apply_profile(profile)
        services = ", ".join(service.code for service in profile.services)
        return f"services: {services}; heartbeat {profile.fleet.heartbeat_seconds:g} s"

    def _take_screenshot(self, command: KioskCommand) -> str:
        if self.hooks.capture_screen is None or self.hooks.upload_screenshot is None:
            raise CommandFailed("this kiosk cannot take screenshots")
        png = self.hooks.capture_screen()
        return self.hooks.upload_screenshot(command.command_id, png)

    def _print_test_page(self, command: KioskCommand) -> str:
        printer = self.hooks.printer()
        if printer is None:
            raise CommandFailed("no receipt printer")
        test_page = getattr(printer, "print_test_page", None)
        if callable(test_page):
            test_page()
        else:
            printer.print_bytes(_PLAIN_TEST_PAGE)
        return "test page printed"

    def _restart_app(self, command: KioskCommand) -> str:
        if self.hooks.restart is None:
            raise CommandFailed("this kiosk cannot restart itself")
        return f"restarting (exit code {RESTART_EXIT_CODE})"
