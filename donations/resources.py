"""django-import-export Resources for the admin: import donors and donations (with the
dry-run preview), export donors, pledges and donations.

Rows are validated with the services' own rules and saved through the services, so an
imported gift obeys exactly what a typed one does. A failing row says which column and why.
Exported text goes through `safe_cell` (formula injection).
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from phocap.accounts.scoping import can_write_unit
from phocap.areas.models import AdminUnit
from phocap.common.errors import DomainError
from phocap.common.excel import safe_cell
from phocap.common.text import fold
from phocap.programmes.models import Programme

from . import services
from .forms import vnd_digits
from .models import Donation, Donor, Pledge

DMY = widgets.DateWidget("%d/%m/%Y")


def _choice(value, choices, column: str) -> str:
    """Accept the code ("bank_transfer") or the Vietnamese label ("Chuyển khoản"), any case/diacritics."""
    text = fold(value)
    if not text:
        return ""
    for code, label in choices:
        folded = fold(str(label))
        # "Cơ quan" for "Cơ quan, đơn vị", "tổ chức" for "Tổ chức khác": what people type.
        if text in (fold(code), folded, *folded.split(", ")) or (len(text) >= 4 and folded.startswith(text)):
            return code
    allowed = ", ".join(str(label) for _c, label in choices)
    raise ValidationError({column: _("“%(value)s” không hợp lệ; dùng một trong: %(allowed)s.")
                           % {"value": value, "allowed": allowed}})


def _unit(value, column: str) -> AdminUnit:
    text = str(value or "").strip()
    if not text:
        raise ValidationError({column: _("Thiếu mã đơn vị.")})
    if text.endswith(".0"):  # Excel turned the code into a number
        text = text[:-2]
    qs = AdminUnit.objects.filter(path=text) if "/" in text else AdminUnit.objects.filter(code=text.zfill(2))
    units = list(qs[:2])
    if len(units) != 1:
        message = _("Không tìm thấy đơn vị mã “%(code)s”.") if not units else \
            _("Mã “%(code)s” trùng ở hai hệ thống đơn vị; hãy ghi đường dẫn, ví dụ legacy/06/.")
        raise ValidationError({column: message % {"code": text}})
    return units[0]


def _writable_unit(value, column: str, user) -> AdminUnit:
    """The unit, if the importing user may write there (admin staff are scoped too)."""
    unit = _unit(value, column)
    if user is not None and not can_write_unit(user, unit):
        raise ValidationError({column: _("Bạn không có quyền ghi cho %(unit)s.") % {"unit": unit}})
    return unit


def _donor_by_tax_code(raw: str) -> Donor | None:
    """The donor with this MST however it was typed; DomainError when it is not a valid MST."""
    return Donor.objects.filter(tax_code=services.normalise_tax_code(raw)).first()


def _int(value, column: str) -> int:
    if value in (None, ""):
        return 0
    if isinstance(value, int | float):
        return int(value)
    try:
        return int(vnd_digits(str(value)))
    except ValueError:
        raise ValidationError({column: _("“%(value)s” không phải là số.") % {"value": value}})


def _date(value, column: str) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value or "").strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValidationError({column: _("Ngày “%(value)s” không đúng dạng dd/mm/yyyy.") % {"value": value}})


class SafeExportMixin:
    def export_field(self, field, instance, **kwargs):
        return safe_cell(super().export_field(field, instance, **kwargs))


class DonorResource(SafeExportMixin, resources.ModelResource):
    kind = fields.Field(attribute="kind", column_name="loai")
    name = fields.Field(attribute="name", column_name="ten")
    tax_code = fields.Field(attribute="tax_code", column_name="ma_so_thue")
    representative = fields.Field(attribute="representative", column_name="nguoi_dai_dien")
    phone = fields.Field(attribute="phone", column_name="dien_thoai")
    address = fields.Field(attribute="address", column_name="dia_chi")
    unit = fields.Field(attribute="unit", column_name="ma_don_vi", widget=widgets.ForeignKeyWidget(AdminUnit, "code"))
    public_consent = fields.Field(attribute="public_consent", column_name="cong_khai", widget=widgets.BooleanWidget())

    class Meta:
        model = Donor
        fields = ("id", "kind", "name", "tax_code", "representative", "phone", "address", "unit", "public_consent")
        import_id_fields = ()
        clean_model_instances = False
        use_transactions = True

    def get_instance(self, instance_loader, row):
        """The same tax code is the same donor: a row with a known MST updates that donor."""
        raw = str(row.get("ma_so_thue") or "").strip()
        if not raw:
            return None
        try:
            return _donor_by_tax_code(raw)
        except DomainError:
            return None  # reported by import_instance

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        values = {}
        try:
            values["kind"] = _choice(row.get("loai"), Donor.Kind.choices, "loai") or None
            if not values["kind"]:
                errors["loai"] = _("Thiếu loại nhà tài trợ.")
        except ValidationError as e:
            errors.update(e.message_dict)
        try:
            values["unit"] = _writable_unit(row.get("ma_don_vi"), "ma_don_vi", kwargs.get("user"))
        except ValidationError as e:
            errors.update(e.message_dict)
        if errors:
            raise ValidationError(errors)
        values.update(name=str(row.get("ten") or ""), tax_code=str(row.get("ma_so_thue") or ""),
                      representative=str(row.get("nguoi_dai_dien") or ""),
                      phone=str(row.get("dien_thoai") or ""), address=str(row.get("dia_chi") or ""),
                      public_consent=fold(row.get("cong_khai")) in ("1", "true", "x", "co", "yes"))
        try:
            values = services._clean_donor({**values, "note": ""}, exclude_pk=instance.pk)
        except DomainError as e:
            raise ValidationError({"ten": str(e)})
        for field, value in values.items():
            setattr(instance, field, value)

    def do_instance_save(self, instance, is_create):
        data = {f: getattr(instance, f) for f in services.DONOR_FIELDS}
        if is_create:
            instance.pk = services.donor_create(**data).pk
        else:
            services.donor_update(donor=instance, **data)


class DonationResource(SafeExportMixin, resources.ModelResource):
    """Import creates gifts only; a known receipt number is refused (corrections are reversals)."""

    programme = fields.Field(attribute="programme_id", column_name="ma_chuong_trinh")
    donor = fields.Field(attribute="donor__name", column_name="nha_tai_tro")
    donor_tax_code = fields.Field(attribute="donor__tax_code", column_name="ma_so_thue")
    unit = fields.Field(attribute="unit__code", column_name="ma_don_vi_tiep_nhan")
    received_on = fields.Field(attribute="received_on", column_name="ngay_tiep_nhan", widget=DMY)
    cash_vnd = fields.Field(attribute="cash_vnd", column_name="so_tien")
    cash_method = fields.Field(attribute="cash_method", column_name="hinh_thuc")
    receipt_number = fields.Field(attribute="receipt_number", column_name="so_phieu_thu")
    phones_count = fields.Field(attribute="phones_count", column_name="so_may")
    phone_model = fields.Field(attribute="phone_model", column_name="loai_may")
    phone_condition = fields.Field(attribute="phone_condition", column_name="tinh_trang_may")
    phone_unit_value_vnd = fields.Field(attribute="phone_unit_value_vnd", column_name="gia_tri_moi_may")
    note = fields.Field(attribute="note", column_name="ghi_chu")
    reverses = fields.Field(attribute="reverses_id", column_name="dao_khoan")

    class Meta:
        model = Donation
        fields = ("id", "programme", "donor", "donor_tax_code", "unit", "received_on", "cash_vnd", "cash_method",
                  "receipt_number", "phones_count", "phone_model", "phone_condition", "phone_unit_value_vnd",
                  "note", "reverses")
        import_id_fields = ()
        clean_model_instances = False
        use_transactions = True

    def get_instance(self, instance_loader, row):
        return None  # every imported row is a new gift

    def _donor(self, row) -> Donor:
        raw_code = str(row.get("ma_so_thue") or "").strip()
        if raw_code:
            try:
                donor = _donor_by_tax_code(raw_code)
            except DomainError as e:
                raise ValidationError({"ma_so_thue": str(e)})
            if donor:
                return donor
        name = fold(row.get("nha_tai_tro"))
        matches = list(Donor.objects.filter(name_ascii=name)[:2]) if name else []
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise ValidationError({"nha_tai_tro": _("Có nhiều nhà tài trợ tên “%(name)s”; hãy ghi mã số thuế.")
                                   % {"name": row.get("nha_tai_tro")}})
        raise ValidationError({"nha_tai_tro": _("Chưa có nhà tài trợ “%(name)s”; hãy nhập danh sách nhà tài trợ "
                                                "trước.") % {"name": row.get("nha_tai_tro") or ""}})

    def import_instance(self, instance, row, **kwargs):
        errors = {}

        def collect(column, fn):
            try:
                return fn()
            except ValidationError as e:
                errors.update(e.message_dict)
                return None

        programme = collect("ma_chuong_trinh", lambda: self._programme(row))
        values = {
            "donor": collect("nha_tai_tro", lambda: self._donor(row)),
            "unit": collect("ma_don_vi_tiep_nhan", lambda: _writable_unit(
                row.get("ma_don_vi_tiep_nhan"), "ma_don_vi_tiep_nhan", kwargs.get("user"))),
            "received_on": collect("ngay_tiep_nhan", lambda: _date(row.get("ngay_tiep_nhan"), "ngay_tiep_nhan")),
            "cash_vnd": collect("so_tien", lambda: _int(row.get("so_tien"), "so_tien")),
            "cash_method": collect("hinh_thuc", lambda: _choice(row.get("hinh_thuc"), Donation.CashMethod.choices,
                                                                "hinh_thuc")),
            "receipt_number": str(row.get("so_phieu_thu") or "").strip(),
            "phones_count": collect("so_may", lambda: _int(row.get("so_may"), "so_may")),
            "phone_model": str(row.get("loai_may") or ""),
            "phone_condition": collect("tinh_trang_may", lambda: _choice(
                row.get("tinh_trang_may"), Donation.PhoneCondition.choices, "tinh_trang_may")),
            "phone_unit_value_vnd": collect("gia_tri_moi_may", lambda: _int(row.get("gia_tri_moi_may"),
                                                                            "gia_tri_moi_may")),
            "note": str(row.get("ghi_chu") or ""),
            "pledge": None,
        }
        if errors:
            raise ValidationError(errors)
        try:
            values = services._clean_donation(programme, values)
        except DomainError as e:
            raise ValidationError({"so_tien": str(e)})
        instance.programme = programme
        for field, value in values.items():
            setattr(instance, field, value)

    def _programme(self, row) -> Programme:
        value = _int(row.get("ma_chuong_trinh"), "ma_chuong_trinh")
        programme = Programme.objects.select_related("province").filter(pk=value).first()
        if programme is None:
            raise ValidationError({"ma_chuong_trinh": _("Không có chương trình mã %(id)s.") % {"id": value}})
        return programme

    def do_instance_save(self, instance, is_create):
        data = {f: getattr(instance, f) for f in services.DONATION_FIELDS}
        try:
            instance.pk = services.donation_create(programme=instance.programme, **data).pk
        except DomainError as e:
            raise ValidationError({"so_phieu_thu": str(e)})


class PledgeResource(SafeExportMixin, resources.ModelResource):
    """Export only: the status is computed (annotated by the admin's queryset)."""

    programme = fields.Field(attribute="programme_id", column_name="ma_chuong_trinh")
    donor = fields.Field(attribute="donor__name", column_name="nha_tai_tro")
    pledged_on = fields.Field(attribute="pledged_on", column_name="ngay_cam_ket", widget=DMY)
    occasion = fields.Field(attribute="occasion", column_name="dip")
    cash_vnd = fields.Field(attribute="cash_vnd", column_name="so_tien_cam_ket")
    cash_received_vnd = fields.Field(attribute="cash_received_vnd", column_name="da_nhan_tien")
    phones = fields.Field(attribute="phones", column_name="so_may_cam_ket")
    phones_received = fields.Field(attribute="phones_received", column_name="da_nhan_may")
    due_date = fields.Field(attribute="due_date", column_name="han", widget=DMY)
    status = fields.Field(attribute="status_label", column_name="trang_thai")

    class Meta:
        model = Pledge
        fields = ("id", "programme", "donor", "pledged_on", "occasion", "cash_vnd", "cash_received_vnd", "phones",
                  "phones_received", "due_date", "status")

    def get_queryset(self):
        return Pledge.objects.with_status().select_related("donor")
