"""Error pages: a clear message in the reader's language, never a traceback."""

from __future__ import annotations

import errno
import logging

from flask import Flask, current_app, redirect, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.wrappers import Response as WerkzeugResponse

from tracker import clock, db
from tracker.evidence.storage import StoreUnavailable
from tracker.i18n import N_
from tracker.notifications.operations import notify_admins
from tracker.routing import is_api_request, page_of_form

log = logging.getLogger("tracker")

#: Titles and messages per status, marked here and translated where shown.
MESSAGES = {
    400: (
        N_("Yêu cầu không hợp lệ"),
        N_("Yêu cầu gửi lên không hợp lệ. Hãy quay lại và thử lại."),
    ),
    401: (
        N_("Chưa xác thực"),
        N_("Hãy gửi kèm một mã truy cập còn hiệu lực (Authorization: Bearer …)."),
    ),
    403: (N_("Không có quyền"), N_("Bạn không có quyền thực hiện thao tác này.")),
    404: (N_("Không tìm thấy"), N_("Không tìm thấy trang hoặc dữ liệu bạn yêu cầu.")),
    405: (N_("Không hợp lệ"), N_("Thao tác này không được phép theo cách đó.")),
    409: (
        N_("Xung đột dữ liệu"),
        N_("Dữ liệu vừa được người khác thay đổi. Hãy tải lại trang."),
    ),
    412: (
        N_("Dữ liệu đã thay đổi"),
        N_("Dữ liệu đã thay đổi kể từ lần đọc trước (If-Match). Hãy đọc lại rồi thực hiện lại."),
    ),
    413: (
        N_("Tệp quá lớn"),
        N_("Tệp tải lên vượt quá dung lượng cho phép. Hãy nén hoặc chia nhỏ tệp rồi thử lại."),
    ),
    415: (
        N_("Định dạng không hỗ trợ"),
        N_("Nội dung gửi lên không ở định dạng được hỗ trợ."),
    ),
    422: (N_("Dữ liệu chưa hợp lệ"), N_("Dữ liệu nhập chưa hợp lệ.")),
    429: (
        N_("Quá nhiều lần thử"),
        N_("Bạn đã thử quá nhiều lần. Hãy đợi một phút rồi thử lại."),
    ),
    500: (
        N_("Lỗi hệ thống"),
        N_("Đã có lỗi xảy ra; dữ liệu của bạn không bị thay đổi. Hãy thử lại sau."),
    ),
    507: (
        N_("Hết dung lượng lưu trữ"),
        N_(
            "Máy chủ đã hết chỗ lưu trữ nên chưa lưu được; dữ liệu của bạn không bị thay đổi."
            " Quản trị hệ thống đã được báo; hãy thử lại sau."
        ),
    ),
    503: (
        N_("Tạm thời gián đoạn"),
        N_(
            "Hệ thống tạm thời không truy cập được cơ sở dữ liệu; dữ liệu của bạn không bị thay"
            " đổi. Hãy thử lại sau ít phút."
        ),
    ),
}


def answer_error(status: int, message: str | None = None) -> tuple[str, int] | WerkzeugResponse:
    """On the API, problem details (tracker.api.problems); elsewhere, the error page."""
    if is_api_request():
        from tracker.api.problems import Problem, response

        return response(Problem(status, message))
    return render_error(status, message)


def render_error(status: int, message: str | None = None) -> tuple[str, int]:
    """The error page in the site's frame; when the frame itself cannot be drawn (the
    database is down, so the signed-in user cannot be loaded), a page that needs
    nothing but the template."""
    title, default = MESSAGES.get(status, MESSAGES[500])
    context = {"title": _(title), "message": message or _(default), "status": status}
    try:
        return render_template("error.html", **context), status
    except Exception:  # noqa: BLE001 (any failure here must still answer the user)
        log.warning("error page drawn without the site frame", exc_info=True)
        _forget_session()
        # Straight from the environment: no context processor (they read the database).
        page = current_app.jinja_env.get_template("error_plain.html").render(**context)
        return page, status


def _tell_admins_storage_is_full() -> None:
    """An in-app notice to every active admin, once a day; never fails the answer."""
    try:
        notify_admins(
            db.session,
            key=f"storage-full:{clock.today().isoformat()}",
            title=N_("Máy chủ hết dung lượng lưu trữ"),
            body=N_(
                "Tải tệp hoặc phát hành văn bản đã thất bại vì hết chỗ trên đĩa. Hãy giải"
                " phóng dung lượng hoặc mở rộng ổ lưu trữ."
            ),
        )
        db.session.commit()
    except Exception:  # noqa: BLE001 (the notice is a courtesy; the page must still answer)
        log.warning("could not notify the admins that storage is full", exc_info=True)
        _forget_session()


def _forget_session() -> None:
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 (the connection may be gone)
        db.session.remove()


def _path_exists(path: str) -> bool:
    """Some rule takes `path` by GET or POST."""
    adapter = current_app.url_map.bind("localhost")
    for method in ("GET", "POST"):
        try:
            adapter.match(path, method=method)
        except HTTPException:
            continue
        return True
    return False


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError) -> tuple[str, int] | WerkzeugResponse:
        log.warning("CSRF refused on %s: %s", request.path, error.description)
        return answer_error(
            400,
            _(
                "Phiên làm việc của biểu mẫu đã hết hạn hoặc không hợp lệ. Hãy tải lại trang"
                " rồi gửi lại."
            ),
        )

    @app.errorhandler(HTTPException)
    def _http(
        error: HTTPException,
    ) -> tuple[str, int] | tuple[str, int, list[tuple[str, str]]] | WerkzeugResponse:
        if error.code == 413:
            limit = app.config["MAX_UPLOAD_MB"]
            return answer_error(
                413,
                _(
                    "Tệp tải lên vượt quá %(limit)s MB. Hãy nén hoặc chia nhỏ tệp rồi thử lại.",
                    limit=limit,
                ),
            )
        if error.code == 405 and request.method in ("GET", "HEAD") and not is_api_request():
            page = page_of_form(request.path)
            if page is not None:  # a reload after a failed form: back to the form's page
                return redirect(page, 303)
        if error.code == 405 and is_api_request() and not _path_exists(request.path):
            # Werkzeug's matcher may answer 405 for a path no rule takes (an id out of
            # range): on the API that is a 404, as it is for GET.
            return answer_error(404)
        if error.code in (401, 403):
            log.warning("access denied: %s %s", request.method, request.path)
        # A description given to abort() is ours, in the reader's language; Werkzeug's
        # own is English only.
        own = error.description if error.description != type(error).description else None
        answer = answer_error(error.code or 500, own)
        # Keep the exception's own headers (Allow on 405, for instance).
        headers = [
            (name, value) for name, value in error.get_headers() if name.lower() != "content-type"
        ]
        if isinstance(answer, WerkzeugResponse):
            answer.headers.extend(headers)
            return answer
        body, status = answer
        return body, status, headers

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return _http(error)
        _forget_session()
        if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
            log.error("storage full on %s %s: %s", request.method, request.path, error)
            _tell_admins_storage_is_full()
            return answer_error(507)
        if isinstance(error, StoreUnavailable):
            log.error("file store unavailable on %s %s: %s", request.method, request.path, error)
            return answer_error(503, str(error))
        if isinstance(error, sa_exc.OperationalError | sa_exc.InterfaceError):
            log.error("database unavailable on %s %s: %s", request.method, request.path, error)
            return answer_error(503)
        log.exception("unhandled error on %s %s", request.method, request.path)
        return answer_error(InternalServerError.code)
