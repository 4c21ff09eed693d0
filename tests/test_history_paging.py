"""An assignment's history grows with every step: its page shows it a page at a time,
the newest first, in a fixed number of queries."""

from __future__ import annotations

import re

from tests.helpers import user_named
from tracker.assignments.views import EVENTS_PER_PAGE
from tracker.assignments.workflow import Action, apply


def test_history_is_paged_newest_first(client, auth, session, make_assignment):
    assignment = make_assignment("SNV")
    worker, office = user_named(session, "snv"), user_named(session, "vanphong")
    for round_number in range(EVENTS_PER_PAGE):  # 1 + 2 x 20 events
        apply(assignment, Action.SUBMIT, worker, text=f"Lần {round_number}.")
        apply(assignment, Action.RETURN, office, reason=f"Bổ sung lần {round_number}.")
    session.flush()
    auth.login("vanphong")

    def history(page: int | None = None) -> list[str]:
        path = f"/assignments/{assignment.id}" + (f"?events={page}" if page else "")
        body = client.get(path).get_data(as_text=True)
        section = body[
            body.index('data-testid="history"') : body.index(
                "</ol>", body.index('data-testid="history"')
            )
        ]
        return re.findall(r"<li>", section), section, body

    first, section, body = history()
    assert len(first) == EVENTS_PER_PAGE
    assert f"Bổ sung lần {EVENTS_PER_PAGE - 1}" in section  # the newest first
    assert "giao nhiệm vụ" not in section
    assert "events=3#history" in body
    last, section, _ = history(3)
    assert len(last) == 1 and "giao nhiệm vụ" in section  # the oldest last
    clamped, section, _ = history(99)
    assert len(clamped) == 1
