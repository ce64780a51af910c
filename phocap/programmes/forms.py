"""Programme pages' forms: they shape input; the services decide the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from phocap.accounts.models import Role
from phocap.accounts.scoping import user_units
from phocap.areas.models import AdminUnit

from .models import Programme, ProgrammePlan

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
CATEGORY_CHOICES = [
    ("poor", _("Hộ nghèo")), ("near_poor", _("Hộ cận nghèo")), ("policy", _("Gia đình chính sách")),
    ("social_protection", _("Bảo trợ xã hội")), ("other", _("Khác")),
]


def staff_provinces(user):
    """Provinces (of either scheme) where the user is province staff; all for a superuser."""
    qs = AdminUnit.objects.filter(level=AdminUnit.Level.PROVINCE)
    if user.is_superuser:
        return qs.order_by("scheme", "name")
    ids = [u.pk for u in user_units(user, roles=[Role.PROVINCE_STAFF]) if u.level == AdminUnit.Level.PROVINCE]
    return qs.filter(pk__in=ids).order_by("scheme", "name")


class ProvinceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.full_name} ({AdminUnit.Scheme(obj.scheme).label})"


class ProgrammeForm(forms.Form):
    name = forms.CharField(label=_("Tên chương trình"), max_length=255)
    scheme = forms.ChoiceField(label=_("Hệ thống đơn vị"), choices=AdminUnit.Scheme.choices,
                               initial=AdminUnit.Scheme.NEW)
    province = ProvinceChoiceField(label=_("Tỉnh/thành phố"), queryset=AdminUnit.objects.none())
    start_date = forms.DateField(label=_("Ngày bắt đầu"), widget=DATE_INPUT, input_formats=DATE_FORMATS)
    end_date = forms.DateField(label=_("Ngày kết thúc"), widget=DATE_INPUT, input_formats=DATE_FORMATS,
                               required=False)
    default_phone_price_vnd = forms.IntegerField(label=_("Đơn giá điện thoại (₫)"), min_value=1,
                                                 initial=2_000_000)
    status = forms.ChoiceField(label=_("Trạng thái"), initial=Programme.Status.DRAFT,
                               choices=[(Programme.Status.DRAFT, Programme.Status.DRAFT.label),
                                        (Programme.Status.ACTIVE, Programme.Status.ACTIVE.label)])
    eligible_categories = forms.MultipleChoiceField(
        label=_("Diện hộ được nhận máy"), choices=CATEGORY_CHOICES, widget=forms.CheckboxSelectMultiple,
        initial=[c for c, _label in CATEGORY_CHOICES])
    one_phone_per_adult = forms.TypedChoiceField(
        label=_("Mức cấp"), coerce=lambda v: v == "1", initial="0", widget=forms.RadioSelect,
        choices=[("0", _("Mỗi hộ một máy")), ("1", _("Mỗi người lớn chưa có ĐTTM một máy"))])
    min_age = forms.IntegerField(label=_("Tuổi tối thiểu của người nhận"), min_value=18, initial=18)
    description = forms.CharField(label=_("Mô tả"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    reason = forms.CharField(label=_("Lý do thay đổi"), required=False,
                             help_text=_("Bắt buộc khi đổi ngày kết thúc của chương trình đã triển khai."))

    def __init__(self, *args, user, programme: Programme | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].queryset = staff_provinces(user)
        if programme is None:
            del self.fields["reason"]
        else:
            del self.fields["status"]  # the status has its own buttons
            if programme.status != Programme.Status.DRAFT or programme.targets.exists():
                for f in ("province", "scheme"):
                    self.fields[f].disabled = True

    def clean(self):
        data = super().clean()
        province, scheme = data.get("province"), data.get("scheme")
        if province and scheme and province.scheme != scheme:
            self.add_error("province", _("Tỉnh này không có trong hệ thống đơn vị đã chọn."))
        return data


PlanFormSet = forms.inlineformset_factory(
    Programme, ProgrammePlan, fields=["number", "issued_on", "title"], extra=1, can_delete=True,
    widgets={"issued_on": DATE_INPUT})


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Programme.Status.choices)
    reason = forms.CharField(label=_("Lý do"), required=False, max_length=500)


class ExtendForm(forms.Form):
    end_date = forms.DateField(label=_("Ngày kết thúc mới"), widget=DATE_INPUT, input_formats=DATE_FORMATS,
                               required=False, help_text=_("Để trống: không giới hạn."))
    reason = forms.CharField(label=_("Lý do gia hạn"), max_length=500)


class TargetForm(forms.Form):
    commune = forms.ModelChoiceField(label=_("Xã/phường"), queryset=AdminUnit.objects.none())
    baseline_adults = forms.IntegerField(label=_("Người lớn chưa có ĐTTM (ban đầu)"), min_value=0)
    target_adults = forms.IntegerField(label=_("Chỉ tiêu (người)"), min_value=0, required=False)

    def __init__(self, *args, programme: Programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = (AdminUnit.objects.subtree(programme.province)
                                           .filter(level=AdminUnit.Level.COMMUNE).order_by("path"))
        self.fields["commune"].label_from_instance = (
            lambda c: f"{c.name} ({c.code})")


class TargetImportForm(forms.Form):
    file = forms.FileField(label=_("File Excel danh sách xã mục tiêu (.xlsx)"))
