from django import forms
from django.utils.translation import gettext_lazy as _

from phocap.areas.models import AdminUnit
from phocap.common.forms import OnceOnlyForm

from . import imports
from .models import Category, Household, Sex


class UploadForm(OnceOnlyForm):
    commune = forms.ModelChoiceField(queryset=AdminUnit.objects.none(), label=_("Xã/phường"))
    file = forms.FileField(label=_("File danh sách hộ (.xlsx, .xls hoặc .csv)"))

    def __init__(self, *args, communes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = communes if communes is not None else AdminUnit.objects.none()
        if communes is not None and len(communes) == 1:
            self.fields["commune"].initial = communes[0]

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > imports.MAX_FILE_BYTES:
            raise forms.ValidationError(_("File quá lớn; tối đa %(max)d MB. Hãy chia theo thôn.") % {
                "max": imports.MAX_FILE_BYTES // 1_000_000})
        return f


class ConfirmForm(forms.Form):
    skip_invalid = forms.BooleanField(required=False, label=_("Chỉ nhập các dòng hợp lệ, bỏ qua dòng lỗi"))


class FilterForm(forms.Form):
    q = forms.CharField(required=False, label=_("Tìm theo tên (không cần dấu) hoặc số CCCD"))
    commune = forms.ModelChoiceField(queryset=AdminUnit.objects.none(), required=False, label=_("Xã"))
    village = forms.ModelChoiceField(queryset=AdminUnit.objects.none(), required=False, label=_("Thôn/bản"))
    category = forms.ChoiceField(choices=[("", _("Mọi diện"))] + list(Category.choices), required=False,
                                 label=_("Diện"))
    status = forms.ChoiceField(choices=[("", _("Mọi tình trạng"))] + list(Household.Status.choices),
                               required=False, label=_("Tình trạng"))
    received = forms.ChoiceField(choices=[("", _("Tất cả")), ("yes", _("Đã nhận điện thoại")),
                                          ("no", _("Chưa nhận"))], required=False, label=_("Điện thoại"))

    def __init__(self, *args, communes=None, villages=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = communes if communes is not None else AdminUnit.objects.none()
        self.fields["village"].queryset = villages if villages is not None else AdminUnit.objects.none()


class HouseholdForm(forms.ModelForm):
    categories = forms.MultipleChoiceField(choices=Category.choices, widget=forms.CheckboxSelectMultiple,
                                           label=_("Diện"))
    category_year = forms.IntegerField(required=False, min_value=1990, max_value=2100,
                                       label=_("Năm công nhận"))

    class Meta:
        model = Household
        fields = ["village", "code", "head_name", "head_citizen_id", "head_birth_year", "head_sex",
                  "head_ethnicity", "members", "adults", "adults_without_phone", "phone", "address",
                  "status", "notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = AdminUnit.objects.filter(parent=self.instance.commune_id,
                                                                   level=AdminUnit.Level.VILLAGE)
        self.fields["head_sex"].choices = [("", "—"), *Sex.choices]
        if self.instance.pk:
            cats = self.instance.category_list
            self.fields["categories"].initial = [code for code, _label, _year in cats]
            self.fields["category_year"].initial = next((year for _c, _l, year in cats if year), None)

    def clean_head_citizen_id(self):
        value = "".join((self.cleaned_data.get("head_citizen_id") or "").split())
        return value or None
