"""Shared fixtures: a small Bắc Kạn tree (legacy scheme) and a 2025 province,
one user per role, and a programme. Apps add their own fixtures in tests/<app>/conftest.py.
"""

import os
from types import SimpleNamespace

import pytest
from django.db import connection

from phocap.accounts.models import Role
from tests.factories import ProgrammeFactory, add_target, make_unit, member


def pytest_collection_modifyitems(config, items):
    on_postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgis"))
    has_worker = bool(os.environ.get("CELERY_BROKER_URL")) and os.environ.get("PHOCAP_TEST_WORKER") == "1"
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)")
    skip_worker = pytest.mark.skip(reason="needs a real Celery worker (PHOCAP_TEST_WORKER=1)")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip_pg)
        if "worker" in item.keywords and not has_worker:
            item.add_marker(skip_worker)


@pytest.fixture(autouse=True)
def _eager_celery_unless_worker(request, settings):
    """Tests run tasks in-process unless they are marked to prove the real worker."""
    from phocap.celery import app

    # PBKDF2's million rounds cost ~0.7 s per user; tests don't need real hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if "worker" in request.keywords:
        app.conf.task_always_eager = False
        yield
        app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER
        return
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def tree(db):
    """Bắc Kạn (legacy): Na Rì with Côn Minh, Ba Bể with Thượng Giáo; and a 2025 province."""
    bk = make_unit(level="province", code="06", name="Bắc Kạn")
    na_ri = make_unit(level="district", code="066", name="Na Rì", parent=bk)
    ba_be = make_unit(level="district", code="061", name="Ba Bể", parent=bk)
    con_minh = make_unit(level="commune", code="02071", name="Côn Minh", parent=na_ri)
    kim_hy = make_unit(level="commune", code="02065", name="Kim Hỷ", parent=na_ri)
    thuong_giao = make_unit(level="commune", code="01864", name="Thượng Giáo", parent=ba_be)
    ban_con = make_unit(level="village", code="02071.001", name="Bản Còn", parent=con_minh)
    na_phai = make_unit(level="village", code="02071.002", name="Nà Phai", parent=con_minh)
    tg_village = make_unit(level="village", code="01864.001", name="Pác Ngòi", parent=thuong_giao)
    tn = make_unit(level="province", code="19", name="Thái Nguyên", scheme="2025")
    tn_commune = make_unit(level="commune", code="06472", name="Côn Minh", parent=tn)
    return SimpleNamespace(bk=bk, na_ri=na_ri, ba_be=ba_be, con_minh=con_minh, kim_hy=kim_hy,
                           thuong_giao=thuong_giao, ban_con=ban_con, na_phai=na_phai,
                           tg_village=tg_village, tn=tn, tn_commune=tn_commune)


@pytest.fixture
def users(tree):
    return SimpleNamespace(
        province=member(tree.bk, Role.PROVINCE_STAFF, "tinh"),
        district=member(tree.na_ri, Role.DISTRICT_OFFICER, "huyen_nari"),
        other_district=member(tree.ba_be, Role.DISTRICT_OFFICER, "huyen_babe"),
        commune=member(tree.con_minh, Role.COMMUNE_OFFICIAL, "xa_conminh"),
        other_commune=member(tree.thuong_giao, Role.COMMUNE_OFFICIAL, "xa_thuonggiao"),
        auditor=member(tree.bk, Role.AUDITOR, "kiemtra"),
        tn_staff=member(tree.tn, Role.PROVINCE_STAFF, "tinh_thainguyen"),
    )


@pytest.fixture
def programme(tree):
    p = ProgrammeFactory(province=tree.bk, name="Phổ cập ĐTTM Bắc Kạn 2023")
    add_target(p, tree.con_minh, 520)
    add_target(p, tree.thuong_giao, 480)
    return p


@pytest.fixture
def client_for(client):
    """client_for(user) → the test client logged in as that user."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def on_postgres():
    return connection.vendor == "postgresql"
