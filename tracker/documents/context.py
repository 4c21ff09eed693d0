"""A document draft -> the plain context its templates (PDF, HTML, .docx) receive.

The body is text that staff edit: paragraphs separated by blank lines, a short numbered
line is a heading, and a line "[Bảng N]" stands for the draft's N-th table. Tables the
body does not place follow it. Appendices start on a page of their own under the line
"(Kèm theo <document> số ... ngày ...)"."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from tracker import clock
from tracker.documents import nd30
from tracker.documents.drafts import Appendix, DocumentDraft, Table

HEADING = re.compile(r"^(?:[IVX]+|\d+(?:\.\d+)*)\.\s")
TABLE_LINE = re.compile(r"^\[Bảng (\d+)\]$")
#: Runs of ordinary white space; U+00A0 is not one of them, so "98,3 %" stays together.
SPACES = re.compile(r"[ \t\r\n\f\v]+")
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def paragraphs(text: str) -> list[str]:
    """Paragraphs separated by blank lines, white space folded, no-break spaces kept."""
    found = []
    for paragraph in re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n")):
        folded = SPACES.sub(" ", paragraph).strip()
        if folded:
            found.append(folded)
    return found


def table_block(table: Table) -> dict[str, Any]:
    return {"kind": "table", **asdict(table)}


def blocks(body: str, tables: Sequence[Table] = ()) -> list[dict[str, Any]]:
    """The body as blocks: headings, paragraphs and the tables placed by "[Bảng N]";
    tables the body does not place come last."""
    result: list[dict[str, Any]] = []
    placed: set[int] = set()
    for text in paragraphs(body):
        marker = TABLE_LINE.match(text)
        if marker and 1 <= int(marker.group(1)) <= len(tables):
            index = int(marker.group(1)) - 1
            if index not in placed:
                result.append(table_block(tables[index]))
                placed.add(index)
            continue
        kind = "heading" if HEADING.match(text) and len(text) < 160 else "paragraph"
        result.append({"kind": kind, "text": text})
    result.extend(table_block(t) for i, t in enumerate(tables) if i not in placed)
    return result


def attached_to(draft: DocumentDraft, number: int | None) -> str:
    """'(Kèm theo Báo cáo số 05/BC-STTTT ngày 21/8/2020 của Sở Thông tin và Truyền thông)'."""
    kind = draft.doc_type or "Công văn"
    numbered = f"{number:02d}" if number else nd30.NUMBER_BLANK
    return (
        f"(Kèm theo {kind} số {numbered}/{draft.symbol} ngày"
        f" {nd30.short_date(draft.issued_on)} của {draft.author})"
    )


def appendix_context(appendix: Appendix, label: str, attached: str) -> dict[str, Any]:
    return {
        "label": nd30.upper(label),
        "title": appendix.title,
        "attached_to": attached,
        "blocks": [{"kind": "paragraph", "text": text} for text in appendix.paragraphs]
        + [table_block(table) for table in appendix.tables]
        + [{"kind": "paragraph", "text": text} for text in appendix.notes],
    }


def document_context(
    draft: DocumentDraft, number: int | None, *, draft_mark: bool = False
) -> dict[str, Any]:
    signer_lines = [line for line in (draft.signer_authority, draft.signer_title) if line]
    attached = attached_to(draft, number)
    several = len(draft.appendices) > 1
    return {
        "draft": draft_mark,
        "meta": {
            "title": draft.title,
            "author": draft.author,
            "subject": draft.subject,
            "created": clock.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
        },
        "header": {
            "parent_lines": [nd30.upper(line) for line in lines(draft.header_parent)],
            "body_lines": [nd30.upper(line) for line in lines(draft.header_name)],
            "state_lines": lines(draft.state_heading) or None,
            "number": nd30.reference(number, draft.symbol),
            "place_date": nd30.place_date(draft.place, draft.issued_on),
            "subject_under_number": draft.subject if draft.is_cong_van else None,
        },
        "doc_type": nd30.upper(draft.doc_type) if draft.doc_type else None,
        "subject": draft.subject,
        "recipients": list(draft.recipients),
        "blocks": blocks(draft.body, draft.tables),
        "signer": {"lines": [nd30.upper(line) for line in signer_lines], "name": draft.signer_name},
        "distribution": list(draft.distribution),
        "appendices": [
            appendix_context(
                appendix, f"{appendix.label} {ROMAN[i]}" if several else appendix.label, attached
            )
            for i, appendix in enumerate(draft.appendices)
        ],
    }
