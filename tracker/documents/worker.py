"""The worker process of one report job: `python -m tracker.documents.worker JOB_ID`.

It limits its own memory and CPU time first, so a runaway render ends the process, not
the server; the job row says how far it got and why it failed."""

from __future__ import annotations

import io
import resource
import sys
import traceback
from datetime import date

from tracker import clock, create_app, db
from tracker.agencies.operations import agency_by_code
from tracker.documents.accountability import draft_accountability
from tracker.documents.models import JobStatus, ReportJob
from tracker.documents.operations import MAX_PDF_BYTES, preview_pdf, store
from tracker.reports.accountability import build_accountability


def limit_resources(memory_mb: int, cpu_seconds: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_mb * 1024 * 1024,) * 2)
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))


def run(job_id: int) -> int:
    app = create_app()
    limit_resources(int(app.config["REPORT_JOB_MEMORY_MB"]), int(app.config["REPORT_JOB_SECONDS"]))
    with app.test_request_context():
        session = db.session
        job = session.get(ReportJob, job_id)
        if job is None or job.status != JobStatus.QUEUED:
            return 1
        job.status, job.started_at, job.progress = JobStatus.RUNNING, clock.now(), 5
        session.commit()
        try:
            report = build_accountability(
                session, date.fromisoformat(job.params["as_of"]), job.params["directive_id"]
            )
            _progress(session, job, 30)
            office = agency_by_code(session, app.config.get("OFFICE_CODE", "VPUBND"))
            draft = draft_accountability(report, office)
            pdf = preview_pdf(draft)
            _progress(session, job, 90)
            blob, _ = store().save_stream(io.BytesIO(pdf), max_bytes=MAX_PDF_BYTES)
            job.sha256, job.size = blob.sha256, blob.size
            job.pages = pdf.count(b"/Type /Page\n") or pdf.count(b"/Type/Page")
            job.status, job.progress, job.finished_at = JobStatus.DONE, 100, clock.now()
            session.commit()
            return 0
        except (Exception, MemoryError):
            session.rollback()
            job = session.get(ReportJob, job_id)
            job.status, job.finished_at = JobStatus.FAILED, clock.now()
            job.error = traceback.format_exc(limit=3)[-2000:]
            session.commit()
            return 2


def _progress(session, job: ReportJob, percent: int) -> None:
    job.progress = percent
    session.commit()


if __name__ == "__main__":
    sys.exit(run(int(sys.argv[1])))
