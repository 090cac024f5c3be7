"""The Payme simulator's two doors: a checkout page a person opens from the kiosk's QR code,
and a control socket (TCP, one command a line) for scripts and ``station sim control payme``."""

from __future__ import annotations

import html
import http.server
import logging
import socket
import socketserver
from decimal import InvalidOperation
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, quote, unquote

from devices.control_thread import serve_in_background, shut_down
from devices.foreground import run_until_stopped
from payments.money import format_som, som_to_tiyin
from payments.provider_simulator import (
    MODES,
    CheckoutLinkError,
    MerchantApiError,
    PaymentRun,
    PaymeSimulator,
    ProviderError,
    now_ms,
    parse_checkout_link,
)

if TYPE_CHECKING:
    from collections.abc import Callable

CONTROL_COMMANDS = (
    "pay <checkout link> [mode] [seconds]",
    "pay <account> <amount in so'm> [mode] [seconds]",
    "status [count]", "history", "statement [minutes]", "key <merchant key>", "modes", "ping",
)  # fmt: skip
REPLY_WAIT_SECONDS = 3.0  # a run that takes longer (slow) goes on in the background
STATUS_LINES = 15


# --- control commands --------------------------------------------------------------------


def run_control_command(simulator: PaymeSimulator, line: str) -> str:
    """Answer one control line with ``ok ...`` or ``error ...`` (possibly several lines)."""
    command, _, argument = line.strip().partition(" ")
    argument = argument.strip()
    try:
        if command == "pay" and argument:
            return _pay(simulator, argument.split())
        if command == "status":
            count = int(argument) if argument else STATUS_LINES
            lines = [operation.line() for operation in simulator.operations(count)]
            return "\n".join(["ok last operations:", *lines] if lines else ["ok no operations yet"])
        if command == "history":
            lines = [record.line() for record in simulator.transactions()]
            return "\n".join(["ok transactions:", *lines] if lines else ["ok no transactions yet"])
        if command == "statement":
            minutes = float(argument) if argument else 60.0
            found = simulator.statement(now_ms() - int(minutes * 60_000))
            lines = [f"{item.get('id')} state {item.get('state')}" for item in found]
            return "\n".join([f"ok GetStatement: {len(found)} transactions", *lines])
        if command == "key" and argument:
            simulator.merchant_key = argument
            return "ok merchant key changed"
        if command == "modes":
            return "ok " + " ".join(MODES)
        if command == "ping":
            return "ok"
    except (ValueError, CheckoutLinkError) as exc:
        return f"error {exc}"
    except (MerchantApiError, ProviderError) as exc:
        return f"error {exc.describe() if isinstance(exc, MerchantApiError) else exc}"
    return "error unknown command; use: " + ", ".join(CONTROL_COMMANDS)


def _pay(simulator: PaymeSimulator, words: list[str]) -> str:
    target, rest = words[0], words[1:]
    try:
        link = parse_checkout_link(target)
        account, amount = link.account, link.amount_tiyin
    except CheckoutLinkError:
        if not rest:
            raise ValueError("give the amount in so'm after an account number") from None
        account, amount = target, _tiyin_from_som(rest.pop(0))
    mode = rest.pop(0) if rest else "ok"
    seconds = float(rest.pop(0)) if rest else None
    run, thread = simulator.pay_in_background(account, amount, mode, slow_seconds=seconds)
    thread.join(REPLY_WAIT_SECONDS)
    return describe_run(run)


def describe_run(run: PaymentRun) -> str:
    """A run as the control socket reports it: a summary line, then its calls."""
    if not run.finished:
        head = f"ok running in the background: {run.mode} account {run.account}; see status"
    elif run.as_expected:
        head = f"ok {run.summary()}"
    else:
        head = f"error {run.summary()}"
    return "\n".join([head, *(f"  {operation.line()}" for operation in run.operations)])


def _tiyin_from_som(text: str) -> int:
    try:
        return som_to_tiyin(text.replace("_", ""))
    except InvalidOperation:
        raise ValueError(f"not an amount in so'm: {text!r}") from None


class _ControlHandler(socketserver.StreamRequestHandler):
    server: _ControlServer

    def handle(self) -> None:
        for raw in self.rfile:
            reply = run_control_command(self.server.simulator, raw.decode("utf-8", "replace"))
            self.wfile.write(reply.encode("utf-8") + b"\n")
            self.wfile.flush()


class _ControlServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], simulator: PaymeSimulator) -> None:
        super().__init__(address, _ControlHandler)
        self.simulator = simulator


def send_payme_command(control_port: int, command: str, *, timeout: float = 30.0) -> str:
    """Send one command to a running simulator and return its whole (multi-line) reply."""
    with socket.create_connection(("127.0.0.1", control_port), timeout=timeout) as connection:
        connection.sendall(command.strip().encode("utf-8") + b"\n")
        connection.shutdown(socket.SHUT_WR)  # the server answers, then closes the connection
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks).decode("utf-8", "replace").rstrip("\n")


# --- the checkout page ---------------------------------------------------------------------

_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Payme (simulated)</title>{refresh}
<style>body{{font-family:sans-serif;max-width:34em;margin:1em auto;padding:0 1em}}
button{{font-size:1.1em;margin:.2em;padding:.5em 1em}}pre{{white-space:pre-wrap}}
.bad{{color:#b00}}</style></head><body>
<h1>Payme <small>(simulated)</small></h1>{body}</body></html>
"""


class _CheckoutHandler(http.server.BaseHTTPRequestHandler):
    server: _CheckoutServer

    def log_message(self, format: str, *args: object) -> None:
        logging.getLogger(__name__).debug(format, *args)

    def do_GET(self) -> None:
        path, _, _ = self.path.partition("?")
        if path in ("/", "/checkout", "/checkout/"):
            self._send(200, self._runs_html(self.server.simulator.runs()), refresh=True)
            return
        encoded = _checkout_segment(path)
        try:
            link = parse_checkout_link(encoded or "")
        except CheckoutLinkError as exc:
            self._send(404, f"<p class=bad>{html.escape(str(exc))}</p>")
            return
        runs = [run for run in self.server.simulator.runs() if run.account == link.account]
        buttons = "".join(f'<button name="mode" value="{mode}">{mode}</button>' for mode in MODES)
        body = (
            f"<p>Merchant <b>{html.escape(link.merchant_id)}</b><br>"
            f"Order <b>{html.escape(link.account)}</b><br>"
            f"Amount <b>{html.escape(format_som(link.amount_tiyin))}</b></p>"
            f'<form method="post" action="/checkout/{quote(encoded or "")}">{buttons}</form>'
            "<p><small>ok pays; wrong-amount offers 1 so'm less; twice repeats the calls and "
            "tries a second transaction; cancel-after pays then refunds; never creates but "
            f"never pays; slow waits {self.server.simulator.slow_seconds:g} s before paying."
            "</small></p>" + self._runs_html(runs)
        )
        self._send(200, body, refresh=any(not run.finished for run in runs))

    def do_POST(self) -> None:
        encoded = _checkout_segment(self.path) or ""
        length = min(int(self.headers.get("Content-Length") or 0), 4096)
        form = parse_qs(self.rfile.read(length).decode("utf-8", "replace"))
        mode = (form.get("mode") or ["ok"])[0]
        try:
            link = parse_checkout_link(encoded)
            self.server.simulator.pay_in_background(link.account, link.amount_tiyin, mode)
        except (CheckoutLinkError, ValueError) as exc:
            self._send(400, f"<p class=bad>{html.escape(str(exc))}</p>")
            return
        self.send_response(303)
        self.send_header("Location", f"/checkout/{quote(encoded)}")
        self.send_header("Content-Length", "0")
        self.end_headers()

    @staticmethod
    def _runs_html(runs: list[PaymentRun]) -> str:
        if not runs:
            return "<p>No payments yet.</p>"
        items = []
        for run in reversed(runs[-10:]):
            css = "" if run.as_expected or not run.finished else " class=bad"
            lines = "\n".join(operation.line() for operation in run.operations)
            items.append(
                f"<li{css}><b>{html.escape(run.summary())}</b><pre>{html.escape(lines)}</pre></li>"
            )
        return "<h2>Payments</h2><ul>" + "".join(items) + "</ul>"

    def _send(self, status: int, body: str, *, refresh: bool = False) -> None:
        meta = '<meta http-equiv="refresh" content="2">' if refresh else ""
        data = _PAGE.format(refresh=meta, body=body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _checkout_segment(path: str) -> str | None:
    path = path.partition("?")[0]
    prefix = "/checkout/"
    if not path.startswith(prefix):
        return None
    return unquote(path[len(prefix) :]).strip("/") or None


class _CheckoutServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], simulator: PaymeSimulator) -> None:
        super().__init__(address, _CheckoutHandler)
        self.simulator = simulator


# --- running --------------------------------------------------------------------------------


class RunningServer:
    """A server on a background thread, or nothing when no port was asked for."""

    def __init__(self, server: socketserver.TCPServer | None, name: str) -> None:
        self._server = server
        self._thread = serve_in_background(server, name) if server is not None else None
        self.port: int | None = server.server_address[1] if server is not None else None

    def stop(self) -> None:
        shut_down(self._server, self._thread)
        self._server = self._thread = None


def start_servers(
    simulator: PaymeSimulator, checkout_port: int | None, control_port: int | None
) -> list[RunningServer]:
    """The checkout page and the control socket on 127.0.0.1, in that order."""
    factories: list[tuple[int | None, Callable[..., socketserver.TCPServer], str]] = [
        (checkout_port, _CheckoutServer, "payme-checkout"),
        (control_port, _ControlServer, "payme-control"),
    ]
    started = []
    for port, factory, name in factories:
        server = factory(("127.0.0.1", port), simulator) if port is not None else None
        started.append(RunningServer(server, name))
    return started


def run_payme_simulator(
    backend_url: str, merchant_key: str, checkout_port: int, control_port: int
) -> None:
    """Run until Ctrl-C or SIGTERM, logging every call it makes to the backend."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # each call is logged as a step
    simulator = PaymeSimulator(
        backend_url, merchant_key, checkout_port=checkout_port, control_port=control_port
    )
    run_until_stopped(
        simulator,
        lambda: (
            f"Payme simulator paying to {backend_url}: checkout page "
            f"http://127.0.0.1:{simulator.checkout_port}/checkout/<base64>, "
            f"control 127.0.0.1:{simulator.control_port}"
        ),
    )
