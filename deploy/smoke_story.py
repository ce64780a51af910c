"""The production smoke's story, over HTTP as the TLS proxy would send it.

Run by deploy/smoke.sh against gunicorn + worker + beat started by deploy/entrypoint.sh:
  python deploy/smoke_story.py PORT HOST USER PASSWORD COMMUNE_CODE
"""

import json
import re
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from phocap.common.http_client import Session, csrf_token  # noqa: E402 - after the path

PORT, HOST, USER, PASSWORD, COMMUNE_CODE = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
client = Session(PORT, HOST, timeout=30)


def step(text):
    print(f"smoke: {text}", flush=True)


def expect(response, status, what):
    if response.status != status:
        sys.exit(f"smoke FAILED: {what}: HTTP {response.status} (expected {status})")


def get_json(path):
    response, data = client.get(path, headers={"Accept": "application/json"})
    expect(response, 200, path)
    return json.loads(data)


def wait_for(what, probe, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(1)
    sys.exit(f"smoke FAILED: {what} within {timeout} s")


def main():
    # Plain http without the proxy's header is redirected; /healthz is exempt.
    response, _ = client.get("/tai-khoan/dang-nhap/", proxied=False)
    expect(response, 301, "plain http redirects to https")
    response, _ = client.get("/healthz", proxied=False)
    expect(response, 200, "/healthz without the proxy")

    step("login page and its hashed stylesheet")
    response, page = client.get("/tai-khoan/dang-nhap/")
    expect(response, 200, "login page")
    css = re.search(rb'href="(/static/css/phocap\.[0-9a-f]{12}\.css)"', page)
    if not css:
        sys.exit("smoke FAILED: the login page does not link a hashed phocap.css")
    response, _ = client.get(css.group(1).decode())
    expect(response, 200, "hashed stylesheet")

    step(f"log in as {USER}")
    if (status := client.login(USER, PASSWORD)) != 302:
        sys.exit(f"smoke FAILED: log-in answered {status}")
    response, _ = client.get("/")
    expect(response, 200, "home page after log-in")

    programme = get_json("/api/v1/programmes/")["results"][0]["id"]
    coverage_url = f"/api/v1/coverage/legacy/{COMMUNE_CODE}/?programme={programme}"
    response, page = client.get("/ho-gia-dinh/nhap/")
    expect(response, 200, "import page")
    commune = re.search(rb'<option value="(\d+)"[^>]*selected', page) or re.search(rb'<option value="(\d+)"', page)
    before = get_json(coverage_url)

    step("upload a household list; the worker checks it")
    tag = uuid.uuid4().hex[:6]
    rows = [f"SMOKE-{tag}-{i};Smoke {tag} Hộ {i};Bản Smoke {tag};Hộ nghèo;2" for i in range(1, 4)]
    content = ("Mã hộ;Họ và tên chủ hộ;Thôn/bản;Phân loại hộ;Số người trưởng thành\n"
               + "\n".join(rows)).encode("utf-8-sig")
    response, _ = client.post_form("/ho-gia-dinh/nhap/", {
        "commune": commune.group(1).decode(), "csrfmiddlewaretoken": csrf_token(page)},
        {"file": (f"smoke-{tag}.csv", content)})
    expect(response, 302, "upload")
    review = "/" + response.getheader("Location").split("://", 1)[-1].split("/", 1)[-1].lstrip("/")
    job_status = review.rstrip("/") + "/trang-thai.json"
    status = wait_for("the worker checked the file",
                      lambda: (s := get_json(job_status)) and not s["running"] and s)
    if status["status"] != "validated":
        sys.exit(f"smoke FAILED: import check ended {status}")

    step("confirm; the worker merges")
    response, page = client.get(review)
    response, _ = client.post_form(review + "xac-nhan/", {"csrfmiddlewaretoken": csrf_token(page)})
    expect(response, 302, "confirm")
    status = wait_for("the worker merged the file",
                      lambda: (s := get_json(job_status)) and not s["running"] and s["status"] != "validated" and s)
    if status["status"] != "merged":
        sys.exit(f"smoke FAILED: import merge ended {status}")

    step("the worker rebuilds the commune's coverage")
    after = wait_for("coverage rebuilt with the new households",
                     lambda: (c := get_json(coverage_url))["households"] == before["households"] + 3
                     and c["computed_at"] != before["computed_at"] and c)
    step(f"coverage households {before['households']} -> {after['households']}")
    print("smoke: story passed")


if __name__ == "__main__":
    main()
