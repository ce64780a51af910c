from django import template

from phocap.common import messages
from phocap.common.formatting import (
    format_date,
    format_document_date,
    format_number,
    format_percent,
    format_vnd,
)

register = template.Library()


@register.filter
def vnd(value):
    return format_vnd(value)


@register.filter
def num(value):
    return format_number(value)


@register.filter
def ddmmyyyy(value):
    return format_date(value)


@register.filter
def document_date(value):
    return format_document_date(value)


@register.filter
def percent(value, digits=1):
    return format_percent(value, decimals=int(digits))


@register.simple_tag(takes_context=True)
def sort_link(context, column: str, label) -> str:
    """A column header that sorts the table by `column` (?sap_xep=), highest first on the
    second click; keeps the other query parameters, back to page 1; marks the current order."""
    from django.utils.html import format_html

    request = context["request"]
    current = request.GET.get("sap_xep", "")
    wanted = f"-{column}" if current == column else column
    query = request.GET.copy()
    query["sap_xep"] = wanted
    query.pop("page", None)
    arrow = " ▲" if current == column else " ▼" if current == f"-{column}" else ""
    sort = "ascending" if current == column else "descending" if current == f"-{column}" else None
    return format_html('<a href="?{}"{}>{}{}</a>', query.urlencode(),
                       format_html(' aria-sort="{}"', sort) if sort else "", label, arrow)


@register.filter
def num_decimal(value, digits=1):
    """A number with `digits` decimals in the active language's style (2.7 → "2,7" / "2.7")."""
    return format_number(value, decimals=int(digits))


# --- units on documents (phocap.areas.naming) ---------------------------------------------

@register.filter
def unit_on(unit, when):
    """`{{ batch.from_unit|unit_on:batch.dispatched_at|committee_upper }}`: the unit of that day."""
    from phocap.areas.naming import unit_on as _unit_on

    return _unit_on(unit, when)


@register.filter
def committee(unit):
    """"Ủy ban nhân dân tỉnh Bắc Kạn"."""
    from phocap.areas.naming import committee as _committee

    return _committee(unit) if unit is not None else ""


@register.filter
def committee_upper(unit):
    """"UBND TỈNH BẮC KẠN" (letterheads)."""
    from phocap.areas.naming import committee_upper as _committee_upper

    return _committee_upper(unit) if unit is not None else ""


@register.filter
def official_name(unit):
    """"tỉnh Bắc Kạn" inside a sentence."""
    from phocap.areas.naming import official_name as _official_name

    return _official_name(unit) if unit is not None else ""


@register.filter
def stored_text(value):
    """A text the system stored as a code (phocap.common.messages) in the reader's
    language; anything else as stored."""
    return messages.text(value)


@register.filter
def error_text(error):
    """A stored row error ({"code", "params"} or a legacy {"message"}) in the reader's language."""
    return messages.error_text(error)
