"""The heartbeat of a running kiosk, wired to its runtime, its flow and the UI thread."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol
from uuid import UUID

from backend.contracts import DeviceKind, DeviceReport
from config.profiles import KioskProfile, load_profile
from kiosk.background import Dispatch, call_now
from kiosk.fleet.commands import CommandExecutor, CommandHooks
from kiosk.fleet.device_health import DeviceProbes, devices_down, needed_devices
from kiosk.fleet.heartbeat import HeartbeatClient, HeartbeatSender, ServiceSnapshot
from kiosk.fleet.outbox_figures import OutboxFigures
from kiosk.fleet.window_capture import window_png_capture

if TYPE_CHECKING:
    from kiosk.flow import KioskFlow
    from kiosk.runtime import KioskRuntime

log = logging.getLogger(__name__)


class FleetClient(HeartbeatClient, Protocol):
    """The backend calls of fleet operations (kiosk.backend_client.BackendClient)."""

    def upload_screenshot(self, command_id: UUID, png: bytes) -> str: ...


def configured_devices(profile: KioskProfile) -> frozenset[DeviceKind]:
    """Every kiosk has a printer and a scanner; a camera and a reader when a service needs
    them (the runtime opens no others)."""
    return frozenset({DeviceKind.PRINTER, DeviceKind.SCANNER}) | needed_devices(profile)


def service_snapshot(flow: KioskFlow | None) -> ServiceSnapshot:
    if flow is None:
        return ServiceSnapshot(screen="none", in_service=False, out_of_service_reason="no UI")
    return ServiceSnapshot(
        screen=flow.state.step.value,
        in_service=flow.in_service,
        out_of_service_reason=flow.out_of_service_reason,
    )


def exit_for_restart(runtime: KioskRuntime, dispatch: Dispatch) -> Callable[[int], None]:
    """Close the runtime on the UI thread, then end the process with ``code``."""

    def restart(code: int) -> None:
        def end() -> None:
            log.warning("restarting on the operator's command (exit code %d)", code)
            try:
                runtime.stop()
            finally:
                os._exit(code)  # Kivy's loop would turn a SystemExit into a normal stop

        dispatch(end)

    return restart


def build_heartbeat(
    runtime: KioskRuntime,
    client: FleetClient,
    flow: KioskFlow | None = None,
    dispatch: Dispatch = call_now,
    *,
    capture_screen: Callable[[], bytes] | None = None,
    restart: Callable[[int], None] | None = None,
) -> HeartbeatSender:
    """A heartbeat over ``runtime``'s devices and outbox; flow events go through
    ``dispatch``. Without ``capture_screen`` the Kivy window is pictured; without
    ``restart`` the process ends with ``RESTART_EXIT_CODE``."""
    probes = DeviceProbes(
        configured_devices(runtime.profile),
        printer=lambda: runtime.printer,
        scanner=lambda: runtime.scanner,
        camera=lambda: runtime.camera,
        camera_in_use=lambda: runtime.camera_feed is not None and runtime.camera_feed.running,
        open_reader=lambda: runtime.open_finger_reader,
        reader_in_use=lambda: runtime.finger_feed is not None and runtime.finger_feed.running,
        session_open=lambda: flow is not None and not flow.at_rest,
        camera_guard=runtime.camera_guard,
        reader_guard=runtime.reader_guard,
    )
    fleet = runtime.profile.fleet
    hooks = CommandHooks(
        dispatch=dispatch,
        flow=lambda: flow,
        printer=lambda: runtime.printer,
        capture_screen=capture_screen
        or window_png_capture(dispatch, fleet.screenshot_timeout_seconds),
        upload_screenshot=client.upload_screenshot,
        restart=restart or exit_for_restart(runtime, dispatch),
    )

    def on_devices(reports: list[DeviceReport]) -> None:
        if flow is None:
            return
        down = devices_down(reports, needed_devices(runtime.profile))
        if not runtime.profile.fleet.device_check:
            down = []
        dispatch(lambda: flow.report_devices_down(down))

    sender = HeartbeatSender(
        client,
        CommandExecutor(hooks),
        probes,
        OutboxFigures(runtime.outbox),
        lambda: service_snapshot(flow),
        interval=fleet.heartbeat_seconds,
        on_devices=on_devices,
    )

    def apply_profile(profile: KioskProfile) -> None:
        runtime.profile = runtime.profile.model_copy(
            update={"services": profile.services, "fleet": profile.fleet}
        )
        probes.configured = configured_devices(runtime.profile)
        sender.interval = profile.fleet.heartbeat_seconds
        if flow is not None:
            dispatch(lambda: flow.apply_profile(profile))

    if runtime.profile_path is not None:
        path = runtime.profile_path
        hooks.load_profile = lambda: load_profile(path)
        hooks.apply_profile = apply_profile
    return sender
