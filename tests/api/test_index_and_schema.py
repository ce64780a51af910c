"""/api/v1/ lists every endpoint; the OpenAPI schema documents every write with an example."""

import pytest
import yaml
from django.urls import reverse

WRITES = ["/api/v1/handouts/", "/api/v1/handouts/{id}/reverse/", "/api/v1/devices/intake/",
          "/api/v1/batches/dispatch/", "/api/v1/batches/{id}/receive/", "/api/v1/donations/",
          "/api/v1/household-imports/", "/api/v1/household-imports/{id}/confirm/"]


@pytest.fixture
def schema(client, users):
    client.force_login(users.commune)
    return yaml.safe_load(client.get(reverse("api-schema")).content)


def test_index_lists_every_endpoint(client, db):
    r = client.get("/api/v1/")
    assert r.status_code == 200
    paths = {e["path"]: e["methods"] for e in r.json()["endpoints"].values()}
    for path in WRITES:
        key = path.replace("{id}", "{pk}")
        assert "POST" in paths[key], path
    for read in ("/api/v1/villages/{pk}/priority/", "/api/v1/communes/{pk}/stock/", "/api/v1/devices/",
                 "/api/v1/household-imports/{pk}/", "/api/v1/programmes/"):
        assert "GET" in paths[read], read


def test_every_write_has_an_example_and_the_error_shape(schema):
    posts = {path: ops["post"] for path, ops in schema["paths"].items() if "post" in ops}
    for path in WRITES:
        op = posts[path]
        content = op["requestBody"]["content"]
        assert any("examples" in c for c in content.values()), f"{path} has no example"
        assert {"400", "404", "409"} <= set(op["responses"]), path
    assert set(schema["components"]["schemas"]["Error"]["properties"]) == {"code", "detail", "fields"}
