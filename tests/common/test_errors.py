"""A refusal carries a stable code: the API returns it, forms keep it."""

import importlib

import pytest
from django.utils import translation
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.test import APIRequestFactory

from distribution import imeis
from distribution.errors import Code
from phocap.common.errors import DomainError
from tests.factories import make_imei

APPS_WITH_CODES = ["phocap.areas", "phocap.accounts", "phocap.programmes", "beneficiaries", "donations",
                   "distribution", "programme_coverage"]


@api_view(["POST"])
@permission_classes([AllowAny])
def _refusing_view(request):
    imeis.require_valid_imei("12345")


def test_the_api_answers_a_refusal_with_its_code_and_a_message_in_the_users_language():
    request = APIRequestFactory().post("/x", {}, format="json")
    with translation.override("en"):
        response = _refusing_view(request)
    assert response.status_code == 400
    assert response.data["code"] == Code.IMEI_INVALID == "imei_invalid"
    assert "IMEI 12345" in response.data["detail"] and "không" not in response.data["detail"]


def test_a_form_and_the_service_refuse_an_imei_with_the_same_rule_and_code():
    from distribution.forms import HandoutForm

    form = HandoutForm(data={"imei": "12345", "handed_out_on": "10/09/2023", "recipient_name": "A"},
                       household=type("H", (), {"people": _NoPeople()})())
    assert not form.is_valid()
    assert form.errors.as_data()["imei"][0].code == Code.IMEI_INVALID
    assert imeis.require_valid_imei(" ".join(make_imei(1))) == make_imei(1)  # spaces from a scanner are fine


class _NoPeople:
    def filter(self, **kwargs):
        from beneficiaries.models import Person

        return Person.objects.none()


@pytest.mark.parametrize("app", APPS_WITH_CODES)
def test_every_code_is_stable_snake_case_and_unique_within_its_app(app):
    codes = importlib.import_module(f"{app}.errors").Code
    values = [c.value for c in codes]
    assert len(values) == len(set(values))
    assert all(v.isascii() and v == v.lower() and " " not in v for v in values)


def test_every_raise_in_a_service_names_its_code():
    """No refusal falls back to the anonymous default code."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    anonymous = []
    for app in APPS_WITH_CODES:
        for path in (root / app.replace(".", "/")).glob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "DomainError"
                        and not any(k.arg == "code" for k in node.keywords)):
                    anonymous.append(f"{path.relative_to(root)}:{node.lineno}")
    assert anonymous == []
    assert DomainError("x").code == "invalid"
