"""The citizen's receipt as data, worded in the session's language."""

from __future__ import annotations

from datetime import datetime

from backend.contracts import PaymentOrderView, group_case_number
from config.profiles import Category, KioskProfile, Service
from kiosk.i18n import Translator
from kiosk.messages import service_kind_name
from kiosk.money_text import som_text
from printing.receipt import Receipt


def build_receipt(
    tr: Translator,
    profile: KioskProfile,
    service: Service,
    category: Category,
    case_number: str,
    qr_data: str,
    submitted_at: datetime,
    payment: PaymentOrderView | None = None,
) -> Receipt:
    """A receipt for a registered case; dates are shown in Tashkent time."""
    _ = tr.gettext
    fields = [
        (_("Type"), service_kind_name(tr, service.kind)),
        (_("Subject"), _(category.title)),
        (_("Date and time"), tr.format_datetime(submitted_at)),
        (_("Kiosk"), profile.kiosk.code),
    ]
    if profile.kiosk.office:
        fields.append((_("Office"), _(profile.kiosk.office)))
    if payment is not None:
        fields.append((_("State fee paid"), som_text(tr, payment.amount_tiyin)))
        fields.append((_("Payment"), f"{payment.provider.capitalize()} {payment.account}"))
        if payment.transaction_id:
            fields.append((_("Transaction"), payment.transaction_id))
    return Receipt(
        title=_("Smart migration station"),
        service=_(service.title),
        fields=fields,
        case_number_label=_("Case number"),
        case_number=group_case_number(case_number),
        qr_data=qr_data,
        follow_hint=_(
            "To follow your case, scan this QR code with your phone, or type the case number "
            "at any station under “Check my case”."
        ),
        footer=_("Keep this receipt until your case is closed."),
    )
