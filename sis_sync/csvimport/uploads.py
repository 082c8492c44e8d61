"""CSV files uploaded in the console: kept on the server under their SHA-256 between the preview and Apply.

Apply imports the stored file, after checking it still has its digest and that a fresh dry run plans exactly
what the preview showed; when the district's records changed in between, the preview is renewed instead and the
person reviews it again.
"""

import hashlib
import json
import tempfile
from pathlib import Path

from django.conf import settings

from sis_sync.csvimport.service import csv_import
from sis_sync.models import CsvUpload

CHUNK = 1 << 20


def upload_dir():
    path = Path(settings.CSV_UPLOAD_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def stored_path(digest):
    return upload_dir() / f"{digest}.csv"


def upload_store(uploaded_file):
    """Write an uploaded file to the upload folder, named by its SHA-256; returns the digest."""
    digest = hashlib.sha256()
    with tempfile.NamedTemporaryFile(dir=upload_dir(), delete=False, suffix=".part") as stored:
        for chunk in uploaded_file.chunks(CHUNK):
            digest.update(chunk)
            stored.write(chunk)
    Path(stored.name).replace(stored_path(digest.hexdigest()))
    return digest.hexdigest()


def file_digest(path):
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def upload_create(district, kind, mode, take_over, uploaded_file, user):
    """Store an uploaded file and preview its import."""
    digest = upload_store(uploaded_file)
    upload = CsvUpload.objects.create(
        district=district,
        kind=kind,
        mode=mode,
        take_over=take_over,
        name=Path(uploaded_file.name).name[:255],
        digest=digest,
        uploaded_by=user,
    )
    upload.preview = preview_of(_dry_run(upload))
    upload.save(update_fields=["preview"])
    return upload


def _dry_run(upload):
    return csv_import(
        upload.district,
        upload.kind,
        stored_path(upload.digest),
        mode=upload.mode,
        take_over=upload.take_over,
        dry_run=True,
        name=upload.name,
    )


def preview_of(result):
    findings = result.findings
    return {
        "rows": result.rows,
        "counts": result.counts,
        "summary": result.summary(),
        "errors": findings.error_lines(),
        "error_count": findings.error_count,
        "sis_rows": [vars(row) for row in findings.sis_rows],
        "sis_row_count": findings.sis_row_count,
        "changes": [vars(change) for change in findings.changes],
        "change_count": findings.change_count,
        "notes": result.notes,
        "plan": json.loads(json.dumps(result.plan())),
    }


class UploadRefused(Exception):
    """Apply did not happen; the message says why and what to do."""


def upload_apply(upload, user):
    """Import the previewed file as previewed; returns the CsvImport. UploadRefused when the file is gone or
    altered, or when the import would now do something else than the preview showed (the preview is renewed)."""
    path = stored_path(upload.digest)
    if upload.status != CsvUpload.Status.PREVIEWED:
        raise UploadRefused(f"This file was already {upload.get_status_display().lower()}.")
    if not path.is_file() or file_digest(path) != upload.digest:
        raise UploadRefused("The stored file is missing or was altered since the preview; upload it again.")
    if upload.preview.get("error_count"):
        raise UploadRefused("The file has errors; correct them and upload it again.")
    fresh = preview_of(_dry_run(upload))
    if fresh["plan"] != upload.preview.get("plan"):
        upload.preview = fresh
        upload.save(update_fields=["preview"])
        raise UploadRefused("The district's records changed since the preview; review the renewed preview.")
    trigger = f"admin:{user.get_username()}"[:40]
    result = csv_import(
        upload.district,
        upload.kind,
        path,
        mode=upload.mode,
        take_over=upload.take_over,
        trigger=trigger,
        name=upload.name,
    )
    if not result.succeeded:
        raise UploadRefused(result.run.message)
    upload.status, upload.run = CsvUpload.Status.APPLIED, result.run
    upload.save(update_fields=["status", "run"])
    _discard(upload)
    return result


def upload_cancel(upload):
    if upload.status == CsvUpload.Status.PREVIEWED:
        upload.status = CsvUpload.Status.CANCELLED
        upload.save(update_fields=["status"])
        _discard(upload)


def _discard(upload):
    """Delete the stored file unless another preview of the same file still needs it."""
    waiting = CsvUpload.objects.filter(digest=upload.digest, status=CsvUpload.Status.PREVIEWED)
    if not waiting.exclude(pk=upload.pk).exists():
        stored_path(upload.digest).unlink(missing_ok=True)
