"""Idempotency-Key on POSTs that create: a retried request (a timeout, a lost answer)
gets the first answer again instead of creating twice. The key's row is written in the
transaction that creates, so a refused or failed request leaves no key behind, and of
two requests racing with one key, the second finds the first's row and replays it."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa
from flask import Response, current_app, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from tracker import clock, db
from tracker.api.models import IdempotentRequest
from tracker.api.problems import Problem, field_error
from tracker.api.spec import Reply, to_response

HEADER = "Idempotency-Key"


def _fingerprint() -> str:
    """The request's method, path, fields and files' contents (not the multipart
    boundary, which a client draws anew for each try)."""
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    for name, value in sorted(request.form.items(multi=True)):
        digest.update(f"{name}={value}\n".encode())
    for name, upload in sorted(request.files.items(multi=True), key=lambda item: item[0]):
        digest.update(f"{name}:{upload.filename}:".encode())
        stream = upload.stream
        while chunk := stream.read(1 << 16):
            digest.update(chunk)
        stream.seek(0)
    if not request.form and not request.files:
        digest.update(request.get_data())
    return digest.hexdigest()


def _stored(key: str) -> IdempotentRequest | None:
    oldest = clock.now() - timedelta(hours=int(current_app.config["API_IDEMPOTENCY_HOURS"]))
    return db.session.scalar(
        sa.select(IdempotentRequest).where(
            IdempotentRequest.user_id == current_user.id,
            IdempotentRequest.key == key,
            IdempotentRequest.created_at >= oldest,
        )
    )


def _replay(stored: IdempotentRequest, fingerprint: str) -> Response:
    if stored.fingerprint != fingerprint:
        raise Problem(
            422,
            _("Idempotency-Key này đã được dùng cho một yêu cầu khác."),
            errors=[field_error(HEADER, _("Hãy dùng một khóa mới cho yêu cầu mới."))],
        )
    answer = Response(stored.body, status=stored.status, mimetype="application/json")
    if stored.location:
        answer.headers["Location"] = stored.location
    answer.headers["Idempotent-Replayed"] = "true"
    return answer


def replay_or_run(run: Callable[[], Reply]) -> Response:
    """Run a creating request once per key; commits what it made with the key."""
    key = request.headers.get(HEADER)
    if key is None:
        answer = to_response(run())
        db.session.commit()
        return answer
    if not 1 <= len(key) <= 255 or not key.isprintable():
        raise Problem(422, errors=[field_error(HEADER, _("Khóa phải dài từ 1 đến 255 ký tự."))])
    fingerprint = _fingerprint()
    stored = _stored(key)
    if stored is not None:
        return _replay(stored, fingerprint)
    answer = to_response(run())
    _forget_expired()
    db.session.add(
        IdempotentRequest(
            user_id=current_user.id,
            key=key,
            fingerprint=fingerprint,
            status=answer.status_code,
            body=answer.get_data(as_text=True),
            location=answer.headers.get("Location", ""),
        )
    )
    try:
        db.session.commit()
    except IntegrityError:  # the same key, committed by a request that raced this one
        db.session.rollback()
        stored = _stored(key)
        if stored is None:
            raise
        return _replay(stored, fingerprint)
    return answer


def _forget_expired() -> None:
    oldest = clock.now() - timedelta(hours=int(current_app.config["API_IDEMPOTENCY_HOURS"]))
    db.session.execute(
        sa.delete(IdempotentRequest).where(
            IdempotentRequest.user_id == current_user.id, IdempotentRequest.created_at < oldest
        )
    )
