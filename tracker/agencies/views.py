"""The list of agencies and groups, for office staff and leaders."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker import clock, db
from tracker.agencies.forms import IdentityForm
from tracker.agencies.models import Agency
from tracker.agencies.operations import EDITABLE_FIELDS, all_agencies, all_groups, update_identity
from tracker.assignments import obligations
from tracker.auth.guards import found_or_404
from tracker.auth.models import Role
from tracker.documents import drafts
from tracker.i18n import N_

blueprint = Blueprint("agencies", __name__)

KIND_LABELS = {
    "province": N_("UBND tỉnh"),
    "office": N_("Văn phòng"),
    "department": N_("Sở, ban, ngành"),
    "district": N_("UBND huyện, thành phố"),
    "commune": N_("UBND xã"),
    "mass_org": N_("Đoàn thể"),
    "front": N_("Ủy ban MTTQ"),
    "other": N_("Cơ quan, đơn vị khác"),
}


@blueprint.route("/agencies")
@login_required
def index():
    if not current_user.reads_everything:
        abort(403)
    today = clock.today()
    counts = obligations.count_by(db.session, today, ("agency_id",), obligations.PROVINCE)
    return render_template(
        "agencies/index.html",
        agencies=all_agencies(db.session),
        groups=all_groups(db.session),
        kind_labels=KIND_LABELS,
        counts={agency_id: value for (agency_id,), value in counts.items()},
        total=obligations.total_of(counts.values()),
        total_label=obligations.TOTAL_LABEL,
        empty=obligations.Counts(),
        today=today,
    )


@blueprint.route("/agencies/<int:agency_id>/identity", methods=["GET", "POST"])
@login_required
def identity(agency_id: int):
    """How the agency prints itself in documents and who heads it (admins)."""
    if current_user.role != Role.ADMIN:
        abort(403)
    agency = found_or_404(db.session.get(Agency, agency_id))
    form = IdentityForm(
        obj=None,
        data={
            **{key: getattr(agency, key) for key in EDITABLE_FIELDS},
            "header_parent": drafts.header_parent(agency),
            "header_name": drafts.header_name(agency),
            "symbol_code": drafts.symbol_code(agency),
            "place": drafts.place(agency),
        },
    )
    if form.validate_on_submit():
        changed = update_identity(
            db.session, current_user, agency, **{key: form[key].data for key in EDITABLE_FIELDS}
        )
        db.session.commit()
        flash(_("Đã lưu.") if changed else _("Không có gì thay đổi."), "success")
        return redirect(url_for("agencies.index") + f"#agency-{agency.id}")
    return render_template(
        "agencies/identity.html", agency=agency, form=form
    ), 422 if form.errors else 200
