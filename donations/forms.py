"""Input forms. They validate and shape input; the services decide the rules."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from phocap.accounts.models import Role
from phocap.common.formatting import format_number
from phocap.common.forms import OnceOnlyForm
from phocap.common.limits import MAX_AMOUNT_VND, MAX_PHONE_PRICE_VND, MAX_PHONES

from .models import Donation, Donor, Pledge
from .selectors import donors_visible_to, writable_units

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


def vnd_digits(text: str) -> str:
    """"2.000.000", "2,000,000", "2 000 000 ₫" → "2000000": amounts as people type them."""
    for noise in (".", ",", " ", "₫", "đ"):
        text = text.replace(noise, "")
    return text


class VndInput(forms.TextInput):
    """Shows a stored amount as officials write it: 50000000 → "50.000.000" (in the UI language)."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "numeric", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, int):
            return format_number(value)
        return super().format_value(value)


class VndField(forms.IntegerField):
    """Whole đồng; accepts "2.000.000", "2,000,000" or "2 000 000" as users type them."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", MAX_AMOUNT_VND)
        kwargs.setdefault("widget", VndInput())
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = vnd_digits(value)
        return super().to_python(value)


class DonorForm(OnceOnlyForm):
    kind = forms.ChoiceField(label=_("Loại"), choices=Donor.Kind.choices)
    name = forms.CharField(label=_("Tên"), max_length=255)
    tax_code = forms.CharField(label=_("Mã số thuế"), max_length=20, required=False,
                               help_text=_("Bắt buộc với doanh nghiệp."))
    representative = forms.CharField(label=_("Người đại diện"), max_length=255, required=False)
    phone = forms.CharField(label=_("Điện thoại"), max_length=30, required=False,
                            widget=forms.TextInput(attrs={"type": "tel"}))
    address = forms.CharField(label=_("Địa chỉ"), max_length=500, required=False)
    unit = forms.ModelChoiceField(label=_("Thuộc đơn vị"), queryset=None)
    public_consent = forms.BooleanField(label=_("Đồng ý công khai tên trên bảng vinh danh"), required=False)
    note = forms.CharField(label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    confirm_duplicate = forms.BooleanField(label=_("Tôi đã kiểm tra: đây là nhà tài trợ khác"), required=False)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        if units.count() == 1:
            self.fields["unit"].initial = units.first()

    def payload(self) -> dict:
        data = super().payload()
        data.pop("confirm_duplicate", None)
        return data


class PledgeForm(OnceOnlyForm):
    donor = forms.ModelChoiceField(label=_("Nhà tài trợ"), queryset=None)
    pledged_on = forms.DateField(label=_("Ngày cam kết"), widget=DATE_INPUT, input_formats=DATE_FORMATS,
                                 initial=timezone.localdate)
    occasion = forms.CharField(label=_("Dịp"), max_length=255, required=False,
                               help_text=_("Ví dụ: Lễ phát động 11/8/2023"))
    cash_vnd = VndField(label=_("Số tiền cam kết (₫)"), required=False)
    phones = forms.IntegerField(label=_("Số điện thoại cam kết"), min_value=0, max_value=MAX_PHONES, required=False)
    due_date = forms.DateField(label=_("Hạn thực hiện"), widget=DATE_INPUT, input_formats=DATE_FORMATS,
                               required=False)
    note = forms.CharField(label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["donor"].queryset = donors_visible_to(user).order_by("name_ascii")
        if editing:  # the donor of a pledge does not change
            self.fields["donor"].disabled = True

    def clean(self):
        data = super().clean()
        data["cash_vnd"] = data.get("cash_vnd") or 0
        data["phones"] = data.get("phones") or 0
        if not data["cash_vnd"] and not data["phones"] and not self.errors:
            raise forms.ValidationError(_("Hãy nhập số tiền hoặc số điện thoại cam kết."))
        return data


class DonationForm(OnceOnlyForm):
    donor = forms.ModelChoiceField(label=_("Nhà tài trợ"), queryset=None)
    unit = forms.ModelChoiceField(label=_("Đơn vị tiếp nhận"), queryset=None)
    received_on = forms.DateField(label=_("Ngày tiếp nhận"), widget=DATE_INPUT, input_formats=DATE_FORMATS,
                                  initial=timezone.localdate)
    cash_vnd = VndField(label=_("Số tiền (₫)"), required=False)
    cash_method = forms.ChoiceField(label=_("Hình thức"), required=False,
                                    choices=[("", "—"), *Donation.CashMethod.choices])
    receipt_number = forms.CharField(label=_("Số phiếu thu / chứng từ"), max_length=50, required=False)
    phones_count = forms.IntegerField(label=_("Số điện thoại hiện vật"), min_value=0, max_value=MAX_PHONES,
                                      required=False)
    phone_model = forms.CharField(label=_("Loại máy"), max_length=120, required=False)
    phone_condition = forms.ChoiceField(label=_("Tình trạng máy"), required=False,
                                        choices=[("", "—"), *Donation.PhoneCondition.choices])
    phone_unit_value_vnd = VndField(label=_("Giá trị mỗi máy (₫)"), required=False, max_value=MAX_PHONE_PRICE_VND,
                                    help_text=_("Để trống: theo đơn giá của chương trình."))
    pledge = forms.ModelChoiceField(label=_("Thực hiện cam kết"), queryset=None, required=False)
    note = forms.CharField(label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, programme, pledge_id: str | None = None, **kwargs):
        """`pledge_id` (from "Record a gift fulfilling this pledge") prefills the pledge and its donor."""
        super().__init__(*args, **kwargs)
        self.fields["donor"].queryset = donors_visible_to(user).order_by("name_ascii")
        units = writable_units(user=user, programme=programme)
        self.fields["unit"].queryset = units
        self.fields["unit"].initial = units.first()
        pledges = Pledge.objects.for_user(user).filter(
            programme=programme, cancelled_at__isnull=True).select_related("donor").order_by("-pledged_on")
        self.fields["pledge"].queryset = pledges
        if pledge_id and pledge_id.isdigit() and (pledge := pledges.filter(pk=pledge_id).first()):
            self.initial.update(pledge=pledge, donor=pledge.donor)

    def clean(self):
        data = super().clean()
        data["cash_vnd"] = data.get("cash_vnd") or 0
        data["phones_count"] = data.get("phones_count") or 0
        data["phone_unit_value_vnd"] = data.get("phone_unit_value_vnd") or 0
        if self.errors:
            return data
        if not data["cash_vnd"] and not data["phones_count"]:
            raise forms.ValidationError(_("Hãy nhập số tiền hoặc số điện thoại hiện vật."))
        if data["cash_vnd"] and not data.get("cash_method"):
            self.add_error("cash_method", _("Hãy chọn tiền mặt hoặc chuyển khoản."))
        if data["phones_count"] and not data.get("phone_condition"):
            self.add_error("phone_condition", _("Hãy chọn tình trạng máy."))
        return data


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("Lý do đảo"), max_length=500)


class CancelPledgeForm(forms.Form):
    reason = forms.CharField(label=_("Lý do hủy"), max_length=500)


class ProcurementForm(OnceOnlyForm):
    supplier = forms.CharField(label=_("Nhà cung cấp"), max_length=255)
    purchased_on = forms.DateField(label=_("Ngày mua"), widget=DATE_INPUT, input_formats=DATE_FORMATS,
                                   initial=timezone.localdate)
    unit_price_vnd = VndField(label=_("Đơn giá (₫)"), min_value=1, max_value=MAX_PHONE_PRICE_VND)
    quantity = forms.IntegerField(label=_("Số lượng"), min_value=1, max_value=MAX_PHONES)
    invoice_number = forms.CharField(label=_("Số hóa đơn"), max_length=50, required=False)
    phone_model = forms.CharField(label=_("Loại máy"), max_length=120, required=False)
    unit = forms.ModelChoiceField(label=_("Đơn vị nhận máy"), queryset=None)
    note = forms.CharField(label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, programme, **kwargs):
        super().__init__(*args, **kwargs)
        units = writable_units(user=user, programme=programme, roles=[Role.PROVINCE_STAFF])
        self.fields["unit"].queryset = units
        self.fields["unit"].initial = units.first()
        self.fields["unit_price_vnd"].initial = programme.default_phone_price_vnd


class AcknowledgeForm(forms.Form):
    kind = forms.ChoiceField(label=_("Loại văn bản"), choices=Donation.AckKind.choices)
