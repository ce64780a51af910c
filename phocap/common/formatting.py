"""Money and date formatting used by templates, exports and PDFs."""

import datetime

from django.utils import translation


def format_vnd(amount: int | None, *, symbol: bool = True) -> str:
    """405000000 → "405.000.000 ₫" (Vietnamese) or "405,000,000 ₫" (English)."""
    if amount is None:
        return ""
    sep = "," if (translation.get_language() or "vi").startswith("en") else "."
    text = f"{int(amount):,}".replace(",", sep)
    return f"{text} ₫" if symbol else text


def format_number(value: int | None) -> str:
    return format_vnd(value, symbol=False)


def _local(value):
    from django.utils import timezone

    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def format_document_date(value: datetime.date | datetime.datetime | None) -> str:
    """The date line of an administrative document (Decree 30/2020/NĐ-CP): days below 10
    and the months 1 and 2 take a leading zero: "ngày 05 tháng 9 năm 2023",
    "ngày 15 tháng 02 năm 2024". Documents are Vietnamese whatever the UI language."""
    if value is None:
        return ""
    value = _local(value)
    month = f"{value.month:02d}" if value.month <= 2 else str(value.month)
    return f"ngày {value.day:02d} tháng {month} năm {value.year}"


def format_date(value: datetime.date | datetime.datetime | None) -> str:
    """Always dd/mm/yyyy, as officials write it."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return _local(value).strftime("%d/%m/%Y %H:%M")
    return value.strftime("%d/%m/%Y")
