"""Reasons distribution stores on history and ledger rows, by code (`errors.Code`),
shown in the reader's language by `phocap.common.messages`; registered from ready()."""

from django.utils.translation import gettext_lazy

from phocap.common import messages

from .errors import Code

TEXTS = {
    Code.REASON_CARRIED_OVER: gettext_lazy("Chuyển sang đơn vị hành chính mới (%(p)s)"),
    Code.REASON_CARRY_OVER_UNDONE: gettext_lazy("Hoàn tác việc chuyển sang đơn vị hành chính mới"),
}


def register() -> None:
    messages.register(TEXTS)
    # Rows written before reasons were stored as codes (in the actor's language then).
    messages.register_legacy(r"Chuyển sang đơn vị hành chính mới \((?P<p>.*)\)", Code.REASON_CARRIED_OVER)
    messages.register_legacy("Hoàn tác việc chuyển sang đơn vị hành chính mới", Code.REASON_CARRY_OVER_UNDONE)
