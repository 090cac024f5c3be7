"""Registering a citizen's case: outbox first, then the backend if it answers, then the receipt."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from uuid import uuid4

from backend.contracts import CaseAccepted, CaseSubmission, make_case_number, status_url
from config.profiles import KioskProfile
from devices.printer.interface import (
    PrinterError,
    PrinterOffline,
    PrinterOutOfPaper,
    ReceiptPrinter,
)
from kiosk.backend_client import BackendClient, BackendRejected, BackendUnavailable
from kiosk.finger_results import finger_capture
from kiosk.i18n import translator
from kiosk.outbox import Outbox, SequenceFloorUnknown
from kiosk.receipt_builder import build_receipt
from kiosk.renumbering import learn_floor, send_numbered
from kiosk.session import CaseDraft, ErrorCode, SubmissionFailed, SubmissionOutcome
from printing.escpos_render import EscposOptions, receipt_to_escpos_bytes

log = logging.getLogger(__name__)

PrinterProvider = Callable[[], ReceiptPrinter | None]


def utc_now() -> datetime:
    return datetime.now(UTC)


class SubmissionService:
    """Turns a completed form into a registered case and a printed receipt.

    ``client`` should have a short timeout: when the backend does not answer at once, the case
    waits in the outbox, the outbox sync delivers it later, and the receipt is printed anyway.
    ``printer`` returns the receipt printer, or None while it cannot be opened.
    """

    def __init__(
        self,
        profile: KioskProfile,
        outbox: Outbox,
        client: BackendClient | None,
        printer: PrinterProvider,
        *,
        escpos_options: EscposOptions | None = None,
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        self._profile = profile
        self._outbox = outbox
        self._client = client
        self._printer = printer
        self._escpos_options = escpos_options or EscposOptions.from_printer_config(
            profile.devices.printer
        )
        self._now = now

    def submit(self, draft: CaseDraft) -> SubmissionOutcome:
        """Register the case (never twice), then print its receipt.

        The receipt only ever carries a number no other case has: a kiosk that has never
        learnt its sequence floor from the backend numbers nothing while offline, and a
        number the backend says is taken is replaced before anything is shown or printed.
        """
        sequence = self._sequence()
        try:
            case_number = make_case_number(self._profile.kiosk.code, sequence)
            submission = CaseSubmission(
                submission_id=uuid4(),
                case_number=case_number,
                service_code=draft.service.code,
                service_kind=draft.service.kind,
                category_code=draft.category.code,
                language=draft.language,
                text=draft.text,
                phone=draft.phone,
                consent=True,
                submitted_at=self._now(),
                personal_number=draft.personal_number,
                verification_id=draft.verification_id,
                fingerprints=[finger_capture(result) for result in draft.fingers],
                payment_order_id=draft.payment.order_id if draft.payment else None,
            )
            self._outbox.add(submission)
        except Exception as error:
            raise SubmissionFailed(str(error)) from error
        accepted, submission = self._send_now(submission)
        case_number = submission.case_number
        qr_data = accepted.status_url if accepted else self._offline_qr_data(case_number)
        receipt = build_receipt(
            translator(draft.language),
            self._profile,
            draft.service,
            draft.category,
            case_number,
            qr_data,
            submission.submitted_at,
            draft.payment,
        )
        outcome = SubmissionOutcome(
            submission_id=submission.submission_id,
            case_number=case_number,
            qr_data=qr_data,
            delivered=accepted is not None,
            print_error=None,
            receipt=receipt,
        )
        return self._print(outcome)

    def reprint(self, outcome: SubmissionOutcome) -> SubmissionOutcome:
        """Print the same receipt again (after the paper was changed, say)."""
        return self._print(outcome)

    def _sequence(self) -> int:
        """The next sequence number, learning the floor from the backend first if needed."""
        try:
            try:
                return self._outbox.next_sequence(require_floor=True)
            except SequenceFloorUnknown:
                if self._client is None or learn_floor(self._client, self._outbox) is None:
                    raise
                return self._outbox.next_sequence(require_floor=True)
        except SequenceFloorUnknown as error:
            log.error("no case number issued: %s", error)
            self._refuse("no sequence floor learnt from the backend yet")
            raise SubmissionFailed(str(error), ErrorCode.NUMBERING_OFFLINE) from error
        except Exception as error:
            raise SubmissionFailed(str(error)) from error

    def _refuse(self, reason: str) -> None:
        try:
            self._outbox.record_numbering_refusal(reason)
        except Exception:
            log.exception("a numbering refusal could not be recorded")

    def _send_now(self, submission: CaseSubmission) -> tuple[CaseAccepted | None, CaseSubmission]:
        """The backend's answer (None while it waits in the outbox) and the submission as
        now numbered."""
        if self._client is None:
            return None, submission
        try:
            accepted, sent = send_numbered(self._client, self._outbox, submission)
        except BackendUnavailable as error:
            log.info(
                "backend unavailable, %s waits in the outbox: %s", submission.case_number, error
            )
            return None, self._stored(submission)
        except BackendRejected as error:
            if error.number_taken:
                self._give_up_numbering(submission, error)
            log.error(
                "backend refused %s; it stays in the outbox: %s", submission.case_number, error
            )
            return None, self._stored(submission)
        self._outbox.mark_sent(submission.submission_id, accepted)
        return accepted, sent

    def _stored(self, submission: CaseSubmission) -> CaseSubmission:
        entry = self._outbox.get(submission.submission_id)
        if entry is None:
            return submission
        # A sent entry keeps only its case number: the citizen's data is already scrubbed.
        return entry.submission or submission.model_copy(update={"case_number": entry.case_number})

    def _give_up_numbering(self, submission: CaseSubmission, error: BackendRejected) -> None:
        """Every fresh number was taken too: keep the entry as rejected, show no number."""
        log.error("no free case number for submission %s: %s", submission.submission_id, error)
        self._outbox.mark_rejected(submission.submission_id, str(error))
        self._refuse("every fresh case number was taken")
        raise SubmissionFailed(str(error), ErrorCode.NUMBER_UNAVAILABLE) from error

    def _offline_qr_data(self, case_number: str) -> str:
        """The status link computed with the link key the backend gave this kiosk, if any."""
        identity = self._outbox.load_identity()
        if identity is None or identity.code != self._profile.kiosk.code:
            # Never told its link key: the QR carries the bare number, which kiosks still read.
            log.warning("no backend identity cached; receipt QR holds the case number only")
            return case_number
        return status_url(
            identity.public_base_url, bytes.fromhex(identity.status_link_key), case_number
        )

    def _print(self, outcome: SubmissionOutcome) -> SubmissionOutcome:
        printer = self._printer()
        if printer is None:
            return replace(outcome, print_error=ErrorCode.PRINTER_UNAVAILABLE)
        try:
            printer.print_bytes(receipt_to_escpos_bytes(outcome.receipt, self._escpos_options))
        except PrinterOutOfPaper:
            return replace(outcome, print_error=ErrorCode.PRINTER_OUT_OF_PAPER)
        except PrinterOffline as error:
            log.warning("receipt of %s not printed: %s", outcome.case_number, error)
            return replace(outcome, print_error=ErrorCode.PRINTER_OFFLINE)
        except PrinterError as error:
            log.warning("receipt of %s not printed: %s", outcome.case_number, error)
            return replace(outcome, print_error=ErrorCode.PRINTER_UNAVAILABLE)
        except Exception:
            log.exception("printing the receipt of %s failed", outcome.case_number)
            return replace(outcome, print_error=ErrorCode.PRINTER_UNAVAILABLE)
        self._outbox.mark_printed(outcome.submission_id)
        return replace(outcome, print_error=None)
