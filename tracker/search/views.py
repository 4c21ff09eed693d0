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
from tracker.search.queries import Filters, SearchError, search

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
            raise SearchError(f"{label} phải là một ngày (năm-tháng-ngày).") from None

    kind_text = (args.get("kind") or "").strip()
    try:
        kind = EntryKind(kind_text) if kind_text else None
    except ValueError:
        raise SearchError(f"Loại kết quả “{kind_text}” không hợp lệ.") from None
    found = Filters(
        kind=kind,
        agency=(args.get("agency") or "").strip().upper()[:40] or None,
        status=(args.get("status") or "").strip()[:20] or None,
        day_from=day("from", "Từ ngày"),
        day_to=day("to", "Đến ngày"),
    )
    if found.day_from and found.day_to and found.day_from > found.day_to:
        raise SearchError(_("“Từ ngày” phải trước “Đến ngày”."))
    return found


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
        agencies=agency_names(db.session) if current_user.reads_everything else [],
    ), (400 if problem else 200)
