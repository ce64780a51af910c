"""A small HTTP client speaking to gunicorn as the TLS proxy would (standard library only).

Used by CI's production smoke (deploy/smoke_story.py) and `manage.py bench_http`. Cookies
are kept by hand: the session cookie is Secure, and gunicorn is spoken to in plain http
behind the proxy's X-Forwarded-Proto: https.
"""

import http.client
import re
import uuid
from urllib.parse import urlencode

LOGIN_PATH = "/tai-khoan/dang-nhap/"


class Session:
    def __init__(self, port: int, host: str, *, timeout: float = 60):
        self.port, self.host, self.timeout = port, host, timeout
        self.origin = f"https://{host}"
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes | str | None = None, headers: dict | None = None,
                *, proxied: bool = True) -> tuple[http.client.HTTPResponse, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        sent = {"Host": self.host, "User-Agent": "phocap-client"}
        if proxied:
            sent["X-Forwarded-Proto"] = "https"
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        sent.update(headers or {})
        try:
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        return response, data

    def get(self, path: str, **kwargs):
        return self.request("GET", path, **kwargs)

    def post_form(self, path: str, fields: dict, files: dict | None = None):
        """multipart/form-data POST; `files` maps a field to (filename, bytes)."""
        boundary = uuid.uuid4().hex
        parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
                 for name, value in fields.items()]
        for name, (filename, content) in (files or {}).items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                         "Content-Type: application/octet-stream\r\n\r\n".encode() + content + b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request("POST", path, b"".join(parts), {
            "Content-Type": f"multipart/form-data; boundary={boundary}", "Referer": self.origin + path,
            "Origin": self.origin})

    def login(self, username: str, password: str) -> int:
        """Log in through the login page; returns the status of the POST (302 on success)."""
        _response, page = self.get(LOGIN_PATH)
        body = urlencode({"username": username, "password": password, "csrfmiddlewaretoken": csrf_token(page)})
        response, _data = self.request("POST", LOGIN_PATH, body, {
            "Content-Type": "application/x-www-form-urlencoded", "Referer": self.origin + LOGIN_PATH,
            "Origin": self.origin})
        return response.status


def csrf_token(page: bytes) -> str:
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if not match:
        raise ValueError("no CSRF token on the page")
    return match.group(1).decode()
