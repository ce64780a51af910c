from django import template

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
