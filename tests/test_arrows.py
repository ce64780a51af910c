"""The arrows run one way: programme_coverage → distribution → beneficiaries, donations →
phocap.* ; inside phocap, accounts → areas (areas is the ground floor)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

_APPS = ("beneficiaries", "donations", "distribution", "programme_coverage", "followup", "grievances", "audit")
# package → modules it must never import (directly or by a relative import)
FORBIDDEN = {
    "phocap/areas": ("phocap.accounts", "phocap.programmes", "beneficiaries", "donations", "distribution",
                     "programme_coverage"),
    "phocap/accounts": ("phocap.programmes", "beneficiaries", "donations", "distribution", "programme_coverage"),
    "phocap/common": _APPS,
    "beneficiaries": ("distribution", "programme_coverage", "followup", "grievances", "audit"),
    "donations": ("distribution", "programme_coverage", "followup", "grievances", "audit"),
    "distribution": ("programme_coverage", "followup", "grievances", "audit"),
    "followup": ("programme_coverage", "audit"),
    "grievances": ("distribution", "programme_coverage", "followup", "audit"),
    "phocap/notifications": _APPS,
    "phocap/exports": _APPS,
    "phocap/privacy": _APPS,
}


def _imports(path: Path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.module


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_module_imports_an_app_to_its_left(package):
    wrong = []
    for path in (ROOT / package).rglob("*.py"):
        if path.name.startswith("bench_"):
            continue  # benchmarks time whole journeys across apps on purpose; nothing imports them
        for name in _imports(path):
            if any(name == f or name.startswith(f + ".") for f in FORBIDDEN[package]):
                wrong.append(f"{path.relative_to(ROOT)}: {name}")
    assert wrong == []
