"""The list of agencies and groups, for office staff and leaders."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required

from tracker import db
from tracker.agencies.operations import all_agencies, all_groups

blueprint = Blueprint("agencies", __name__)

KIND_LABELS = {
    "province": "UBND tỉnh",
    "office": "Văn phòng",
    "department": "Sở, ban, ngành",
    "district": "UBND huyện, thành phố",
    "commune": "UBND xã",
    "mass_org": "Đoàn thể",
    "front": "Ủy ban MTTQ",
    "other": "Cơ quan, đơn vị khác",
}


@blueprint.route("/agencies")
@login_required
def index():
    if not current_user.reads_everything:
        abort(403)
    return render_template(
        "agencies/index.html",
        agencies=all_agencies(db.session),
        groups=all_groups(db.session),
        kind_labels=KIND_LABELS,
    )
