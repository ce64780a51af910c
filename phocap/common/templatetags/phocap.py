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
