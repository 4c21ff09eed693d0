"""Sending a stored file as a download, from a folder or from an object store."""

from __future__ import annotations

from flask import Response, send_file

from tracker.evidence.storage import StoredFile


def send_stored(stored: StoredFile, *, mimetype: str, download_name: str) -> Response:
    """An attachment that no cache keeps. A file in a folder is sent by its path (with
    ranges and the server's file sending); an object is streamed through, its length
    known, so a browser shows the download's progress."""
    if stored.path is not None:
        stored.close()
        return send_file(
            stored.path,
            mimetype=mimetype,
            as_attachment=True,
            download_name=download_name,
            max_age=0,
        )
    response = send_file(
        stored.stream,
        mimetype=mimetype,
        as_attachment=True,
        download_name=download_name,
        max_age=0,
        etag=False,
        conditional=False,  # the whole file: a range would need a ranged GET of its own
    )
    response.content_length = stored.size
    return response
