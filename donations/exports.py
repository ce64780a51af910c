"""Export of purchases (the procurement list of a programme, as the page shows it)."""

from django.utils.translation import gettext_lazy as _

from phocap.common.excel import VND_FORMAT
from phocap.exports.registry import Column, Export
from phocap.programmes.models import Programme

from . import selectors


def procurements(user, params):
    pid = params.get("programme", "")
    programme = Programme.objects.for_user(user).filter(pk=pid).first() if pid.isdigit() else None
    if programme is None:
        return selectors.procurement_list(user=user).none()
    return selectors.procurement_list(user=user, programme=programme)


EXPORTS = [
    Export("procurements", "mua-sam", _("Mua sắm"), (
        Column(_("Ngày mua"), lambda p: p.purchased_on),
        Column(_("Nhà cung cấp"), lambda p: p.supplier),
        Column(_("Số hóa đơn"), lambda p: p.invoice_number),
        Column(_("Loại máy"), lambda p: p.phone_model),
        Column(_("Số lượng"), lambda p: p.quantity, "#,##0"),
        Column(_("Đơn giá (₫)"), lambda p: p.unit_price_vnd, VND_FORMAT),
        Column(_("Thành tiền (₫)"), lambda p: p.total_vnd, VND_FORMAT),
        Column(_("Đơn vị nhận máy"), lambda p: p.unit.full_name),
    ), procurements),
]
