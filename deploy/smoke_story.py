"""The production smoke's story, over HTTP as the TLS proxy would send it.

Run by deploy/smoke.sh against gunicorn + worker + beat started by deploy/entrypoint.sh.
Standard library only; cookies are kept by hand because the session cookie is Secure
(the proxy speaks https to browsers, plain http to gunicorn).
"""

import http.client
import json
import re
import sys
import time
import uuid
from urllib.parse import urlencode

PORT = int(sys.argv[1])
HOST = sys.argv[2]
USER, PASSWORD = sys.argv[3], sys.argv[4]
COMMUNE_CODE = sys.argv[5]
ORIGIN = f"https://{HOST}"
cookies: dict[str, str] = {}


def step(text):
    print(f"smoke: {text}", flush=True)


def request(method, path, body=None, headers=None, proxied=True):
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    sent = {"Host": HOST, "User-Agent": "phocap-smoke"}
    if proxied:
        sent["X-Forwarded-Proto"] = "https"
    if cookies:
        sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    sent.update(headers or {})
    conn.request(method, path, body=body, headers=sent)
    response = conn.getresponse()
    data = response.read()
    for name, value in response.getheaders():
        if name.lower() == "set-cookie":
            key, _, rest = value.partition("=")
            cookies[key.strip()] = rest.split(";", 1)[0]
    conn.close()
    return response, data


def expect(response, status, what):
    if response.status != status:
        sys.exit(f"smoke FAILED: {what}: HTTP {response.status} (expected {status})")


def post_form(path, fields, files=None):
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, content) in (files or {}).items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                     f"Content-Type: text/csv\r\n\r\n".encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return request("POST", path, b"".join(parts), {
        "Content-Type": f"multipart/form-data; boundary={boundary}", "Referer": ORIGIN + path,
        "Origin": ORIGIN})


def csrf(page: bytes) -> str:
    return re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()


def get_json(path):
    response, data = request("GET", path, headers={"Accept": "application/json"})
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
    response, _ = request("GET", "/tai-khoan/dang-nhap/", proxied=False)
    expect(response, 301, "plain http redirects to https")
    response, _ = request("GET", "/healthz", proxied=False)
    expect(response, 200, "/healthz without the proxy")

    step("login page and its hashed stylesheet")
    response, page = request("GET", "/tai-khoan/dang-nhap/")
    expect(response, 200, "login page")
    css = re.search(rb'href="(/static/css/phocap\.[0-9a-f]{12}\.css)"', page)
    if not css:
        sys.exit("smoke FAILED: the login page does not link a hashed phocap.css")
    response, _ = request("GET", css.group(1).decode())
    expect(response, 200, "hashed stylesheet")

    step(f"log in as {USER}")
    body = urlencode({"username": USER, "password": PASSWORD, "csrfmiddlewaretoken": csrf(page)})
    response, _ = request("POST", "/tai-khoan/dang-nhap/", body, {
        "Content-Type": "application/x-www-form-urlencoded", "Referer": ORIGIN + "/tai-khoan/dang-nhap/",
        "Origin": ORIGIN})
    expect(response, 302, "log-in")
    response, _ = request("GET", "/")
    expect(response, 200, "home page after log-in")

    programme = get_json("/api/v1/programmes/")["results"][0]["id"]
    response, page = request("GET", "/ho-gia-dinh/nhap/")
    expect(response, 200, "import page")
    commune = re.search(rb'<option value="(\d+)"[^>]*selected', page) or re.search(rb'<option value="(\d+)"', page)
    commune_id = commune.group(1).decode()
    code = get_json(f"/api/v1/coverage/legacy/{COMMUNE_CODE}/?programme={programme}")
    before = code["households"]
    computed_before = code["computed_at"]

    step("upload a household list; the worker checks it")
    tag = uuid.uuid4().hex[:6]
    rows = [f"SMOKE-{tag}-{i};Smoke {tag} Hộ {i};Bản Smoke {tag};Hộ nghèo;2" for i in range(1, 4)]
    content = ("Mã hộ;Họ và tên chủ hộ;Thôn/bản;Phân loại hộ;Số người trưởng thành\n"
               + "\n".join(rows)).encode("utf-8-sig")
    response, _ = post_form("/ho-gia-dinh/nhap/", {"commune": commune_id, "csrfmiddlewaretoken": csrf(page)},
                            {"file": (f"smoke-{tag}.csv", content)})
    expect(response, 302, "upload")
    review = response.getheader("Location").split("://", 1)[-1]
    review = review[review.index("/"):] if not review.startswith("/") else review
    job_status = review.rstrip("/") + "/trang-thai.json"
    status = wait_for("the worker checked the file",
                      lambda: (s := get_json(job_status)) and not s["running"] and s)
    if status["status"] != "validated":
        sys.exit(f"smoke FAILED: import check ended {status}")

    step("confirm; the worker merges")
    response, page = request("GET", review)
    response, _ = post_form(review + "xac-nhan/", {"csrfmiddlewaretoken": csrf(page)})
    expect(response, 302, "confirm")
    status = wait_for("the worker merged the file",
                      lambda: (s := get_json(job_status)) and not s["running"] and s["status"] != "validated" and s)
    if status["status"] != "merged":
        sys.exit(f"smoke FAILED: import merge ended {status}")

    step("the worker rebuilds the commune's coverage")
    url = f"/api/v1/coverage/legacy/{COMMUNE_CODE}/?programme={programme}"
    after = wait_for("coverage rebuilt with the new households",
                     lambda: (c := get_json(url))["households"] == before + 3 and c["computed_at"] != computed_before and c)
    step(f"coverage households {before} -> {after['households']}")
    print("smoke: story passed")


if __name__ == "__main__":
    main()
