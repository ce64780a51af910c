from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from phocap.common.forms import OnceOnlyForm

from .models import Visit

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]


class VisitForm(OnceOnlyForm):
    visited_on = forms.DateField(label=_("Ngày thăm (dd/mm/yyyy)"), input_formats=DATE_FORMATS)
    vneid_level = forms.TypedChoiceField(label=_("Tài khoản định danh điện tử VNeID"), coerce=int,
                                         choices=Visit.Vneid.choices, widget=forms.RadioSelect, initial=0)
    online_service_used = forms.BooleanField(label=_("Đã dùng dịch vụ công trực tuyến"), required=False)
    cashless_account_open = forms.BooleanField(label=_("Đã mở tài khoản thanh toán không dùng tiền mặt"),
                                               required=False)
    cashless_used = forms.BooleanField(label=_("Đã dùng thanh toán không dùng tiền mặt"), required=False)
    phone_status = forms.ChoiceField(label=_("Tình trạng máy"), choices=Visit.PhoneStatus.choices,
                                     widget=forms.RadioSelect, initial=Visit.PhoneStatus.IN_USE)
    note = forms.CharField(label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visited_on"].initial = timezone.localdate().strftime("%d/%m/%Y")
