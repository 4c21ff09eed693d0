"""Out-of-range input answers a clear 4xx, never a 500: huge ids, stale or forged form
versions, dates far out of range."""

from __future__ import annotations

import pytest

from tests.helpers import csrf_token


@pytest.mark.parametrize(
    "path",
    [
        "/directives/9223372036854775808",
        "/directives/99999999999999999999999",
        "/assignments/2147483648",
        "/documents/9223372036854775807",
    ],
)
def test_huge_ids_answer_404(client, auth, path):
    auth.login("vanphong")
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("as_of", ["9999-12-31", "0001-01-01", "1999-12-31"])
def test_dates_out_of_range_answer_422(client, auth, as_of):
    auth.login("lanhdao")
    assert client.get(f"/?as_of={as_of}").status_code == 422
    assert client.get(f"/reports/accountability?as_of={as_of}&format=csv").status_code == 422


def test_forged_form_version_answers_422(client, auth, session, make_assignment):
    assignment = make_assignment("SNV")
    auth.login("snv")
    path = f"/assignments/{assignment.id}"
    for version in ("abc", "1e9", "99999999999999999999", ""):
        response = client.post(
            f"{path}/start",
            data={"csrf_token": csrf_token(client, path), "version": version},
        )
        assert response.status_code == 422, version
        assert "tải lại trang" in response.get_data(as_text=True) or version == ""
