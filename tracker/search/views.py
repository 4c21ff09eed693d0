"""/search: one box in the navbar, results for what the user may see."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker import db
from tracker.agencies.operations import agency_names
from tracker.i18n import N_
from tracker.search.models import EntryKind
from tracker.search.queries import (
    DIRECTIVE_STATUSES,
    REPORT_STATUSES,
    Filters,
    SearchError,
    checked_filters,
    invalid,
    search,
)

blueprint = Blueprint("search", __name__)

KIND_LABELS = {
    EntryKind.DIRECTIVE: N_("Văn bản chỉ đạo"),
    EntryKind.TASK: N_("Nhiệm vụ"),
    EntryKind.SUBMISSION: N_("Báo cáo"),
    EntryKind.EVIDENCE: N_("Tệp minh chứng"),
    EntryKind.AGENCY: N_("Cơ quan, đơn vị"),
}
#: Longest query taken.
QUERY_LENGTH = 200


def _filters(args) -> Filters:
    def day(name: str, label: str) -> date | None:
        text = (args.get(name) or "").strip()
        if not text:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            message = _("%(label)s phải là một ngày (năm-tháng-ngày).", label=_(label))
            raise SearchError(message) from None

    kind_text = (args.get("kind") or "").strip()
    try:
        kind = EntryKind(kind_text) if kind_text else None
    except ValueError:
        raise invalid(N_("Loại"), kind_text) from None
    return checked_filters(
        kind=kind,
        agency=args.get("agency"),
        status=(args.get("status") or "").strip() or None,
        day_from=day("from", N_("Từ ngày")),
        day_to=day("to", N_("Đến ngày")),
    )


@blueprint.route("/search")
@login_required
def index():
    query = (request.args.get("q") or "").strip()[:QUERY_LENGTH]
    problem = None
    results = None
    filters = Filters()
    try:
        filters = _filters(request.args)
        if query:
            results = search(db.session, current_user, query, filters)
    except SearchError as error:
        problem = str(error)
    return render_template(
        "search/index.html",
        query=query,
        filters=filters,
        results=results,
        problem=problem,
        kind_labels=KIND_LABELS,
        directive_statuses=DIRECTIVE_STATUSES,
        report_statuses=REPORT_STATUSES,
        agencies=agency_names(db.session) if current_user.reads_everything else [],
    ), (400 if problem else 200)
