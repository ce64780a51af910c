"""Upper bounds on amounts and counts, the same in forms, services and database constraints.

Far above any real programme, far below what overflows a sum: a typo of a few extra
zeros (or a hostile form) is refused instead of breaking every fund page.
"""

from django.utils.translation import gettext as _

from .errors import CommonCode, DomainError
from .formatting import format_vnd

# One pledge, gift or purchase: a thousand billion đồng.
MAX_AMOUNT_VND = 1_000_000_000_000
# One phone: a hundred million đồng.
MAX_PHONE_PRICE_VND = 100_000_000
# Phones in one pledge, gift or purchase.
MAX_PHONES = 1_000_000


def require_at_most(value: int | None, maximum: int, label: str, *, money: bool = True) -> None:
    if value is not None and value > maximum:
        shown = format_vnd(maximum) if money else f"{maximum:,}".replace(",", ".")
        raise DomainError(_("%(field)s quá lớn: tối đa %(max)s.") % {"field": label, "max": shown},
                          code=CommonCode.TOO_LARGE)
