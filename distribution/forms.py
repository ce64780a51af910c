from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from beneficiaries.citizen_ids import require_valid_id
from phocap.accounts.models import WRITE_ROLES
from phocap.accounts.scoping import user_units
from phocap.areas.models import AdminUnit
from phocap.common.errors import DomainError
from phocap.common.forms import OnceOnlyForm
from phocap.programmes.models import Programme

from . import imeis as imei_rules
from .intake_jobs import EXTENSIONS
from .models import BatchLine, Device

# A typed or pasted list is checked in the request; longer lists come as a file (a job).
MAX_TYPED = 5000

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"]
IMEI_HELP = gettext_lazy("Mỗi dòng một IMEI: gõ, quét mã vạch (máy quét gõ kèm Enter) hoặc dán danh sách.")


def _programmes(user):
    return Programme.objects.for_user(user).filter(is_active=True).select_related("province")


class ProgrammeChoiceMixin:
    def _setup_programme(self, user):
        qs = _programmes(user)
        self.fields["programme"].queryset = qs
        if len(qs) == 1:
            self.fields["programme"].initial = qs[0].pk


class IntakeForm(ProgrammeChoiceMixin, OnceOnlyForm):
    programme = forms.ModelChoiceField(label=gettext_lazy("Chương trình"), queryset=Programme.objects.none())
    donation = forms.ModelChoiceField(label=gettext_lazy("Khoản ủng hộ hiện vật"), queryset=None, required=False)
    procurement = forms.ModelChoiceField(label=gettext_lazy("Hoặc đợt mua sắm"), queryset=None, required=False)
    model = forms.CharField(label=gettext_lazy("Loại máy"), max_length=120, required=False)
    condition = forms.ChoiceField(label=gettext_lazy("Tình trạng"), choices=[
        (Device.Condition.NEW, Device.Condition.NEW.label), (Device.Condition.USED, Device.Condition.USED.label)])
    imeis = forms.CharField(label=gettext_lazy("Danh sách IMEI"), required=False, help_text=IMEI_HELP,
                            widget=forms.Textarea(attrs={"rows": 8, "autofocus": True, "inputmode": "numeric",
                                                         "autocomplete": "off", "data-scan": "list"}))
    file = forms.FileField(label=gettext_lazy("Hoặc tệp Excel (cột IMEI)"), required=False)

    def __init__(self, *args, user, **kwargs):
        from donations.models import Donation, Procurement

        super().__init__(*args, **kwargs)
        self._setup_programme(user)
        self.fields["donation"].queryset = (
            Donation.objects.effective().filter(phones_count__gt=0).writable_by(user).select_related("donor").order_by("-received_on", "-pk"))
        self.fields["procurement"].queryset = Procurement.objects.writable_by(user).order_by("-purchased_on", "-pk")

    def clean(self):
        """A typed or pasted list is checked here (small: MAX_TYPED lines); a file is only
        named and sized: the worker reads it (distribution.intake_jobs)."""
        data = super().clean()
        if bool(data.get("donation")) == bool(data.get("procurement")):
            raise forms.ValidationError(_("Chọn đúng một nguồn: khoản ủng hộ hiện vật hoặc đợt mua sắm."))
        text = data.get("imeis", "")
        upload = data.get("file")
        if upload:
            if text.strip():
                raise forms.ValidationError(_("Chọn một cách: gõ/dán danh sách IMEI hoặc tải tệp Excel, không cả hai."))
            if not upload.name.lower().endswith(EXTENSIONS):
                raise forms.ValidationError(_("Tệp phải là Excel (.xlsx)."))
            if upload.size > imei_rules.MAX_SHEET_BYTES:
                raise forms.ValidationError(_("Tệp IMEI quá lớn (tối đa %(mb)d MB).")
                                            % {"mb": imei_rules.MAX_SHEET_BYTES // 1_000_000})
            return data
        lines = imei_rules.lines_from_text(text)
        if len(lines) > MAX_TYPED:
            raise forms.ValidationError(_("Danh sách gõ/dán có %(n)s IMEI, tối đa %(max)s; hãy tải lên tệp Excel.")
                                        % {"n": len(lines), "max": MAX_TYPED})
        clean, errors = imei_rules.validate(lines)
        if errors:
            raise forms.ValidationError(errors)
        if not clean:
            raise forms.ValidationError(_("Chưa có IMEI nào."))
        data["imei_list"] = clean
        return data


class DispatchForm(ProgrammeChoiceMixin, OnceOnlyForm):
    programme = forms.ModelChoiceField(label=gettext_lazy("Chương trình"), queryset=Programme.objects.none())
    to_unit = forms.ModelChoiceField(label=gettext_lazy("Đơn vị nhận"), queryset=AdminUnit.objects.none())
    number = forms.IntegerField(label=gettext_lazy("Đợt số"), min_value=1, max_value=999, required=False,
                                help_text=gettext_lazy("Để trống: lấy số tiếp theo."))
    count = forms.IntegerField(label=gettext_lazy("Số máy lấy từ kho (máy nhập trước giao trước)"), min_value=1,
                               required=False)
    imeis = forms.CharField(label=gettext_lazy("Hoặc quét từng IMEI"), required=False, help_text=IMEI_HELP,
                            widget=forms.Textarea(attrs={"rows": 6, "inputmode": "numeric", "autocomplete": "off",
                                                         "data-scan": "list"}))
    note = forms.CharField(label=gettext_lazy("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup_programme(user)
        mine = [u.pk for u in user_units(user, roles=WRITE_ROLES)]
        qs = AdminUnit.objects.filter(level__in=[AdminUnit.Level.DISTRICT, AdminUnit.Level.COMMUNE])
        if not user.is_superuser:
            qs = qs.filter(parent__in=mine)
        self.fields["to_unit"].queryset = qs.select_related("parent").order_by("path")
        self.fields["to_unit"].label_from_instance = lambda u: f"{u.full_name} ({u.parent.name})"

    def clean(self):
        data = super().clean()
        text = data.get("imeis", "")
        if data.get("count") and text.strip():
            raise forms.ValidationError(_("Chọn một cách: số lượng lấy từ kho hoặc danh sách IMEI, không cả hai."))
        if not data.get("count") and not text.strip():
            raise forms.ValidationError(_("Nhập số lượng máy hoặc quét danh sách IMEI."))
        if text.strip():
            clean, errors = imei_rules.validate(imei_rules.lines_from_text(text))
            if errors:
                raise forms.ValidationError(errors)
            data["imei_list"] = clean
        return data


class ReceiveForm(forms.Form):
    """Everything arrived, or list the missing/damaged devices ("IMEI lý do", one per line)."""

    missing = forms.CharField(label=gettext_lazy("Máy thiếu"), required=False,
                              help_text=gettext_lazy("Mỗi dòng: IMEI rồi lý do, ví dụ: 356938035643809 thất lạc khi vận chuyển"),
                              widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off", "data-scan": "reason"}))
    damaged = forms.CharField(label=gettext_lazy("Máy hỏng"), required=False,
                              help_text=gettext_lazy("Mỗi dòng: IMEI rồi lý do, ví dụ: 356938035643809 vỡ màn hình"),
                              widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off", "data-scan": "reason"}))
    default_reason = forms.CharField(label=gettext_lazy("Lý do chung (dùng khi dòng không ghi lý do)"), required=False,
                                     max_length=255)

    def __init__(self, *args, batch, **kwargs):
        super().__init__(*args, **kwargs)
        self.batch = batch

    def _parse(self, text: str, label: str, errors: list) -> dict[str, str]:
        result = {}
        default = (self.cleaned_data.get("default_reason") or "").strip()
        for no, line in enumerate((text or "").splitlines(), start=1):
            parts = line.strip().split(None, 1)
            if not parts:
                continue
            imei = parts[0]
            reason = (parts[1] if len(parts) > 1 else default).strip()
            if not imei_rules.is_valid_imei(imei):
                errors.append(_("%(label)s, dòng %(no)s: “%(v)s” không phải IMEI hợp lệ.")
                              % {"label": label, "no": no, "v": imei})
            elif not reason:
                errors.append(_("%(label)s, dòng %(no)s: cần ghi lý do cho IMEI %(v)s.")
                              % {"label": label, "no": no, "v": imei})
            else:
                result[imei] = reason
        return result

    def clean(self):
        data = super().clean()
        errors: list[str] = []
        missing = self._parse(data.get("missing", ""), _("Máy thiếu"), errors)
        damaged = self._parse(data.get("damaged", ""), _("Máy hỏng"), errors)
        both = set(missing) & set(damaged)
        if both:
            errors.append(_("IMEI %(v)s vừa ghi thiếu vừa ghi hỏng.") % {"v": ", ".join(sorted(both))})
        wanted = set(missing) | set(damaged)
        found = dict(BatchLine.objects.filter(batch=self.batch, device__imei__in=wanted)
                     .values_list("device__imei", "device_id")) if wanted else {}
        for imei in sorted(wanted - set(found)):
            errors.append(_("IMEI %(v)s không thuộc đợt này.") % {"v": imei})
        if errors:
            raise forms.ValidationError(errors)
        data["missing_map"] = {found[i]: r for i, r in missing.items()}
        data["damaged_map"] = {found[i]: r for i, r in damaged.items()}
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Lý do"), max_length=255, widget=forms.TextInput())


class ResolveForm(forms.Form):
    resolution = forms.ChoiceField(label=gettext_lazy("Cách xử lý"), choices=BatchLine.Resolution.choices)
    reason = forms.CharField(label=gettext_lazy("Ghi chú / lý do"), max_length=255, required=False)


class ScanForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Bản chụp biên bản đã ký (PDF, JPG, PNG; tối đa 10 MB)"))


class HandoutForm(OnceOnlyForm):
    person = forms.ModelChoiceField(label=gettext_lazy("Người nhận trong hộ"), queryset=None, required=False,
                                    empty_label=gettext_lazy("— người khác trong hộ (ghi tên bên dưới) —"))
    recipient_name = forms.CharField(label=gettext_lazy("Họ tên người nhận"), max_length=120, required=False)
    recipient_citizen_id = forms.CharField(label=gettext_lazy("Số CCCD người nhận"), max_length=12, required=False,
                                           widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    handed_out_on = forms.DateField(label=gettext_lazy("Ngày cấp (dd/mm/yyyy)"), input_formats=DATE_FORMATS)
    imei = forms.CharField(label="IMEI", max_length=40,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off",
                                                         "autofocus": True, "data-scan": "one"}))
    exception_reason = forms.CharField(
        label=gettext_lazy("Lý do cấp ngoại lệ"), required=False, max_length=500,
        help_text=gettext_lazy("Chỉ khi hộ hoặc người nhận không đúng đối tượng của chương trình; lý do được lưu lại."))
    # (gettext_lazy by name: makemessages does not know the `_l` alias.)
    consent = forms.BooleanField(label=gettext_lazy("Người nhận đồng ý cho xử lý dữ liệu cá nhân để theo dõi, "
                                                    "hỗ trợ sau cấp máy (Nghị định 13/2023/NĐ-CP)"))

    def __init__(self, *args, household, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = household.people.filter(is_active=True).order_by("-is_head", "pk")
        self.fields["person"].label_from_instance = lambda p: p.full_name + (
            f" — {p.citizen_id}" if p.citizen_id else "")
        self.fields["handed_out_on"].initial = timezone.localdate().strftime("%d/%m/%Y")

    def clean_imei(self):
        try:
            return imei_rules.require_valid_imei(self.cleaned_data["imei"])  # the service's rule
        except DomainError as e:
            raise e.as_validation_error() from None

    def clean_recipient_citizen_id(self):
        value = "".join((self.cleaned_data.get("recipient_citizen_id") or "").split())
        if value:
            try:
                require_valid_id(value)  # the registry's rule, as the service checks it
            except DomainError as e:
                raise e.as_validation_error() from None
        return value

    def clean(self):
        data = super().clean()
        person = data.get("person")
        if not person and not data.get("recipient_name"):
            self.add_error("recipient_name", _("Chọn người nhận trong hộ hoặc ghi họ tên."))
        if not data.get("recipient_citizen_id") and not (person and person.citizen_id):
            self.add_error("recipient_citizen_id", _("Cần số CCCD của người nhận."))
        when = data.get("handed_out_on")
        if when and when > timezone.localdate():
            self.add_error("handed_out_on", _("Ngày cấp không được sau hôm nay."))
        return data
