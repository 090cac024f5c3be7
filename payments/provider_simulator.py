"""A Payme simulator: plays the citizen's phone and Payme's servers against our backend.

Told to pay an order (by its checkout link, the QR's content, or by account number and amount),
it calls the merchant endpoint of the backend over JSON-RPC 2.0 the way Payme does, in one of
several modes that pay, fail, repeat, refund or never finish. Every call and its result is kept
so an operator (or a test) can see what the backend answered.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from payments.money import format_som
from payments.provider_simulator_client import (
    CheckoutLink,
    CheckoutLinkError,
    MerchantApiError,
    MerchantClient,
    Operation,
    ProviderError,
    build_checkout_link,
    describe_result,
    new_transaction_id,
    now_ms,
    parse_checkout_link,
)

if TYPE_CHECKING:
    from payments.provider_control import RunningServer

__all__ = [
    "MODES", "CheckoutLink", "CheckoutLinkError", "MerchantApiError", "Operation",
    "PaymeSimulator", "PaymentRun", "ProviderError", "TransactionRecord",
    "build_checkout_link", "format_som", "parse_checkout_link",
]  # fmt: skip
MODES = ("ok", "wrong-amount", "twice", "cancel-after", "never", "slow")
DEFAULT_SLOW_SECONDS = 10.0
WRONG_AMOUNT_SHORTFALL_TIYIN = 100
REFUND_REASON = 5  # Payme's reason code for a refund after the transaction was performed
STATE_CREATED, STATE_PERFORMED = 1, 2
STATE_CANCELLED_AFTER_PERFORM = -2
WRONG_AMOUNT = -31001
CANNOT_PERFORM = -31008
ORDER_REFUSALS = frozenset(range(-31099, -31049))  # "order not found or not available"
KEPT_OPERATIONS = 500

log = logging.getLogger(__name__)


@dataclass
class PaymentRun:
    """One request to pay an order, in one mode: its calls and how it ended."""

    mode: str
    account: str
    amount_tiyin: int
    started_ms: int = field(default_factory=now_ms)
    operations: list[Operation] = field(default_factory=list)
    transaction_ids: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    verdict: str = "running"
    finished: bool = False

    @property
    def as_expected(self) -> bool:
        return self.finished and not self.problems

    def summary(self) -> str:
        tail = "" if self.as_expected else "; " + "; ".join(self.problems or ["not finished"])
        ids = ",".join(self.transaction_ids) or "-"
        return (
            f"{self.mode} account {self.account} {format_som(self.amount_tiyin)}: "
            f"{self.verdict} (transactions {ids}){tail}"
        )


@dataclass
class TransactionRecord:
    """A transaction this simulator created, with the last state the backend reported."""

    transaction_id: str
    account: str
    amount_tiyin: int
    mode: str
    create_time_ms: int
    state: int | None = None
    merchant_transaction: str | None = None

    def line(self) -> str:
        created = time.strftime("%H:%M:%S", time.localtime(self.create_time_ms / 1000))
        state = "refused" if self.state is None else f"state {self.state}"
        return (
            f"{self.transaction_id} account {self.account} {format_som(self.amount_tiyin)} "
            f"mode {self.mode} created {created} ({self.create_time_ms}) {state}"
        )


class _StopRun(Exception):
    """An unexpected answer: the run goes no further."""


class PaymeSimulator:
    """Pays orders through the backend's merchant endpoint and keeps what happened.

    ``checkout_port``/``control_port``: None runs no such server, 0 picks a free port.
    """

    def __init__(
        self,
        backend_url: str,
        merchant_key: str,
        *,
        checkout_port: int | None = None,
        control_port: int | None = None,
        slow_seconds: float = DEFAULT_SLOW_SECONDS,
        timeout: float = 10.0,
    ) -> None:
        self.backend_url = backend_url
        self.slow_seconds = slow_seconds
        self._client = MerchantClient(backend_url, merchant_key, timeout=timeout)
        self._requested_checkout_port = checkout_port
        self._requested_control_port = control_port
        self._lock = threading.Lock()
        self._operations: deque[Operation] = deque(maxlen=KEPT_OPERATIONS)
        self._runs: list[PaymentRun] = []
        self._transactions: dict[str, TransactionRecord] = {}
        self._servers: list[RunningServer] = []
        self.checkout_port: int | None = None
        self.control_port: int | None = None

    # --- what an operator asks for -----------------------------------------------------

    @property
    def merchant_key(self) -> str:
        return self._client.merchant_key

    @merchant_key.setter
    def merchant_key(self, key: str) -> None:
        self._client.merchant_key = key

    def pay_link(
        self, link: str, mode: str = "ok", *, slow_seconds: float | None = None
    ) -> PaymentRun:
        """Pay the order of a checkout link in ``mode``; returns once the run has finished."""
        parsed = parse_checkout_link(link)
        return self.pay(parsed.account, parsed.amount_tiyin, mode, slow_seconds=slow_seconds)

    def pay(
        self,
        account: str,
        amount_tiyin: int,
        mode: str = "ok",
        *,
        slow_seconds: float | None = None,
    ) -> PaymentRun:
        """Pay ``amount_tiyin`` to order ``account`` in ``mode``; blocks until it has finished."""
        run = self._begin(account, amount_tiyin, mode)
        self._play(run, self.slow_seconds if slow_seconds is None else slow_seconds)
        return run

    def pay_in_background(
        self,
        account: str,
        amount_tiyin: int,
        mode: str = "ok",
        *,
        slow_seconds: float | None = None,
    ) -> tuple[PaymentRun, threading.Thread]:
        """Start a run on a daemon thread; the run is listed in ``runs()`` at once."""
        run = self._begin(account, amount_tiyin, mode)
        delay = self.slow_seconds if slow_seconds is None else slow_seconds
        thread = threading.Thread(
            target=self._play, args=(run, delay), name=f"payme-{mode}", daemon=True
        )
        thread.start()
        return run, thread

    def _begin(self, account: str, amount_tiyin: int, mode: str) -> PaymentRun:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; use one of: {', '.join(MODES)}")
        if amount_tiyin <= 0:
            raise ValueError("the amount must be positive")
        run = PaymentRun(mode, account, amount_tiyin)
        with self._lock:
            self._runs.append(run)
        log.info("paying account %s %s in mode %s", account, format_som(amount_tiyin), mode)
        return run

    def statement(self, since_ms: int, until_ms: int | None = None) -> list[dict[str, Any]]:
        """The merchant's GetStatement for a period: the transactions it knows."""
        params = {"from": since_ms, "to": until_ms if until_ms is not None else now_ms()}
        run = PaymentRun("statement", "-", 1)
        result = self._call(run, "GetStatement", params, None, allow_stop=False)
        if isinstance(result, MerchantApiError | ProviderError):
            raise result
        return list(result.get("transactions", []))

    def operations(self, last: int | None = None) -> list[Operation]:
        with self._lock:
            kept = list(self._operations)
        return kept[-last:] if last else kept

    def runs(self) -> list[PaymentRun]:
        with self._lock:
            return list(self._runs)

    def transactions(self) -> list[TransactionRecord]:
        with self._lock:
            return list(self._transactions.values())

    # --- the modes -------------------------------------------------------------------------

    def _play(self, run: PaymentRun, slow_seconds: float) -> None:
        try:
            if run.mode == "wrong-amount":
                self._wrong_amount(run)
            else:
                self._check_and_create(run)
                if run.mode == "never":
                    run.verdict = "created, never performed"
                    return
                if run.mode == "slow":
                    log.info("waiting %.1f s before PerformTransaction", slow_seconds)
                    time.sleep(slow_seconds)
                performed = self._perform(run)
                run.verdict = "paid"
                if run.mode == "twice":
                    self._repeat(run, performed)
                elif run.mode == "cancel-after":
                    self._refund(run)
        except _StopRun:
            run.verdict = "failed"
        except Exception as exc:  # a run on a thread must report, never vanish
            log.exception("payment run crashed")
            run.problems.append(f"crashed: {exc}")
            run.verdict = "failed"
        finally:
            run.finished = True
            log.info("finished: %s", run.summary())

    def _wrong_amount(self, run: PaymentRun) -> None:
        amount = run.amount_tiyin - WRONG_AMOUNT_SHORTFALL_TIYIN
        self._call(
            run, "CheckPerformTransaction", self._order_params(run, amount), None,
            expect_errors={WRONG_AMOUNT},
        )  # fmt: skip
        run.verdict = "refused as it should be: nothing paid"

    def _check_and_create(self, run: PaymentRun) -> None:
        result = self._call(
            run, "CheckPerformTransaction", self._order_params(run, run.amount_tiyin), None
        )
        if not result.get("allow"):
            self._problem(run, f"CheckPerformTransaction did not allow: {result}")
        self._create(run, new_transaction_id())

    def _create(self, run: PaymentRun, transaction_id: str) -> dict[str, Any]:
        create_time = now_ms()
        self._remember(run, transaction_id, create_time)
        params = {"id": transaction_id, "time": create_time, **self._order_params(run)}
        result = self._call(run, "CreateTransaction", params, transaction_id)
        self._expect_state(run, "CreateTransaction", result, STATE_CREATED)
        return result

    def _perform(self, run: PaymentRun) -> dict[str, Any]:
        transaction_id = run.transaction_ids[0]
        result = self._call(run, "PerformTransaction", {"id": transaction_id}, transaction_id)
        self._expect_state(run, "PerformTransaction", result, STATE_PERFORMED)
        return result

    def _repeat(self, run: PaymentRun, performed: dict[str, Any]) -> None:
        """Payme retries calls it got no answer to: the same id must change nothing."""
        first_id = run.transaction_ids[0]
        record = self._transactions[first_id]
        create = self._call(
            run, "CreateTransaction",
            {"id": first_id, "time": record.create_time_ms, **self._order_params(run)},
            first_id, expect_errors={CANNOT_PERFORM}, error_or_result=True,
        )  # fmt: skip
        if isinstance(create, dict) and create.get("transaction") != record.merchant_transaction:
            self._problem(run, "repeated CreateTransaction gave another merchant transaction")
        again = self._perform(run)
        if again.get("perform_time") != performed.get("perform_time"):
            self._problem(run, "repeated PerformTransaction changed perform_time")
        second_id = new_transaction_id()
        self._remember(run, second_id, now_ms())
        self._call(
            run, "CreateTransaction",
            {"id": second_id, "time": now_ms(), **self._order_params(run)},
            second_id, expect_errors=ORDER_REFUSALS | {CANNOT_PERFORM}, allow_stop=False,
        )  # fmt: skip
        run.verdict = (
            "paid once; the repeat changed nothing and a second transaction was refused"
            if not run.problems
            else "paid, but the repeats were not answered as they should be"
        )

    def _refund(self, run: PaymentRun) -> None:
        transaction_id = run.transaction_ids[0]
        result = self._call(
            run, "CancelTransaction", {"id": transaction_id, "reason": REFUND_REASON},
            transaction_id,
        )  # fmt: skip
        self._expect_state(run, "CancelTransaction", result, STATE_CANCELLED_AFTER_PERFORM)
        check = self._call(run, "CheckTransaction", {"id": transaction_id}, transaction_id)
        self._expect_state(run, "CheckTransaction", check, STATE_CANCELLED_AFTER_PERFORM)
        if check.get("reason") != REFUND_REASON:
            self._problem(
                run, f"CheckTransaction reason {check.get('reason')}, not {REFUND_REASON}"
            )
        run.verdict = "paid, then cancelled for a refund"

    # --- calls and their records ------------------------------------------------------------

    @staticmethod
    def _order_params(run: PaymentRun, amount: int | None = None) -> dict[str, Any]:
        amount = run.amount_tiyin if amount is None else amount
        return {"amount": amount, "account": {"order_id": run.account}}

    def _call(
        self,
        run: PaymentRun,
        method: str,
        params: dict[str, Any],
        transaction_id: str | None,
        *,
        expect_errors: frozenset[int] | set[int] | None = None,
        error_or_result: bool = False,
        allow_stop: bool = True,
    ) -> Any:
        """Make one call and record it; a surprise stops the run unless ``allow_stop`` is off.

        With ``expect_errors`` an error of those codes is what should happen (and is returned);
        ``error_or_result`` also accepts a result instead.
        """
        error_code: int | None = None
        result: dict[str, Any] | None = None
        answer: Any
        try:
            answer = result = self._client.call(method, params)
            outcome = describe_result(result)
            as_expected = expect_errors is None or error_or_result
        except MerchantApiError as exc:
            answer, error_code, outcome = exc, exc.code, exc.describe()
            as_expected = expect_errors is not None and exc.code in expect_errors
        except ProviderError as exc:
            answer, outcome, as_expected = exc, f"error: {exc}", False
        operation = Operation(
            now_ms(), method, transaction_id, outcome, as_expected, error_code, result
        )
        self._record(run, operation)
        if transaction_id is not None and result is not None:
            self._note_transaction(transaction_id, result)
        if not as_expected:
            self._problem(run, f"{method}: {outcome}")
            if allow_stop:
                raise _StopRun
        return answer

    def _remember(self, run: PaymentRun, transaction_id: str, create_time: int) -> None:
        if transaction_id in run.transaction_ids:
            return
        run.transaction_ids.append(transaction_id)
        with self._lock:
            self._transactions[transaction_id] = TransactionRecord(
                transaction_id, run.account, run.amount_tiyin, run.mode, create_time
            )

    def _record(self, run: PaymentRun, operation: Operation) -> None:
        with self._lock:
            self._operations.append(operation)
            run.operations.append(operation)
        log.log(logging.INFO if operation.as_expected else logging.WARNING, operation.line())

    def _note_transaction(self, transaction_id: str, result: dict[str, Any]) -> None:
        with self._lock:
            record = self._transactions.get(transaction_id)
            if record is None:
                return
            if "state" in result:
                record.state = int(result["state"])
            if result.get("transaction") is not None and record.merchant_transaction is None:
                record.merchant_transaction = str(result["transaction"])

    def _expect_state(
        self, run: PaymentRun, method: str, result: dict[str, Any], state: int
    ) -> None:
        if result.get("state") != state:
            self._problem(run, f"{method} returned state {result.get('state')}, not {state}")
            raise _StopRun

    @staticmethod
    def _problem(run: PaymentRun, text: str) -> None:
        if text not in run.problems:
            run.problems.append(text)

    # --- servers -----------------------------------------------------------------------------

    def start(self) -> None:
        """Start the checkout page and the control socket, where ports were asked for."""
        from payments.provider_control import start_servers

        if not self._servers:
            self._servers = start_servers(
                self, self._requested_checkout_port, self._requested_control_port
            )
            self.checkout_port = self._servers[0].port
            self.control_port = self._servers[1].port

    def stop(self) -> None:
        for server in self._servers:
            server.stop()
        self._servers = []
        self._client.close()

    def __enter__(self) -> PaymeSimulator:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
