"""The weekly digest's preview page: the message with a copy button, and its chart and
text as downloads. For those who may make it (`digest.may_read`); others get 404."""

from __future__ import annotations

import re
from datetime import date, timedelta

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker import clock, db
from tracker.directives.models import Directive
from tracker.directives.queries import load_directive
from tracker.reports import digest, digest_chart
from tracker.routing import external_url

blueprint = Blueprint("digests", __name__)


def _directive(directive_id: int) -> Directive:
    directive = load_directive(db.session, directive_id, current_user)
    if directive is None or not digest.may_read(db.session, current_user, directive):
        abort(404)
    return directive


def _week(today: date) -> date:
    text = (request.args.get("week") or "").strip()
    if not text:
        return today
    try:
        day = date.fromisoformat(text)
    except ValueError:
        day = None
    if day is None or not 1900 <= day.year <= 9000:
        raise digest.DigestError(_("Tuần phải là một ngày (năm-tháng-ngày)."))
    return day


def _compose(directive: Directive) -> digest.Digest:
    today = clock.today()
    link = external_url("directives.show", directive_id=directive.id)
    return digest.compose(db.session, directive, _week(today), today, link)


@blueprint.route("/directives/<int:directive_id>/digest")
@login_required
def show(directive_id: int):
    directive = _directive(directive_id)
    try:
        found = _compose(directive)
    except digest.DigestError as error:
        return render_template(
            "reports/digest.html", directive=directive, found=None, problem=str(error)
        ), 400
    return render_template(
        "reports/digest.html",
        directive=directive,
        found=found,
        problem=None,
        previous=found.starts_on - timedelta(weeks=1),
        following=found.starts_on + timedelta(weeks=1),
        today=clock.today(),
        limit=digest.MESSAGE_LENGTH,
        period=digest.period_to_report(db.session, current_user, directive, found),
    )


def _download(directive_id: int, kind: str) -> Response:
    directive = _directive(directive_id)
    try:
        found = _compose(directive)
    except digest.DigestError as error:
        abort(400, description=str(error))
    number = re.sub(r"[^0-9A-Za-z-]", "", directive.number) or str(directive.id)
    name = f"ban-tin-{number}-{found.starts_on.isoformat()}"
    if kind == "png":
        body, mimetype = digest_chart.png(found), "image/png"
    else:
        body, mimetype = (found.text + "\n").encode(), "text/plain; charset=utf-8"
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f"attachment; filename={name}.{kind}"},
    )


@blueprint.route("/directives/<int:directive_id>/digest.png")
@login_required
def chart(directive_id: int):
    return _download(directive_id, "png")


@blueprint.route("/directives/<int:directive_id>/digest.txt")
@login_required
def text(directive_id: int):
    return _download(directive_id, "txt")
