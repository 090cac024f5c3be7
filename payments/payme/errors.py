"""Payme merchant API error codes, with the messages Payme shows in three languages."""

from __future__ import annotations

from enum import IntEnum


class PaymeErrorCode(IntEnum):
    BAD_CREDENTIALS = -32504
    PARSE_ERROR = -32700
    INVALID_REQUEST = -32600
    METHOD_NOT_FOUND = -32601
    INTERNAL_ERROR = -32400
    WRONG_AMOUNT = -31001
    TRANSACTION_NOT_FOUND = -31003
    CANNOT_CANCEL = -31007
    CANNOT_PERFORM = -31008
    ORDER_NOT_FOUND = -31050
    ORDER_BUSY = -31099


MESSAGES: dict[PaymeErrorCode, dict[str, str]] = {
    PaymeErrorCode.BAD_CREDENTIALS: {
        "ru": "Недостаточно привилегий для выполнения метода",
        "uz": "Usulni bajarish uchun huquq yetarli emas",
        "en": "Insufficient privileges to perform this method",
    },
    PaymeErrorCode.PARSE_ERROR: {
        "ru": "Ошибка разбора JSON",
        "uz": "JSON tahlilida xatolik",
        "en": "Malformed JSON",
    },
    PaymeErrorCode.INVALID_REQUEST: {
        "ru": "Неверный запрос: отсутствуют или неверны поля",
        "uz": "Noto'g'ri so'rov: maydonlar yo'q yoki noto'g'ri",
        "en": "Invalid request: fields are missing or of the wrong type",
    },
    PaymeErrorCode.METHOD_NOT_FOUND: {
        "ru": "Запрашиваемый метод не найден",
        "uz": "So'ralgan usul topilmadi",
        "en": "Method not found",
    },
    PaymeErrorCode.INTERNAL_ERROR: {
        "ru": "Системная ошибка",
        "uz": "Tizim xatosi",
        "en": "System error",
    },
    PaymeErrorCode.WRONG_AMOUNT: {
        "ru": "Неверная сумма",
        "uz": "Noto'g'ri summa",
        "en": "Wrong amount",
    },
    PaymeErrorCode.TRANSACTION_NOT_FOUND: {
        "ru": "Транзакция не найдена",
        "uz": "Tranzaksiya topilmadi",
        "en": "Transaction not found",
    },
    PaymeErrorCode.CANNOT_CANCEL: {
        "ru": "Невозможно отменить транзакцию",
        "uz": "Tranzaksiyani bekor qilib bo'lmaydi",
        "en": "The transaction cannot be cancelled",
    },
    PaymeErrorCode.CANNOT_PERFORM: {
        "ru": "Невозможно выполнить операцию",
        "uz": "Amalni bajarib bo'lmaydi",
        "en": "The operation cannot be performed",
    },
    PaymeErrorCode.ORDER_NOT_FOUND: {
        "ru": "Заказ не найден или недоступен для оплаты",
        "uz": "Buyurtma topilmadi yoki to'lov uchun mavjud emas",
        "en": "The order was not found or cannot be paid",
    },
    PaymeErrorCode.ORDER_BUSY: {
        "ru": "Заказ уже оплачивается другой транзакцией",
        "uz": "Buyurtma boshqa tranzaksiya orqali to'lanmoqda",
        "en": "The order is already being paid by another transaction",
    },
}


class MerchantError(Exception):
    """A JSON-RPC error answer; ``data`` names the account field an account error is about."""

    def __init__(self, code: PaymeErrorCode, data: str | None = None) -> None:
        super().__init__(f"{int(code)} {code.name}")
        self.code = code
        self.data = data

    def to_json(self) -> dict[str, object]:
        error: dict[str, object] = {"code": int(self.code), "message": MESSAGES[self.code]}
        if self.data is not None:
            error["data"] = self.data
        return error
