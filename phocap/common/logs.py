"""Structured logs: one line per event, each with the id of the request or task it belongs to.

- ``RequestIdMiddleware`` takes the proxy's ``X-Request-ID`` (or makes one), returns it in
  the response, and writes one ``request`` line per request (method, path, status, ms).
- ``RequestIdFilter`` puts that id on every record logged while the request or a Celery
  task runs (the task's id there).
- ``ExpectedResponseFilter`` keeps django.request's own lines only for an unhandled
  exception (its traceback): every answer, 403, 404 and 503 included, is already on the
  request line, and Django would otherwise log a 403 with a traceback.
- ``JsonFormatter`` (production) and ``KeyValueFormatter`` (development) write one line
  per record; a traceback stays inside that line in JSON.
"""

import contextvars
import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# Attributes every LogRecord has; anything else was passed with extra= and is logged as a field.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "request_id"}

log = logging.getLogger("phocap.request")


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.request_id = request_id_var.get()
        return True


class ExpectedResponseFilter(logging.Filter):
    def filter(self, record):
        if getattr(record, "status_code", 500) < 500:
            return False
        return bool(record.exc_info) or not hasattr(record, "status_code")


def _extras(record) -> dict:
    return {k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")}


class JsonFormatter(logging.Formatter):
    def format(self, record):
        entry = {
            "ts": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "msg": record.getMessage(),
        }
        for key, value in _extras(record).items():
            entry[key] = value if isinstance(value, (str, int, float, bool, type(None))) else str(value)
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def _kv(value) -> str:
    text = str(value)
    return json.dumps(text, ensure_ascii=False) if (not text or any(c in text for c in ' ="')) else text


class KeyValueFormatter(logging.Formatter):
    def format(self, record):
        parts = [self.formatTime(record, "%Y-%m-%dT%H:%M:%S"), record.levelname, record.name,
                 f"request_id={getattr(record, 'request_id', '-')}", f"msg={_kv(record.getMessage())}"]
        parts += [f"{key}={_kv(value)}" for key, value in _extras(record).items()]
        line = " ".join(parts)
        if record.exc_info:
            # Development only: a readable traceback under the line.
            line += "\n" + self.formatException(record.exc_info)
        return line


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex[:16]
        token = request_id_var.set(request_id)
        request.request_id = request_id
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            user = getattr(request, "user", None)
            level = logging.ERROR if response.status_code >= 500 else logging.INFO
            log.log(level, "request", extra={
                "method": request.method, "path": request.path, "status": response.status_code,
                "duration_ms": round((time.monotonic() - started) * 1000),
                "user_id": user.pk if user is not None and user.is_authenticated else None,
            })
            return response
        finally:
            request_id_var.reset(token)


def bind_task(task_id: str | None):
    """Celery task_prerun: lines logged by the task carry its id."""
    return request_id_var.set(task_id or "-")
