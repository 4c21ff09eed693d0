"""A document draft -> the plain context of its template."""

from __future__ import annotations

import re
from dataclasses import asdict

from tracker import clock
from tracker.documents import nd30
from tracker.documents.reply import DocumentDraft

HEADING = re.compile(r"^(?:[IVX]+|\d+(?:\.\d+)*)\.\s")


def blocks(body: str) -> list[dict[str, str]]:
    """Paragraphs separated by blank lines; a numbered line is a heading."""
    result = []
    for paragraph in re.split(r"\n\s*\n", body.replace("\r\n", "\n")):
        text = " ".join(paragraph.split())
        if text:
            result.append(
                {
                    "kind": "heading" if HEADING.match(text) and len(text) < 160 else "paragraph",
                    "text": text,
                }
            )
    return result


def document_context(draft: DocumentDraft, number: int | None) -> dict:
    lines = [line for line in (draft.signer_authority, draft.signer_title) if line]
    return {
        "meta": {
            "title": draft.title,
            "author": draft.author,
            "subject": draft.subject,
            "created": clock.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
        },
        "header": {
            "parent_body": nd30.upper(draft.parent_body),
            "issuing_body": nd30.upper(draft.issuing_body),
            "number": nd30.reference(number, draft.symbol),
            "place_date": nd30.place_date(draft.place, draft.issued_on),
            "subject_under_number": draft.subject_under_number,
        },
        "doc_type": nd30.upper(draft.doc_type) if draft.doc_type else None,
        "subject": draft.subject,
        "recipients": draft.recipients,
        "blocks": blocks(draft.body),
        "signer": {"lines": [nd30.upper(line) for line in lines], "name": draft.signer_name},
        "distribution": draft.distribution,
        "draft_data": asdict(draft),
    }
