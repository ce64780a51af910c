"""Money and date formatting used by templates, exports and PDFs."""

import datetime

from django.utils import dateformat, formats, translation


def format_number(value: float | int | None, *, decimals: int = 0) -> str:
    """A number in the active language's style (phocap/formats): 784500000 → "784.500.000"
    in Vietnamese, "784,500,000" in English; 2.7 with one decimal → "2,7" / "2.7"."""
    if value is None:
        return ""
    if not decimals:
        value = int(round(value))
    return formats.number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)


def format_vnd(amount: int | None, *, symbol: bool = True) -> str:
    """405000000 → "405.000.000 ₫" (Vietnamese) or "405,000,000 ₫" (English)."""
    if amount is None:
        return ""
    text = format_number(amount)
    return f"{text} ₫" if symbol else text


def format_percent(ratio: float | None, *, decimals: int = 1) -> str:
    """0.027 → "2,7%" in Vietnamese, "2.7%" in English (like the numbers beside it); None → "—"."""
    if ratio is None:
        return "—"
    return f"{format_number(float(ratio) * 100, decimals=decimals)}%"


def _local(value):
    from django.utils import timezone

    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def format_document_date(value: datetime.date | datetime.datetime | None) -> str:
    """The date line of a document in the active language. Vietnamese follows Decree
    30/2020/NĐ-CP: days below 10 and the months 1 and 2 take a leading zero ("ngày 05
    tháng 9 năm 2023", "ngày 15 tháng 02 năm 2024"); English reads "5 September 2023"."""
    if value is None:
        return ""
    value = _local(value)
    if not (translation.get_language() or "vi").startswith("vi"):
        return dateformat.format(value, "j F Y")
    month = f"{value.month:02d}" if value.month <= 2 else str(value.month)
    return f"ngày {value.day:02d} tháng {month} năm {value.year}"


def format_date(value: datetime.date | datetime.datetime | None) -> str:
    """Always dd/mm/yyyy, as officials write it."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return _local(value).strftime("%d/%m/%Y %H:%M")
    return value.strftime("%d/%m/%Y")
