"""Evidence and documents in an S3-compatible object store (FILE_STORE = "s3"), against
a real one: OpenStack Swift with its s3api middleware (tests/object_store_server.py).

The store keeps the folder store's promises (tests/test_evidence_storage.py): content
addressed, nothing left behind by a refused or failed upload, tampering found, orphans
swept after their grace period. Through the app: an agency uploads and downloads, the
office's checks (`tracker evidence verify`, `tracker audit verify`, backup manifests)
read the bucket, and a report made by a job worker with folders of its own is
downloaded by the web app: no file lives on either machine."""

from __future__ import annotations

import hashlib
import io
import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import FAST_ARGON2
from tests.helpers import Auth, demo_site, job_worker, post_scan, wait_until
from tests.object_store_server import Endpoint, swift_s3
from tests.test_evidence_web import make_pdf, upload
from tests.test_ocr import make_scan, needs_tesseract
from tracker import create_app, db
from tracker.assignments.models import Assignment
from tracker.cli import main
from tracker.demo import DEMO_PASSWORD
from tracker.documents.models import JobStatus, ReportJob
from tracker.evidence import stores
from tracker.evidence.models import Evidence
from tracker.evidence.object_store import ObjectStore
from tracker.evidence.operations import EvidenceError, add_evidence
from tracker.evidence.storage import EmptyFile, FileTooLarge, StoreUnavailable
from tracker.maintenance.backup import file_manifest, verify_manifest

MEBIBYTE = 1024 * 1024


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory) -> Iterator[Endpoint]:
    with swift_s3(tmp_path_factory.mktemp("object-store")) as running:
        yield running


@pytest.fixture
def settings(endpoint, tmp_path) -> dict[str, object]:
    """The settings of a new, empty bucket of its own."""
    bucket = f"tracker-{uuid.uuid4().hex[:12]}"
    config: dict[str, object] = {
        "FILE_STORE": "s3",
        "S3_ENDPOINT_URL": endpoint.url,
        "S3_BUCKET": bucket,
        "S3_ACCESS_KEY_ID": endpoint.access_key_id,
        "S3_SECRET_ACCESS_KEY": endpoint.secret_access_key,
        "S3_REGION": "us-east-1",
        "S3_ADDRESSING_STYLE": "path",
        "UPLOAD_SPOOL_DIR": str(tmp_path / "spool"),
        "EVIDENCE_DIR": str(tmp_path / "evidence"),
        "DOCUMENTS_DIR": str(tmp_path / "documents"),
    }
    _client(config).create_bucket(Bucket=bucket)
    return config


@pytest.fixture
def store(settings) -> ObjectStore:
    made = stores.evidence_store(settings)
    assert isinstance(made, ObjectStore)
    return made


def _client(config):
    from tracker.evidence.object_store import S3Settings, _client

    return _client(
        S3Settings(
            endpoint_url=str(config["S3_ENDPOINT_URL"]),
            bucket=str(config["S3_BUCKET"]),
            access_key_id=str(config["S3_ACCESS_KEY_ID"]),
            secret_access_key=str(config["S3_SECRET_ACCESS_KEY"]),
        )
    )


def _keys(config) -> list[str]:
    listing = _client(config).list_objects_v2(Bucket=config["S3_BUCKET"])
    return sorted(item["Key"] for item in listing.get("Contents", []))


def _spooled(config) -> list[Path]:
    spool = Path(str(config["UPLOAD_SPOOL_DIR"]))
    return sorted(spool.iterdir()) if spool.is_dir() else []


# The store ---------------------------------------------------------------------------------


def test_a_file_is_stored_under_its_hash_and_read_back(store, settings):
    data = b"Danh s\xc3\xa1ch c\xc3\xa0i \xc4\x91\xe1\xba\xb7t Bluezone.\n" + uuid.uuid4().bytes
    sha256 = hashlib.sha256(data).hexdigest()

    blob, validated = store.save_stream(
        io.BytesIO(data), max_bytes=MEBIBYTE, validate=lambda path: path.read_bytes()
    )

    assert (blob.sha256, blob.size, blob.path) == (sha256, len(data), None)
    assert validated == data  # the sniffer reads the complete local copy
    assert _keys(settings) == [f"evidence/{sha256[:2]}/{sha256}"]
    assert _spooled(settings) == []
    stored = store.open(sha256)
    assert stored is not None and stored.path is None and stored.size == len(data)
    assert b"".join(stored.chunks()) == data
    assert store.exists(sha256) and store.verify(sha256)
    assert list(store.files()) == [(f"{sha256[:2]}/{sha256}", len(data))]
    head = _client(settings).head_object(Bucket=settings["S3_BUCKET"], Key=_keys(settings)[0])
    assert head["Metadata"] == {"sha256": sha256}


def test_the_same_content_is_stored_once_and_its_age_starts_again(store, settings):
    data = uuid.uuid4().bytes * 100
    first, _ = store.save_stream(io.BytesIO(data), max_bytes=MEBIBYTE)
    key = f"evidence/{first.sha256[:2]}/{first.sha256}"
    client = _client(settings)
    before = client.head_object(Bucket=settings["S3_BUCKET"], Key=key)["LastModified"]
    time.sleep(1.1)  # S3 gives times to the second

    second, _ = store.save_stream(io.BytesIO(data), max_bytes=MEBIBYTE)

    assert second.sha256 == first.sha256
    assert _keys(settings) == [key]
    assert client.head_object(Bucket=settings["S3_BUCKET"], Key=key)["LastModified"] > before
    # so a sweep right after spares it, though no row names it yet
    assert store.sweep_orphans(set(), grace_seconds=1) == []
    assert store.verify(first.sha256)


def test_a_file_of_many_parts_is_stored_whole(store, settings):
    data = uuid.uuid4().bytes * (20 * MEBIBYTE // 16)  # over boto3's 8 MB part size

    blob, _ = store.save_stream(io.BytesIO(data), max_bytes=25 * MEBIBYTE)

    assert blob.size == 20 * MEBIBYTE
    assert store.verify(blob.sha256)
    assert _keys(settings) == [f"evidence/{blob.sha256[:2]}/{blob.sha256}"]


@pytest.mark.parametrize(
    ("data", "validate", "error"),
    [
        (b"x" * 2049, None, FileTooLarge),
        (b"", None, EmptyFile),
        (b"<script>", "refuse", ValueError),
    ],
    ids=["too large", "empty", "refused by the sniffer"],
)
def test_a_refused_upload_leaves_nothing_in_the_bucket_or_the_spool(
    store, settings, data, validate, error
):
    def refuse(_path: Path) -> None:
        raise ValueError("refused")

    with pytest.raises(error):
        store.save_stream(io.BytesIO(data), max_bytes=2048, validate=refuse if validate else None)

    assert _keys(settings) == []
    assert _spooled(settings) == []


def test_a_changed_or_missing_object_is_found(store, settings):
    blob, _ = store.save_stream(io.BytesIO(uuid.uuid4().bytes), max_bytes=MEBIBYTE)
    key = f"evidence/{blob.sha256[:2]}/{blob.sha256}"
    client = _client(settings)

    client.put_object(Bucket=settings["S3_BUCKET"], Key=key, Body=b"altered")
    assert not store.verify(blob.sha256)
    assert (
        store.hash_of(f"{blob.sha256[:2]}/{blob.sha256}") == hashlib.sha256(b"altered").hexdigest()
    )

    client.delete_object(Bucket=settings["S3_BUCKET"], Key=key)
    assert not store.verify(blob.sha256)
    assert not store.exists(blob.sha256)
    assert store.open(blob.sha256) is None
    with pytest.raises(ValueError, match="SHA-256"):
        store.open("../" + "a" * 61)


def test_the_sweep_removes_old_orphans_only(store, settings):
    known, _ = store.save_stream(io.BytesIO(b"known " + uuid.uuid4().bytes), max_bytes=MEBIBYTE)
    orphan, _ = store.save_stream(io.BytesIO(b"orphan " + uuid.uuid4().bytes), max_bytes=MEBIBYTE)
    client = _client(settings)
    client.put_object(Bucket=settings["S3_BUCKET"], Key="evidence/README", Body=b"not ours")
    client.put_object(Bucket=settings["S3_BUCKET"], Key="documents/ab/other", Body=b"x")

    assert store.sweep_orphans({known.sha256}) == []  # within the hour's grace
    time.sleep(2.1)  # listings give times rounded up to the second
    removed = store.sweep_orphans({known.sha256}, grace_seconds=1)

    assert removed == [f"evidence/{orphan.sha256[:2]}/{orphan.sha256}"]
    assert _keys(settings) == sorted(
        ["documents/ab/other", "evidence/README", f"evidence/{known.sha256[:2]}/{known.sha256}"]
    )


def test_an_unreachable_store_says_so_and_leaves_nothing(settings, tmp_path):
    with socket_closed() as port:
        unreachable = stores.evidence_store(
            settings | {"S3_ENDPOINT_URL": f"http://127.0.0.1:{port}"}
        )
        with pytest.raises(StoreUnavailable, match="không truy cập được"):
            unreachable.save_stream(io.BytesIO(b"data"), max_bytes=MEBIBYTE)
        with pytest.raises(StoreUnavailable):
            unreachable.exists("a" * 64)
    assert _spooled(settings) == []
    missing_bucket = stores.evidence_store(settings | {"S3_BUCKET": "no-such-bucket"})
    with pytest.raises(StoreUnavailable):
        missing_bucket.save_stream(io.BytesIO(b"data"), max_bytes=MEBIBYTE)


def test_settings_that_cannot_work_are_refused_as_the_app_starts(settings, tmp_path):
    for wrong, message in (
        ({"FILE_STORE": "ftp"}, "FILE_STORE must be one of folder, s3"),
        ({"S3_BUCKET": ""}, "needs S3_BUCKET"),
        ({"S3_ACCESS_KEY_ID": "", "S3_SECRET_ACCESS_KEY": ""}, "needs S3_ACCESS_KEY_ID, S3_SECRET"),
        ({"S3_ADDRESSING_STYLE": "sideways"}, "S3_ADDRESSING_STYLE must be one of"),
    ):
        with pytest.raises(ValueError, match=message):
            create_app(
                {"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": "sqlite://", **settings, **wrong}
            )


def socket_closed():
    import contextlib
    import socket

    @contextlib.contextmanager
    def closed() -> Iterator[int]:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            yield probe.getsockname()[1]  # bound, not listening: connections are refused

    return closed()


# Through the app ---------------------------------------------------------------------------


def test_init_creates_the_bucket_and_the_demo_files_go_into_it(settings, tmp_path):
    config = settings | {
        "S3_BUCKET": f"tracker-new-{uuid.uuid4().hex[:8]}",
        "INSTANCE_PATH": str(tmp_path / "web"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'tracker.db'}",
        "SECRET_KEY": "object-store",
    }
    app = create_app(config | FAST_ARGON2)
    try:
        runner = app.test_cli_runner()
        first = runner.invoke(main, ["init", "--demo"])
        assert first.exit_code == 0, first.output
        assert f"Đã tạo kho lưu trữ tệp (bucket) {config['S3_BUCKET']}." in first.output
        with app.app_context():
            hashes = set(db.session.scalars(sa.select(Evidence.sha256)))
        assert hashes
        stored = {key.rsplit("/", 1)[1] for key in _keys(config) if key.startswith("evidence/")}
        assert stored == hashes
        again = runner.invoke(main, ["init"])
        assert again.exit_code == 0 and "(bucket)" not in again.output
    finally:
        app.extensions["tracker.db"].engine.dispose()


@pytest.fixture
def site(settings, tmp_path) -> Iterator[tuple[dict, object]]:
    # The queue's file outside the instance: a worker with an instance of its own shares it.
    config, app = demo_site(tmp_path / "web", **settings, JOB_QUEUE_PATH=str(tmp_path / "queue.db"))
    yield config, app
    app.extensions["tracker.db"].engine.dispose()


def _snv_assignment(app) -> Assignment:
    from tracker.agencies.operations import agency_by_code

    with app.app_context():
        snv = agency_by_code(db.session, "SNV")
        assignment = db.session.scalars(
            sa.select(Assignment).where(Assignment.agency_id == snv.id).order_by(Assignment.id)
        ).first()
        db.session.expunge_all()
        return assignment


def test_an_agency_uploads_and_downloads_evidence_kept_in_the_bucket(site, settings):
    config, app = site
    client = app.test_client()
    assert Auth(client).login("snv", DEMO_PASSWORD).status_code == 302
    assignment = _snv_assignment(app)
    content = make_pdf()

    response = upload(client, assignment, content, "Báo cáo kết quả.pdf")

    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        evidence = db.session.scalars(sa.select(Evidence).order_by(Evidence.id.desc())).first()
        evidence_id, sha256 = evidence.id, evidence.sha256
    assert sha256 == hashlib.sha256(content).hexdigest()
    assert f"evidence/{sha256[:2]}/{sha256}" in _keys(settings)
    assert not Path(config["EVIDENCE_DIR"]).exists()  # nothing on this machine
    with client.get(f"/evidence/{evidence_id}") as download:
        assert download.status_code == 200
        assert download.get_data() == content
        assert download.headers["Content-Length"] == str(len(content))
        assert download.headers["Content-Type"] == "application/pdf"
        assert "attachment" in download.headers["Content-Disposition"]
        assert download.headers["Cache-Control"] == "private, no-store"

    runner = app.test_cli_runner()
    assert runner.invoke(main, ["evidence", "verify"]).exit_code == 0
    checked = runner.invoke(main, ["audit", "verify"])
    assert checked.exit_code == 0, checked.output
    key = f"evidence/{sha256[:2]}/{sha256}"
    _client(settings).put_object(Bucket=settings["S3_BUCKET"], Key=key, Body=b"%PDF-1.4 altered")
    broken = runner.invoke(main, ["evidence", "verify"])
    assert broken.exit_code == 1 and f"#{evidence_id}" in broken.output
    audit = runner.invoke(main, ["audit", "verify"])
    assert audit.exit_code == 1 and "tệp lưu trữ bị mất hoặc bị sửa" in audit.output


def test_while_the_store_is_down_uploads_and_downloads_say_so(site, settings):
    config, app = site
    client = app.test_client()
    assert Auth(client).login("snv", DEMO_PASSWORD).status_code == 302
    assert upload(client, _snv_assignment(app), make_pdf(), "a.pdf").status_code == 302
    with app.app_context():
        evidence_id = db.session.scalar(sa.select(sa.func.max(Evidence.id)))
    with socket_closed() as port:
        app.config["S3_ENDPOINT_URL"] = f"http://127.0.0.1:{port}"
        download = client.get(f"/evidence/{evidence_id}")
        assert download.status_code == 503
        assert "Kho lưu trữ tệp đang không truy cập được" in download.get_data(as_text=True)
        app.config["S3_ENDPOINT_URL"] = f"http://127.0.0.1:{port}"
        from tracker.auth.models import User

        with app.test_request_context():
            rows = db.session.scalar(sa.select(sa.func.count(Evidence.id)))
            user = db.session.scalars(sa.select(User).where(User.username == "snv")).one()
            assignment = db.session.get(Assignment, _snv_assignment(app).id)
            with pytest.raises(EvidenceError, match="không truy cập được") as refused:
                add_evidence(db.session, user, assignment, io.BytesIO(make_pdf()), "a.pdf")
            db.session.rollback()
            assert refused.value.http_status == 503
            assert db.session.scalar(sa.select(sa.func.count(Evidence.id))) == rows
    assert _spooled(settings) == []


def test_a_backup_manifest_lists_and_checks_the_bucket(site, settings):
    config, app = site
    with app.app_context():
        store = stores.evidence_store(app.config)
        blob, _ = store.save_stream(io.BytesIO(uuid.uuid4().bytes), max_bytes=MEBIBYTE)
        found = stores.every_store(app.config)
        entries = file_manifest(found)
    name = f"{blob.sha256[:2]}/{blob.sha256}"
    assert {"folder": "evidence", "path": name, "size": 16, "sha256": blob.sha256} in entries
    manifest = Path(config["INSTANCE_PATH"]) / "manifest.json"
    import json

    manifest.write_text(json.dumps(entries))
    with app.app_context():
        assert verify_manifest(manifest, found) == []
        _client(settings).delete_object(Bucket=settings["S3_BUCKET"], Key=f"evidence/{name}")
        assert verify_manifest(manifest, found) == [f"thiếu evidence/{name}"]


@needs_tesseract
def test_a_scanned_directive_and_its_page_images_are_kept_in_the_bucket(settings, tmp_path):
    """The scan waits for OCR in the bucket, the page images the review shows are read
    from it; once the import is discarded, the sweep removes both."""
    from tracker.directives import scans
    from tracker.directives.models import ImportDraft, ImportStatus
    from tracker.jobs.tasks import housekeeping

    scan = make_scan(tmp_path / "scan")
    config, app = demo_site(tmp_path / "web", **settings, JOB_QUEUE_IMMEDIATE=True)
    try:
        office = app.test_client()
        assert Auth(office).login("vanphong", DEMO_PASSWORD).status_code == 302
        assert post_scan(office, scan["pdf"]).status_code == 302
        with app.app_context():
            imported = db.session.scalars(sa.select(ImportDraft)).one()
            import_id, scan_file = imported.id, imported.scan_file
            image = imported.ocr_pages[0]["image"]
            assert imported.status == ImportStatus.OPEN, imported.error
        assert scan_file == hashlib.sha256(scan["pdf"]).hexdigest()
        assert {f"imports/{scan_file[:2]}/{scan_file}", f"imports/{image[:2]}/{image}"} <= set(
            _keys(settings)
        )
        assert not Path(app.config["IMPORTS_DIR"]).exists()  # nothing on this machine
        page = office.get(f"/imports/{import_id}/pages/1.png")
        assert page.status_code == 200 and page.data.startswith(b"\x89PNG")
        assert hashlib.sha256(page.data).hexdigest() == image

        review = office.get(f"/imports/{import_id}").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', review).group(1)
        discarded = office.post(f"/imports/{import_id}/discard", data={"csrf_token": token})
        assert discarded.status_code == 302
        time.sleep(2.1)  # listings give times rounded up to the second
        app.config["EVIDENCE_ORPHAN_GRACE_SECONDS"] = 1
        with app.app_context():
            assert scans.known_hashes(db.session) == set()
            housekeeping()
        assert [key for key in _keys(settings) if key.startswith("imports/")] == []
    finally:
        app.extensions["tracker.db"].engine.dispose()


@pytest.mark.slow
def test_a_report_made_by_a_worker_elsewhere_is_downloaded_from_the_bucket(
    site, settings, tmp_path
):
    """The worker has folders and an instance of its own, as on another machine; the
    report it makes reaches the web app through the bucket alone."""
    config, app = site
    worker_config = {
        **config,
        "INSTANCE_PATH": str(tmp_path / "worker"),
        "EVIDENCE_DIR": str(tmp_path / "worker" / "evidence"),
        "DOCUMENTS_DIR": str(tmp_path / "worker" / "documents"),
        "UPLOAD_SPOOL_DIR": str(tmp_path / "worker" / "spool"),
    }
    (tmp_path / "worker").mkdir()
    leader = app.test_client()
    assert Auth(leader).login("lanhdao", DEMO_PASSWORD).status_code == 302
    with job_worker(worker_config):
        started = leader.get("/reports/accountability?as_of=2020-08-21")
        assert started.status_code == 302 and "/reports/jobs/" in started.headers["Location"]
        job_page = started.headers["Location"]
        wait_until(
            lambda: 'data-status="done"' in leader.get(job_page).get_data(as_text=True),
            120,
            message="the report job",
        )
    with app.app_context():
        job = db.session.scalars(sa.select(ReportJob).order_by(ReportJob.id.desc())).first()
        assert job.status == JobStatus.DONE
        job_id, sha256 = job.id, job.sha256
    assert f"documents/{sha256[:2]}/{sha256}" in _keys(settings)
    for folder in ("DOCUMENTS_DIR", "EVIDENCE_DIR"):
        assert not Path(config[folder]).exists() and not Path(worker_config[folder]).exists()
    with leader.get(f"/reports/jobs/{job_id}/file") as download:
        assert download.status_code == 200
        data = download.get_data()
    assert data.startswith(b"%PDF") and hashlib.sha256(data).hexdigest() == sha256
