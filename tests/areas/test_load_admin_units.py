"""The official administrative units load completely, correctly and idempotently.

Loading ~14,500 units takes a few seconds, so one test loads once and checks everything.
"""

import gzip
import io
import json
import time

import pytest
from django.core.management import call_command

from phocap.areas.loader import DATA_FILE, load_admin_units
from phocap.areas.models import AdminUnit, UnitMapping


def test_data_file_shape():
    data = json.loads(gzip.decompress(DATA_FILE.read_bytes()))
    assert data["source"] == "vietnam-provinces"
    assert set(data) == {"source", "version", "legacy", "2025", "mapping"}
    widths = {"provinces": 2, "districts": 3, "communes": 5}
    for scheme in ("legacy", "2025"):
        for key, rows in data[scheme].items():
            codes = [r[0] for r in rows]
            assert codes == sorted(set(codes))
            assert all(len(c) == widths[key] and c.isdigit() for c in codes)
    assert data["mapping"] == sorted(data["mapping"])


@pytest.mark.django_db
def test_load_admin_units():
    started = time.monotonic()
    first = load_admin_units()
    first_seconds = time.monotonic() - started
    assert first_seconds < 15, first_seconds

    units = AdminUnit.objects
    expected = {
        ("legacy", "province"): 63,
        ("legacy", "district"): 696,
        ("legacy", "commune"): 10_051,
        ("2025", "province"): 34,
        ("2025", "commune"): 3_321,
    }
    for (scheme, level), n in expected.items():
        assert units.filter(scheme=scheme, level=level).count() == n, (scheme, level)
        assert first["units"][scheme][level] == {"created": n, "updated": 0, "unchanged": 0}
    assert not units.filter(scheme="2025", level="district").exists()
    mappings = UnitMapping.objects.count()
    assert mappings > 10_000
    assert first["mappings"]["created"] == mappings
    assert first["created"] == sum(expected.values()) + mappings

    # Bắc Kạn: 8 districts, Côn Minh under Na Rì, paths and depths.
    bac_kan = units.get(scheme="legacy", level="province", code="06")
    assert (bac_kan.name, bac_kan.full_name, bac_kan.division_type) == (
        "Bắc Kạn",
        "Tỉnh Bắc Kạn",
        "tỉnh",
    )
    assert (bac_kan.path, bac_kan.depth, bac_kan.parent_id) == ("legacy/06/", 0, None)
    districts = {d.name: d for d in bac_kan.children.all()}
    assert len(districts) == 8
    assert {"Na Rì", "Ba Bể"} <= set(districts)
    na_ri = districts["Na Rì"]
    assert (na_ri.full_name, na_ri.division_type, na_ri.depth) == ("Huyện Na Rì", "huyện", 1)
    assert na_ri.path == f"legacy/06/{na_ri.code}/"
    con_minh = units.get(scheme="legacy", level="commune", parent=na_ri, name="Côn Minh")
    assert (con_minh.full_name, con_minh.division_type, con_minh.name_ascii) == (
        "Xã Côn Minh",
        "xã",
        "con minh",
    )
    assert con_minh.path == f"legacy/06/{na_ri.code}/{con_minh.code}/"
    assert con_minh.depth == 2
    assert len(con_minh.code) == 5
    assert [u.code for u in units.ancestors(con_minh)] == ["06", na_ri.code]

    # Legacy Bắc Kạn went to Thái Nguyên in 2025.
    successors = [
        link.new_unit for link in con_minh.successor_links.select_related("new_unit__parent")
    ]
    assert successors
    for new in successors:
        assert (new.scheme, new.level, new.depth) == ("2025", "commune", 1)
        assert new.parent.name == "Thái Nguyên"
        assert new.path == f"2025/{new.parent.code}/{new.code}/"
    assert not UnitMapping.objects.exclude(
        legacy_unit__scheme="legacy", legacy_unit__level="commune"
    ).exists()
    assert not UnitMapping.objects.exclude(
        new_unit__scheme="2025", new_unit__level="commune"
    ).exists()
    hcm = units.get(scheme="2025", level="province", code="79")
    assert (hcm.name, hcm.division_type) == ("Hồ Chí Minh", "thành phố")
    assert units.filter(scheme="2025", division_type="đặc khu").count() == 13

    # Second run: nothing to do.
    started = time.monotonic()
    second = load_admin_units()
    assert time.monotonic() - started < 15
    assert (second["created"], second["updated"]) == (0, 0)
    assert second["unchanged"] == first["created"]

    # A village is never touched; a drifted official row is repaired; paths follow moves.
    from phocap.areas.services import village_get_or_create

    village, _ = village_get_or_create(commune=con_minh, name="Thôn Nà Đon")
    village_before = AdminUnit.objects.values().get(pk=village.pk)
    ba_be = districts["Ba Bể"]
    AdminUnit.objects.filter(pk=con_minh.pk).update(
        name="Côn Minh cũ", parent=ba_be, path=AdminUnit.make_path("legacy", con_minh.code, ba_be)
    )
    AdminUnit.objects.filter(pk=village.pk).update(
        path=f"{AdminUnit.make_path('legacy', con_minh.code, ba_be)}{village.code}/"
    )
    out = io.StringIO()
    call_command("load_admin_units", stdout=out)
    assert "cập nhật 1," in out.getvalue()
    assert "Thêm mới 0," in out.getvalue()
    con_minh.refresh_from_db()
    assert (con_minh.name, con_minh.parent_id) == ("Côn Minh", na_ri.pk)
    village.refresh_from_db()
    assert village.path == f"{con_minh.path}{village.code}/"
    assert {
        k: v for k, v in AdminUnit.objects.values().get(pk=village.pk).items() if k != "path"
    } == {k: v for k, v in village_before.items() if k != "path"}
    third = load_admin_units()
    assert (third["created"], third["updated"]) == (0, 0)
