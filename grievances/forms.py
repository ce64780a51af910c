from django import forms
from django.utils.translation import gettext_lazy as _

from phocap.areas.models import AdminUnit
from phocap.common.forms import OnceOnlyForm

from .models import Grievance


class GrievanceForm(OnceOnlyForm):
    commune = forms.ModelChoiceField(label=_("Xã"), queryset=AdminUnit.objects.none())
    kind = forms.ChoiceField(label=_("Loại phản ánh"), choices=Grievance.Kind.choices, widget=forms.RadioSelect)
    description = forms.CharField(label=_("Nội dung"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    reporter_name = forms.CharField(label=_("Họ tên người phản ánh"), max_length=120, required=False)
    reporter_phone = forms.CharField(label=_("Số điện thoại"), max_length=15, required=False,
                                     widget=forms.TextInput(attrs={"inputmode": "tel"}))

    def __init__(self, *args, communes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = communes
        self.fields["commune"].label_from_instance = lambda u: u.full_name


class PublicGrievanceForm(GrievanceForm):
    # A field people never see: bots fill it in.
    website = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_website(self):
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(_("Không gửi được phản ánh."))
        return ""

    def payload(self) -> dict:
        return {k: v for k, v in super().payload().items() if k != "website"}


class HandleForm(forms.Form):
    outcome = forms.CharField(label=_("Kết quả xử lý"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
