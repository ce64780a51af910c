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


def format_date(value: datetime.date | datetime.datetime | None) -> str:
    """Always dd/mm/yyyy, as officials write it."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        from django.utils import timezone

        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%d/%m/%Y %H:%M")
    return value.strftime("%d/%m/%Y")
