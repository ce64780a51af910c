from django import forms
from django.utils.translation import gettext_lazy as _


class VillageForm(forms.Form):
    name = forms.CharField(label=_("Tên thôn/bản/tổ"), max_length=120,
                           widget=forms.TextInput(attrs={"placeholder": _("VD: Bản Còn")}))
