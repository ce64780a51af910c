"""Services lock rows one way: phocap.common.locking.locked (pk order, own table only)."""

import ast
from pathlib import Path

from distribution.models import Device
from phocap.common.locking import locked

ROOT = Path(__file__).resolve().parents[2]
APPS = ["phocap", "beneficiaries", "donations", "distribution", "programme_coverage"]


def test_locked_takes_the_rows_own_table_in_primary_key_order():
    q = locked(Device.objects.select_related("holder_unit")).query
    assert q.select_for_update and q.select_for_update_of == ("self",) and q.order_by == ("pk",)
    assert not q.select_for_update_skip_locked
    assert locked(Device, skip_locked=True).query.select_for_update_skip_locked


def test_no_service_locks_rows_another_way():
    bare = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if path == ROOT / "phocap/common/locking.py" or "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Attribute) and node.attr == "select_for_update":
                    bare.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert bare == []
