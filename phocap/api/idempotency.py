"""`Idempotency-Key` handling for every write of the API (see models.IdempotencyKey).

One transaction holds the key row, the work and the stored answer:
- the key row is inserted first; a second request with the same (user, key) waits on the
  unique index while the first is running (PostgreSQL), then fails to insert, rolls back
  and replays the stored answer, so concurrent duplicates never do the work twice;
- the work runs in a savepoint: a refusal (DomainError, invalid input, 404) is rolled back
  but its answer is stored, so a replay answers exactly what the first request did;
- an unexpected exception rolls everything back, key included: the client may retry.
"""

import hashlib
import json
import uuid
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from .errors import ApiError, exception_handler
from .models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAY_HEADER = "Idempotent-Replayed"


def _canonical(value):
    """The request body as comparable data; uploaded files by their content hash."""
    if hasattr(value, "read") and hasattr(value, "seek"):
        digest = hashlib.sha256()
        for chunk in value.chunks():
            digest.update(chunk)
        value.seek(0)
        return {"file_sha256": digest.hexdigest()}
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    return value


def _body(request: Request):
    data = request.data
    if hasattr(data, "lists"):  # a QueryDict (form or multipart): keep repeated keys
        data = {k: v if len(v) > 1 else v[0] for k, v in data.lists()}
    return _canonical(data)


def fingerprint(request: Request) -> str:
    text = json.dumps([request.method, request.path, _body(request)], sort_keys=True, cls=JSONEncoder)
    return hashlib.sha256(text.encode()).hexdigest()


def _answer(work: Callable[[], Response], context: dict) -> Response:
    try:
        with transaction.atomic():
            return work()
    except Exception as exc:  # noqa: BLE001 - converted by the API's handler or re-raised
        response = exception_handler(exc, context)
        if response is None:
            raise
        return response


def run_idempotent(request: Request, work: Callable[[], Response], *, view=None) -> Response:
    """Do `work` once per (user, Idempotency-Key); without the header, just do it."""
    context = {"request": request, "view": view}
    raw = request.headers.get(HEADER)
    if raw is None:
        return _answer(work, context)
    try:
        key = uuid.UUID(raw.strip())
    except ValueError:
        raise ApiError(_("Idempotency-Key phải là một UUID."), code="idempotency_key_invalid")
    print_ = fingerprint(request)
    created = False
    try:
        with transaction.atomic():
            # Inserted first and without a savepoint of its own: a duplicate of a running request
            # waits here on the unique index, then fails and replays what the first committed.
            record = IdempotencyKey.objects.create(user=request.user, key=key, method=request.method,
                                                   path=request.path[:255], fingerprint=print_, status_code=0)
            created = True
            response = _answer(work, context)
            record.status_code = response.status_code
            record.body = json.loads(json.dumps(response.data, cls=JSONEncoder))
            record.save(update_fields=["status_code", "body"])
    except IntegrityError:
        if created:
            raise
        return _replay(request, key, print_)
    response[REPLAY_HEADER] = "false"
    return response


def _replay(request: Request, key: uuid.UUID, print_: str) -> Response:
    record = IdempotencyKey.objects.get(user=request.user, key=key)
    if record.fingerprint != print_:
        raise ApiError(_("Idempotency-Key này đã được dùng cho một yêu cầu khác; hãy tạo khóa mới."),
                       code="idempotency_key_reused", status_code=status.HTTP_422_UNPROCESSABLE_ENTITY)
    return Response(record.body, status=record.status_code, headers={REPLAY_HEADER: "true"})


# --- many writes in one request (a sync batch) -------------------------------------------

def item_fingerprint(path: str, item: dict) -> str:
    text = json.dumps(["POST", path, _canonical(item)], sort_keys=True, cls=JSONEncoder)
    return hashlib.sha256(text.encode()).hexdigest()


def run_idempotent_items(request: Request, items: list[tuple[uuid.UUID, dict]],
                         work: Callable[[int], Response], *, view=None,
                         single_path: str | None = None) -> list[tuple[Response, bool]]:
    """Each item of a batch is a write of its own, with its own key: done once, its answer stored
    under (user, key), a replay answered as the first time (`(response, replayed)` per item, in
    order). Runs inside the caller's transaction; the key rows are claimed in one statement
    (`INSERT … ON CONFLICT DO NOTHING`: a key another request is working on waits for it, then
    replays its answer) and the answers stored in one. `work(i)` does item i; a refusal it
    raises becomes that item's answer, and the service's own savepoint has undone its writes.
    An item whose key was already used for another body gets 422 (nothing stored); a key the
    single write (`single_path`) answered is replayed too (a queue sent one by one before, whose
    answer was lost)."""
    context = {"request": request, "view": view}
    path = request.path[:255]
    prints = [item_fingerprint(path, body) for _key, body in items]
    IdempotencyKey.objects.bulk_create(
        [IdempotencyKey(user=request.user, key=key, method="POST", path=path, fingerprint=fp, status_code=0)
         for (key, _body), fp in zip(items, prints, strict=True)], ignore_conflicts=True)
    records = {r.key: r for r in IdempotencyKey.objects.filter(user=request.user, key__in=[k for k, _b in items])}
    answers: list[tuple[Response, bool]] = []
    done = []
    for i, ((key, _body), fp) in enumerate(zip(items, prints, strict=True)):
        record = records[key]
        if record.fingerprint != fp and not (record.path == single_path and record.status_code):
            answers.append((Response({"code": "idempotency_key_reused", "detail": _(
                "Idempotency-Key này đã được dùng cho một yêu cầu khác; hãy tạo khóa mới.")},
                status=status.HTTP_422_UNPROCESSABLE_ENTITY), False))
        elif record.status_code:  # answered before (or earlier in this batch): the same answer
            answers.append((Response(record.body, status=record.status_code), True))
        else:
            try:
                response = work(i)
            except Exception as exc:  # noqa: BLE001 - converted by the API's handler or re-raised
                response = exception_handler(exc, context)
                if response is None:
                    raise
            record.status_code = response.status_code
            record.body = json.loads(json.dumps(response.data, cls=JSONEncoder))
            done.append(record)
            answers.append((response, False))
    IdempotencyKey.objects.bulk_update(done, ["status_code", "body"])
    return answers
