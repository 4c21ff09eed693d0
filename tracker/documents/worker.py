"""The child process of one report job: `python -m tracker.documents.worker JOB_ID`.

The job queue starts it (tracker.documents.jobs.render) and waits on it. It limits its
own memory and CPU time first, so a runaway render ends this process, not the worker;
a PDF renders in parts (REPORT_PART_ROWS), so the memory it needs does not grow with the
report; a .docx, XLSX or CSV is written in one go (`report_files.make`); the job row says
how far it got, and why it failed."""

from __future__ import annotations

import io
import logging
import sys
from datetime import date

from tracker import clock, create_app, db
from tracker.documents.jobs import kind_of, seconds_for
from tracker.documents.models import JobStatus, ReportJob
from tracker.documents.operations import preview_pdf_in_parts, store
from tracker.documents.parallel import pool_size
from tracker.documents.report_files import MAX_FILE_BYTES, draft_of, make
from tracker.jobs.limits import OUT_OF_MEMORY, limit_resources
from tracker.reports.accountability import build_accountability

log = logging.getLogger(__name__)


def run(job_id: int) -> int:
    app = create_app()
    with app.test_request_context():
        session = db.session
        job = session.get(ReportJob, job_id)
        if job is None or job.status != JobStatus.RUNNING:
            return 1
        seconds = seconds_for(job, app.config)
        limit_resources(int(app.config["REPORT_JOB_MEMORY_MB"]), seconds)
        params, kind = dict(job.params), kind_of(job)
        session.commit()  # no transaction stays open while the report is built
        try:
            report = build_accountability(
                session, date.fromisoformat(params["as_of"]), params["directive_id"]
            )
            draft = draft_of(session, report, kind)
            _progress(session, job_id, 30)  # commits: no transaction stays open meanwhile
            pages = None
            if kind == "pdf" and draft is not None:
                data, pages = preview_pdf_in_parts(
                    draft,
                    int(app.config["REPORT_PART_ROWS"]),
                    processes=pool_size(app.config["PDF_PROCESSES"]),
                    seconds=seconds,
                    progress=lambda done, total: _progress(
                        session, job_id, 30 + 60 * done // total
                    ),
                )
            else:
                data = make(report, kind, draft)
            _progress(session, job_id, 90)
            blob, _ = store().save_stream(io.BytesIO(data), max_bytes=MAX_FILE_BYTES)
            job = session.get_one(ReportJob, job_id)
            job.sha256, job.size = blob.sha256, blob.size
            job.pages = pages
            job.status, job.progress, job.finished_at = JobStatus.DONE, 100, clock.now()
            session.commit()
            return 0
        except MemoryError:
            return _failed(session, job_id, OUT_OF_MEMORY)
        except Exception as error:
            log.exception("report job %s failed", job_id)
            return _failed(session, job_id, f"Lỗi khi dựng báo cáo ({type(error).__name__}).")


def _progress(session, job_id: int, percent: int) -> None:
    job = session.get_one(ReportJob, job_id)
    job.progress, job.heartbeat_at = percent, clock.now()
    session.commit()


def _failed(session, job_id: int, reason: str) -> int:
    session.rollback()
    job = session.get_one(ReportJob, job_id)
    job.status, job.finished_at, job.error = JobStatus.FAILED, clock.now(), reason
    session.commit()
    return 2


if __name__ == "__main__":
    sys.exit(run(int(sys.argv[1])))
