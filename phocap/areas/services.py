"""Writes to the administrative tree. Official units come from the loader; villages
are the only units users create."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from phocap.common.errors import DomainError
from phocap.common.locking import locked
from phocap.common.text import fold

from .errors import Code
from .models import AdminUnit


def _village_type(name: str) -> str:
    folded = fold(name)
    for prefix in ("thon", "ban", "to", "xom", "ap", "khu", "buon", "lang", "khoi"):
        if folded.startswith(prefix + " "):
            return {"thon": "thôn", "ban": "bản", "to": "tổ", "xom": "xóm", "ap": "ấp",
                    "khu": "khu", "buon": "buôn", "lang": "làng", "khoi": "khối"}[prefix]
    return "thôn"


@transaction.atomic
def village_get_or_create(*, commune: AdminUnit, name: str) -> tuple[AdminUnit, bool]:
    """The village of that name in the commune, created if new (imports and officials)."""
    name = " ".join((name or "").split())
    if not name:
        raise DomainError(_("Tên thôn/bản không được để trống."), code=Code.VILLAGE_NAME_REQUIRED)
    if commune.level != AdminUnit.Level.COMMUNE:
        raise DomainError(_("Thôn/bản chỉ thuộc một xã/phường."), code=Code.VILLAGE_PARENT_NOT_COMMUNE)
    folded = fold(name)
    existing = AdminUnit.objects.filter(parent=commune, level=AdminUnit.Level.VILLAGE, name_ascii=folded).first()
    if existing:
        return existing, False
    # Lock the commune row so two imports numbering villages at once do not collide.
    locked(AdminUnit.objects.filter(pk=commune.pk)).first()
    taken = set(
        AdminUnit.objects.filter(parent=commune, level=AdminUnit.Level.VILLAGE).values_list("code", flat=True)
    )
    n = len(taken) + 1
    while f"{commune.code}.{n:03d}" in taken:
        n += 1
    code = f"{commune.code}.{n:03d}"
    try:
        with transaction.atomic():
            village = AdminUnit.objects.create(
                scheme=commune.scheme, level=AdminUnit.Level.VILLAGE, code=code, name=name,
                full_name=name, division_type=_village_type(name), name_ascii=folded, parent=commune,
                path=AdminUnit.make_path(commune.scheme, code, commune), depth=commune.depth + 1,
            )
    except IntegrityError:
        # Someone else created it between our read and write (SQLite has no row lock).
        return AdminUnit.objects.get(parent=commune, level=AdminUnit.Level.VILLAGE, name_ascii=folded), False
    return village, True
