"""The Payme simulator without a backend: checkout links, control commands, its checkout page."""

from __future__ import annotations

import base64
import html
import re
import socket
from collections.abc import Iterator

import httpx
import pytest

from payments.payme.merchant import checkout_link
from payments.provider_control import run_control_command, send_payme_command
from payments.provider_simulator import (
    MODES,
    CheckoutLink,
    CheckoutLinkError,
    PaymeSimulator,
    build_checkout_link,
    parse_checkout_link,
)
from payments.provider_simulator_client import new_transaction_id

CHECKOUT_BASE = "http://127.0.0.1:9106/checkout/"


@pytest.fixture
def dead_backend_url() -> Iterator[str]:
    """An address where nothing answers (bound, never listening)."""
    with socket.socket() as reserved:
        reserved.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{reserved.getsockname()[1]}"


@pytest.fixture
def simulator(dead_backend_url: str) -> Iterator[PaymeSimulator]:
    with PaymeSimulator(
        dead_backend_url, "some-key", checkout_port=0, control_port=0, timeout=2.0
    ) as running:
        yield running


# --- checkout links ------------------------------------------------------------------------


def test_a_link_the_backend_builds_parses_back() -> None:
    link = checkout_link(CHECKOUT_BASE, "demo-merchant", "104217", 3_000_000, "ru")
    assert parse_checkout_link(link) == CheckoutLink("demo-merchant", "104217", 3_000_000, "ru")


def test_building_and_parsing_round_trip_and_bare_base64_is_accepted() -> None:
    original = CheckoutLink("m-1", "42", 12_345, None)
    url = build_checkout_link("https://checkout.paycom.uz", original)
    assert url.startswith("https://checkout.paycom.uz/")
    assert parse_checkout_link(url) == original
    assert parse_checkout_link(url.rsplit("/", 1)[1]) == original


def test_unpadded_and_url_safe_base64_parse() -> None:
    raw = base64.urlsafe_b64encode(b"m=abc;ac.order_id=7;a=1500;l=uz").decode().rstrip("=")
    assert parse_checkout_link(CHECKOUT_BASE + raw).amount_tiyin == 1500


@pytest.mark.parametrize(
    "text",
    [
        "",
        "https://checkout.paycom.uz/not*base64",
        CHECKOUT_BASE + base64.b64encode(b"m=abc;a=1500").decode(),  # no order
        CHECKOUT_BASE + base64.b64encode(b"m=abc;ac.order_id=7;a=15.5").decode(),
        CHECKOUT_BASE + base64.b64encode(b"m=abc;ac.order_id=7;a=0").decode(),
        "104217",  # an account number is not a link
    ],
)
def test_what_is_not_a_checkout_link_is_refused(text: str) -> None:
    with pytest.raises(CheckoutLinkError):
        parse_checkout_link(text)


def test_transaction_ids_look_like_paymes() -> None:
    ids = {new_transaction_id() for _ in range(50)}
    assert len(ids) == 50
    assert all(re.fullmatch(r"[0-9a-f]{24}", tid) for tid in ids)


# --- control commands ----------------------------------------------------------------------


def test_modes_and_unknown_commands(simulator: PaymeSimulator) -> None:
    assert run_control_command(simulator, "modes") == "ok " + " ".join(MODES)
    assert run_control_command(simulator, "ping") == "ok"
    assert run_control_command(simulator, "dance").startswith("error unknown command")
    assert run_control_command(simulator, "status") == "ok no operations yet"
    assert run_control_command(simulator, "history") == "ok no transactions yet"


def test_pay_refuses_bad_input_before_calling_anyone(simulator: PaymeSimulator) -> None:
    link = checkout_link(CHECKOUT_BASE, "demo-merchant", "104217", 3_000_000, "uz_Latn")
    assert "unknown mode" in run_control_command(simulator, f"pay {link} sideways")
    assert "amount in so'm" in run_control_command(simulator, "pay 104217")
    assert "not an amount" in run_control_command(simulator, "pay 104217 lots")
    assert simulator.operations() == []


def test_an_unreachable_backend_is_reported_and_kept(simulator: PaymeSimulator) -> None:
    reply = run_control_command(simulator, "pay 104217 30000 ok")
    assert reply.startswith("error ok account 104217 30 000.00 so'm: failed")
    assert "unreachable" in reply
    [operation] = simulator.operations()
    assert operation.method == "CheckPerformTransaction"
    assert not operation.as_expected
    assert "CheckPerformTransaction" in run_control_command(simulator, "status")


def test_the_control_socket_answers_whole_multi_line_replies(simulator: PaymeSimulator) -> None:
    assert simulator.control_port is not None
    run_control_command(simulator, "pay 1 10 ok")
    run_control_command(simulator, "pay 2 10 ok")
    reply = send_payme_command(simulator.control_port, "status")
    assert reply.splitlines()[0] == "ok last operations:"
    assert len(reply.splitlines()) == 3
    assert send_payme_command(simulator.control_port, "key other-key") == "ok merchant key changed"
    assert simulator.merchant_key == "other-key"


# --- the checkout page ---------------------------------------------------------------------


def test_the_checkout_page_shows_the_order_and_a_button_per_mode(
    simulator: PaymeSimulator,
) -> None:
    page_base = f"http://127.0.0.1:{simulator.checkout_port}/checkout/"
    link = checkout_link(page_base, "demo-merchant", "104217", 16_480_000, "ru")
    page = httpx.get(link, timeout=5)
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "104217" in text and "164 800.00 so'm" in text
    assert "demo-merchant" in page.text
    for mode in MODES:
        assert f'value="{mode}"' in page.text
    assert httpx.get(page_base + "garbage!", timeout=5).status_code == 404


def test_a_click_on_the_checkout_page_starts_a_payment(simulator: PaymeSimulator) -> None:
    page_base = f"http://127.0.0.1:{simulator.checkout_port}/checkout/"
    link = checkout_link(page_base, "demo-merchant", "104217", 16_480_000, "ru")
    with httpx.Client(timeout=5, follow_redirects=True) as browser:
        after = browser.post(link, data={"mode": "never"})
    assert after.status_code == 200
    [run] = simulator.runs()
    assert (run.mode, run.account, run.amount_tiyin) == ("never", "104217", 16_480_000)
    assert "never account 104217" in after.text
