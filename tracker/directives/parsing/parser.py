"""Text -> Draft: the parts put together."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from tracker.agencies.models import Agency, AgencyGroup
from tracker.directives.parsing import agencies as agency_finder
from tracker.directives.parsing.agencies import Gazetteer, heads_the_addressees
from tracker.directives.parsing.citations import find_citations
from tracker.directives.parsing.deadlines import find_deadlines
from tracker.directives.parsing.destinations import report_target
from tracker.directives.parsing.draft import AgencyRef, Draft, SignerDraft, Span, TaskDraft
from tracker.directives.parsing.header import parse_header
from tracker.directives.parsing.items import Item, segment_body
from tracker.directives.parsing.patterns import REQUEST, UPPER
from tracker.directives.parsing.reading import read_bytes, read_path
from tracker.directives.parsing.signature import CLOSING, parse_signature
from tracker.directives.parsing.source import (
    NotADirective,
    prepare,
    sentence_start,
    split_lines,
    squash,
    too_long,
)

MAX_CHARACTERS = 400_000
CLOSING_START = re.compile(
    r"^\s*(?:Trên\s+đây|Nhận\s+được\s+(?:văn\s+bản|Công\s+văn)|Đề\s+nghị\s+các\s+cơ\s+quan|"
    r"Trong\s+quá\s+trình\s+(?:triển\s+khai\s+)?thực\s+hiện|"
    r"Yêu\s+cầu\s+các|Kính\s+đề\s+nghị|\(?Gửi\s+kèm|"
    # "Phòng GD&ĐT yêu cầu các nhà trường nghiêm túc thực hiện./.", "UBND tỉnh yêu cầu
    # UBND huyện, thị, thành phố khẩn trương tổ chức thực hiện."
    r".{0,60}?\b(?:yêu\s+cầu|đề\s+nghị)\s.{0,160}?(?:\b(?:nghiêm\s+túc|khẩn\s+trương)\s+"
    r"(?:tổ\s+chức\s+|triển\s+khai\s+)?(?:thực\s+hiện|chấp\s+hành)|"
    r"\b(?:thực\s+hiện|chấp\s+hành)\s+nghiêm\s+túc)|"
    r".{0,60}?\btrân\s+trọng\s+cảm\s+ơn|"
    # "Bộ Xây dựng đề nghị UBND các tỉnh ... khẩn trương báo cáo các nội dung nêu trên":
    # what every item above asks, asked again
    r".{0,60}?\b(?:yêu\s+cầu|đề\s+nghị)\s.{0,200}?\b(?:nội\s+dung|yêu\s+cầu|nhiệm\s+vụ)\s+"
    r"(?:nêu\s+|như\s+)?trên(?![\wÀ-ỹ])|"
    # "Văn phòng Chính phủ xin thông báo để các cơ quan biết, thực hiện./.", "UBND phường
    # thông báo đề nghị các ngành ... biết và hưởng ứng"
    r".{0,80}?\bthông\s+báo\s+(?:để|đề\s+nghị|đến)\s.{0,250}?\bbiết(?:,|\s+và)\s+[\wÀ-ỹ])",
    re.IGNORECASE,
)


#: An item that states a particular of a meeting or a plan, under a label of a few words
#: ("1. Nội dung:", "3. Thời gian:", "4. Địa điểm:", "2. Thành phần tham dự"): it
#: describes, it gives no one work, so it inherits no one (whom it names, it names).
PARTICULARS = re.compile(
    r"\s*(?:Nội\s+dung|Thời\s+gian|Địa\s+điểm|Thành\s+phần|Mục\s+đích|Mục\s+tiêu|Kinh\s+phí|"
    r"Hình\s+thức|Đối\s+tượng|Phạm\s+vi|Thời\s+hạn|Căn\s+cứ)(?![\wÀ-ỹ])(?:[^\S\n]+[^\s.:;]+){0,6}\s*[.:;\n]|"
    # "Lịch thi:", not "Lịch treo tường năm Quý Tỵ (2013)." (a calendar)
    r"\s*Lịch(?:[^\S\n]+[^\s.:;]+){0,6}\s*:",
    re.IGNORECASE,
)
#: A lead-in that lists what something holds: its items are parts, given to no one.
CONTENTS = re.compile(r"(?<![\wÀ-ỹ])(?:bao\s+)?gồm\s*:\s*$", re.IGNORECASE)
#: Particulars of when and where, whose names are places, not who acts: "Địa điểm: Phòng
#: Tiếp công dân", "Địa điểm tiếp nhận ý kiến đóng góp:" / "Sở Tài nguyên và Môi trường";
#: and of who is invited, who is not asked ("Thành phần mời tham dự:" / "- Giám đốc các
#: sở, ban, ngành"), unlike who is summoned ("Thành phần được triệu tập:").
WHEN_AND_WHERE = re.compile(
    r"\s*(?:Thời\s+gian|Địa\s+điểm|Lịch|Thành\s+phần\s+mời)(?![\wÀ-ỹ])", re.IGNORECASE
)


def parse(source: str | bytes | Path, gazetteer: Gazetteer | None = None) -> Draft:
    """The draft of a directive from its text, a file's bytes or a file's path (a scan
    is read by OCR): a pure function of its input and, optionally, the agencies it knows
    (`Gazetteer`). It needs no database and no application. NotADirective (its message
    in the user's words) for what cannot be read."""
    if isinstance(source, Path):
        text = read_path(source, ocr=True)
    elif isinstance(source, bytes):
        text = read_bytes(source, ocr=True)
    else:
        text = source
    return parse_text(text, gazetteer)


def parse_text(text: str, gazetteer: Gazetteer | None = None) -> Draft:
    """Draft of a directive. Raises NotADirective for input that is not one."""
    if len(text) > MAX_CHARACTERS:
        raise NotADirective(too_long(len(text), MAX_CHARACTERS))
    prepared = prepare(text)
    if len(prepared.strip()) < 40:
        raise NotADirective(_("Văn bản trống hoặc quá ngắn để là một văn bản chỉ đạo."))
    gazetteer = gazetteer or Gazetteer.from_records([], [])
    lines = split_lines(prepared)
    header = parse_header(lines)
    headless = not (header.symbol or header.place or header.subject or header.doc_type)
    signature = parse_signature(lines, header.body_start)
    if _from_elsewhere(header, gazetteer):
        gazetteer = Gazetteer.from_records([], [])  # our agencies are not this document's
    issuer_entry = gazetteer.lookup(header.issuer) if header.issuer else None
    if issuer_entry is not None and issuer_entry.kind == "agency":
        header.issuer = issuer_entry.name  # the body's own spelling, not the header's capitals
    body_lines = lines[header.body_start : signature.body_end]
    draft = Draft(
        text=prepared,
        **header.fields(),
        signer=SignerDraft(signature.name, signature.title, signature.authority),
        distribution=signature.distribution,
        spans={**header.spans, **signature.spans},
    )
    if body_lines:
        body_start = body_lines[0].start
        body_end = body_lines[-1].end
        own = f"{header.number}/{header.symbol}" if header.number and header.symbol else None
        draft.cited = find_citations(prepared[body_start:body_end], body_start, exclude=own)
        issuers = tuple(name for name in (header.issuer, header.issuer_parent) if name)
        finder = Finder(gazetteer, issuers, plan=header.doc_type in PLANS)
        draft.tasks = _tasks(prepared, body_lines, header.recipients, finder)
    if headless:
        # A body pasted without its header (from an e-office system's page, say) is read
        # when it is plainly a directive's: addressed ("Kính gửi"), in numbered items,
        # naming who must act ("đề nghị Ban Chấp hành các Đoàn ... thực hiện"), or asking
        # by a date ("đề nghị quý cơ quan góp ý ... chậm nhất đến ngày 14/9/2021").
        if not (
            header.recipients
            or any(task.number for task in draft.tasks)
            or any(not ref.inherited for task in draft.tasks for ref in task.agencies)
            or any(task.deadlines and REQUEST.search(task.text) for task in draft.tasks)
        ):
            raise NotADirective(
                _(
                    "Không nhận ra văn bản hành chính: không thấy số, ký hiệu, ngày tháng "
                    "hay trích yếu."
                )
            )
        draft.warnings.append(
            _("Không thấy số, ký hiệu, ngày tháng của văn bản: hãy nhập khi kiểm tra.")
        )
    if not draft.tasks:
        draft.warnings.append("Không tìm thấy nhiệm vụ nào.")
    return draft


def _from_elsewhere(header, gazetteer: Gazetteer) -> bool:
    """The header names a province none of our agencies belongs to."""
    named = set()
    for text in (header.issuer_parent, header.issuer):
        if text:
            named |= {name for name in agency_finder.provinces_named(text.title())}
    return bool(named) and bool(gazetteer.home_provinces) and not named & gazetteer.home_provinces


@dataclass(frozen=True)
class Finder:
    """Who acts, as one document reads: with the agencies known, and its issuer."""

    gazetteer: Gazetteer
    #: The issuer and the body above it ("UBND TỈNH LAI CHÂU" over "VĂN PHÒNG").
    issuers: tuple[str, ...]
    #: A plan, whose items may give the issuer its own tasks ("1. Phòng GD&ĐT: ...").
    plan: bool = False

    def actors(
        self, text: str, exclude: tuple[int, int] | None = None, *, item: bool = True
    ) -> list[AgencyRef]:
        """Who `text` gives work to; an `item` of a plan may name the issuer at its head."""
        return agency_finder.actors(
            text, self.gazetteer, exclude=exclude, issuers=self.issuers, item=item, plan=self.plan
        )


def _tasks(text: str, body_lines, recipients: list[str], finder: Finder) -> list[TaskDraft]:
    body = segment_body(body_lines)
    gazetteer = finder.gazetteer
    addressees = _inherited(_resolve_all(recipients, gazetteer), "addressees")
    lead_in_text = text[body.lead_in[0] : body.lead_in[1]]
    # "... yêu cầu Bộ X chủ trì, phối hợp với Y và Z:" then the items: X leads them, Y and Z
    # co-operate
    in_lead_in = finder.actors(lead_in_text, item=False)
    # The sentence that introduces the items names who does them; a lead-in's earlier
    # paragraphs are its background ("Một số Cục Thuế có tỷ lệ hoàn thành thấp: Cục Thuế
    # Bình Định, ..." / "Tổng cục Thuế yêu cầu Cục Thuế các tỉnh ... thực hiện:").
    last = sentence_start(lead_in_text, len(lead_in_text.rstrip()), (".", "\n\n"))
    if body.items and any(
        ref.role == "lead" and ref.span and ref.span[0] >= last for ref in in_lead_in
    ):
        in_lead_in = [ref for ref in in_lead_in if ref.span and ref.span[0] >= last]
    leads = [ref.span for ref in in_lead_in if ref.role == "lead" and ref.span]
    in_lead_in = [
        ref
        for ref in in_lead_in
        if ref.role == "lead" or any(_one_sentence(lead_in_text, ref.span, lead) for lead in leads)
    ]
    lead_in = _inherited([_with_offset(ref, body.lead_in[0]) for ref in in_lead_in], "lead_in")
    general = _general(lead_in, addressees)
    if CONTENTS.search(lead_in_text):
        general = []  # "Dự thảo Thông tư gồm:" then "(1) Dự thảo Tờ trình": parts, not tasks
    items = [item for item in body.items if item.children == 0]
    if not items:
        # One unnumbered instruction: the body from the paragraph that makes the request.
        content = [line for line in body_lines if not line.blank]
        if not content:
            return []
        start = _request_start(text, content, finder)
        if start is None and finder.plan:
            return []  # a plan's opening, cut before its tasks: it asks nothing yet
        start = content[0].start + content[0].indent if start is None else start
        # closing formulas after the request, not the request itself ("Kính đề nghị Quý Sở
        # thông báo cho ..." after the event's particulars)
        end = _cut_closing(text, [line for line in content if line.end > start], formulas_only=True)
        return [_task(text, "", start, end, general, addressees, finder, ())]
    headings = _heading_actors(text, body.items, finder)
    aims = {item.path for item in body.items if AIMS.match(text, item.text_start)}
    tasks = []
    for position, item in enumerate(items):
        end = _cut_closing(text, item.lines) if position == len(items) - 1 else item.end
        if any(item.path[:depth] in aims for depth in range(1, len(item.path) + 1)):
            # "I. MỤC ĐÍCH, YÊU CẦU": what the plan aims at gives no one work, nor a date
            aim = _task(text, item.number, item.text_start, end, [], [], finder, item.path)
            aim.agencies, aim.deadlines = [], []
            tasks.append(aim)
            continue
        scope = next(
            (
                headings[item.path[:depth]]
                for depth in range(len(item.path) - 1, 0, -1)
                if headings.get(item.path[:depth])
            ),
            general,
        )
        tasks.append(
            _task(
                text,
                item.number,
                item.text_start,
                end,
                scope,
                addressees,
                finder,
                item.path,
            )
        )
    return tasks


#: A plan's section or item on its aims, not its tasks: "I. MỤC ĐÍCH, YÊU CẦU", "1. Mục
#: tiêu", "Quan điểm".
AIMS = re.compile(
    r"[^\S\n]*(?:MỤC\s+ĐÍCH|MỤC\s+TIÊU|QUAN\s+ĐIỂM|Mục\s+đích|Mục\s+tiêu|Quan\s+điểm)(?![\wÀ-ỹ])"
)
#: Documents that plan their issuer's own work as well as others'.
PLANS = ("Kế hoạch", "Chương trình", "Đề án", "Phương án")
#: A role followed by the name of its body.
HEAD_OF_BODY = re.compile(
    rf"\s(?:UBND|Ủy\s+ban\s+nhân\s+dân|Uỷ\s+ban\s+nhân\s+dân|"
    rf"(?:Sở|Bộ|Ban|Phòng|Trung\s+tâm|Trường|Chi\s+cục|Cục|Tổng\s+cục|Vụ|Văn\s+phòng|Hội|"
    rf"Công\s+đoàn|Bệnh\s+viện|Kho\s+bạc|Đài)\s+[{UPPER}]|"
    rf"Công\s+an\s+(?:tỉnh|thành\s+phố|huyện|quận|[{UPPER}]))"
)


def _request_start(text: str, content, finder: Finder) -> int | None:
    """Where a one-instruction body's request begins: its first paragraph that asks
    something of someone ("Do vậy, Bộ Y tế đề nghị ...") before the closing formulas, else
    that names who acts, else a closing formula that asks something, past the
    paragraphs that recall what came before ("Ngày 09/02/2021, Bộ Y tế đã có Công văn
    ...", "Căn cứ ..."). None when no paragraph does."""
    indents = sorted(line.indent for line in content)
    base = indents[len(indents) // 2]
    paragraphs: list[list] = [[content[0]]]
    for index in range(1, len(content)):
        if _starts_paragraph(content, index, base):
            paragraphs.append([content[index]])
        else:
            paragraphs[-1].append(content[index])
    spans = [(p[0].start + p[0].indent, text[p[0].start : p[-1].end]) for p in paragraphs]
    closing = _cut_closing(text, content, formulas_only=True)
    for start, words in spans:
        if start < closing and REQUEST.search(words):
            return start
    for start, words in spans:
        if any(ref.role == "lead" for ref in finder.actors(words, item=False)):
            return start
    for start, words in spans:
        if REQUEST.search(words):
            return start  # "Kính đề nghị Quý Sở thông báo ...": the closing asks it
    return None


def _one_sentence(text: str, one: Span | None, other: Span) -> bool:
    """Two names in one sentence of `text`."""
    if one is None:
        return False
    start, end = min(one[0], other[0]), max(one[1], other[1])
    return not re.search(r"[.;]\s", text[start:end])


def _general(lead_in: list[AgencyRef], addressees: list[AgencyRef]) -> list[AgencyRef]:
    """Whom items that name no one, under no actor-named heading, are for: the lead-in's
    bodies ("Chủ tịch UBND tỉnh giao Sở Y tế ..."), else the addressees. A lead-in that
    speaks to the addressees as a whole ("yêu cầu các sở, ban, ngành, cơ quan, đơn vị
    ...": a phrase for them, or one of their groups) means all of them."""
    codes = {ref.code for ref in addressees if ref.code}
    if any(
        ref.kind == "addressees" or (ref.kind == "group" and ref.code in codes) for ref in lead_in
    ):
        named = {ref.code or ref.name for ref in addressees}
        return addressees + [
            ref
            for ref in lead_in
            if ref.kind not in ("addressees", "group") and (ref.code or ref.name) not in named
        ]
    return lead_in or addressees


def _inherited(refs: list[AgencyRef], source: str) -> list[AgencyRef]:
    for ref in refs:
        ref.inherited_from = source
    return refs


def _heading_actors(
    text: str, items: list[Item], finder: Finder
) -> dict[tuple[str, ...], list[AgencyRef]]:
    """{heading's path: the bodies its own words put in charge} of each item that has
    sub-items: "1. Sở Giáo dục và Đào tạo" over "1.1. Chủ trì ...", "1.2. Hướng dẫn ..."."""
    found: dict[tuple[str, ...], list[AgencyRef]] = {}
    for index, item in enumerate(items):
        if item.children == 0:
            continue
        own_end = items[index + 1].start if index + 1 < len(items) else item.end
        own = text[item.text_start : own_end]
        found[item.path] = _inherited(
            [
                _with_offset(ref, item.text_start)
                for ref in finder.actors(own)
                if ref.role == "lead" and ref.kind != "addressees"
            ],
            "heading",
        )
    return found


def _task(
    text: str,
    number: str,
    start: int,
    end: int,
    scope: list[AgencyRef],
    addressees: list[AgencyRef],
    finder: Finder,
    path: tuple[str, ...],
) -> TaskDraft:
    """An item's task. Its own bodies are those its words name; "các cơ quan, đơn vị"
    stands for the addressees. An item that names no lead body (a role is no body)
    inherits the nearest scope's: its actor-named parent heading, else the sentence
    before the items, else the addressees (Kính gửi); `inherited_from` says which."""
    raw = text[start:end]
    report = report_target(raw, finder.gazetteer)
    report_span = (start + report[1][0], start + report[1][1]) if report else None
    refs = [
        _with_offset(ref, start)
        for ref in finder.actors(raw, exclude=report[1] if report else None, item=bool(number))
    ]
    # "Các địa phương, đơn vị ..." stands for those the lead-in asks, when it names them
    asked = [
        ref for ref in scope if path and ref.inherited_from == "lead_in" and ref.kind != "role"
    ]
    refs = _expand_addressees(text, refs, asked or addressees)
    if WHEN_AND_WHERE.match(raw) and PARTICULARS.match(raw) and not REQUEST.search(raw):
        refs = []
    if not PARTICULARS.match(raw) and not any(
        ref.role == "lead"
        and (_names_actor(ref, addressees) or _heads_item(text, start, ref, addressees))
        for ref in refs
    ):
        # A role ("đồng chí Hiệu trưởng") is a person of the bodies in charge, not one.
        # "Chủ trì, phối hợp với Sở Tài chính ..." under "2. Sở Kế hoạch và Đầu tư:".
        refs = [
            AgencyRef(ref.name, ref.role, ref.code, ref.kind, True, ref.span, ref.inherited_from)
            for ref in scope
        ] + refs
    if any(ref.inherited_from == "addressees" for ref in refs):
        # "Các cơ quan, đơn vị, địa phương chỉ đạo ...; Người đứng đầu cơ quan, đơn vị, địa
        # phương chịu trách nhiệm ...": the addressees' heads, not others (unless Kính gửi
        # names them so: "Trưởng các đơn vị")
        written = {squash(a.name).casefold() for a in addressees}
        refs = [
            ref
            for ref in refs
            if ref.inherited
            or not heads_the_addressees(ref.name)
            or squash(ref.name).casefold() in written
        ]
    return TaskDraft(
        number=number,
        text=squash(raw),
        report_to=report[0] if report else None,
        agencies=refs,
        deadlines=find_deadlines(raw, start),
        span=(start, end),
        report_to_span=report_span,
        path=path,
    )


def _heads_item(text: str, start: int, ref: AgencyRef, addressees: list[AgencyRef]) -> bool:
    """A role that opens its item is whom the item asks ("2. Giám đốc các Bệnh viện, Viện
    nghiên cứu ... tổ chức cho đơn vị góp ý"), unless the addressees are so named ("Kính
    gửi: Hiệu trưởng các trường Mầm non, Tiểu học, ..." / "3. Hiệu trưởng các trường học
    phải bố trí ...": they, as Kính gửi names them)."""
    if ref.kind != "role" or ref.span is None or text[start : ref.span[0]].strip():
        return False
    role = " ".join(ref.name.casefold().split()[:2])
    return not any(a.name.casefold().startswith(role) for a in addressees)


def _names_actor(ref: AgencyRef, addressees: list[AgencyRef]) -> bool:
    """A body names who acts; a role does when it is one of the addressees ("Thành viên
    Ban Chỉ đạo ..." in Kính gửi) or the head of a body it names ("Bộ trưởng Bộ Văn hóa,
    Thể thao và Du lịch", "Chủ tịch UBND các quận"): else it is a person of the bodies in
    charge ("đồng chí Hiệu trưởng")."""
    return (
        ref.kind != "role"
        or bool(HEAD_OF_BODY.search(ref.name))
        or any(agency_finder.same_actor(ref.name, addressee.name) for addressee in addressees)
    )


SENTENCE_END = re.compile(r"[.;]\s*$")
#: A short name given to those just named: "(gọi chung là các đơn vị)".
DEFINED = re.compile(r"\((?:sau\s+đây\s+)?gọi\s+(?:chung|tắt)\s+là\s+([^()]{2,60})\)")


def _expand_addressees(
    text: str, refs: list[AgencyRef], addressees: list[AgencyRef]
) -> list[AgencyRef]:
    """'Các cơ quan, đơn vị, địa phương' stands for the addressees of the document; as the
    subject of a sentence after one that names who leads, for those ("Đề nghị Hiệu trưởng
    các trường, Thủ trưởng các đơn vị trực thuộc rà soát ... Các đơn vị thực hiện ..."),
    and as the short name given to those named ("(gọi chung là các đơn vị)")."""
    named = any(ref.role == "lead" and ref.kind != "addressees" for ref in refs)
    defined = {squash(name).casefold() for name in DEFINED.findall(text)}
    expanded: list[AgencyRef] = []
    for ref in refs:
        if (
            ref.kind == "addressees"
            and named
            and ref.span
            and SENTENCE_END.search(text, max(0, ref.span[0] - 10), ref.span[0])
        ):
            continue
        if ref.kind == "addressees" and named and squash(ref.name).casefold() in defined:
            continue  # "các sở GDĐT và Cục Nhà trường (gọi chung là các đơn vị)": those two
        if ref.kind == "addressees" and not addressees and ref.name.lower().startswith("quý "):
            continue  # "đề nghị quý cơ quan góp ý" in a copy without its Kính gửi: no one named
        if ref.kind == "addressees" and addressees:
            expanded.extend(
                AgencyRef(a.name, ref.role, a.code, a.kind, True, ref.span, "addressees")
                for a in _addressed(ref.name, addressees)
            )
        else:
            expanded.append(ref)
    return expanded


def _addressed(phrase: str, addressees: list[AgencyRef]) -> list[AgencyRef]:
    """The addressees an addressing phrase stands for: "Quý Sở" of a letter to a Sở's
    director and to a school's head, the Sở's line; "quý cơ quan", all of them."""
    noun = phrase.casefold().removeprefix("quý ").strip()
    if noun in ("cơ quan", "đơn vị") or noun == phrase.casefold():
        return addressees
    word = re.compile(rf"(?<![\wÀ-ỹ]){re.escape(noun)}(?![\wÀ-ỹ])", re.IGNORECASE)
    return [a for a in addressees if word.search(a.name)] or addressees


def _with_offset(ref: AgencyRef, offset: int) -> AgencyRef:
    if ref.span:
        ref.span = (ref.span[0] + offset, ref.span[1] + offset)
    return ref


def _resolve_all(names: list[str], gazetteer: Gazetteer) -> list[AgencyRef]:
    refs = []
    for name in names:
        entry = gazetteer.lookup(name.strip(" ;.,"))
        refs.append(
            AgencyRef(
                name, "lead", entry.code if entry else None, entry.kind if entry else None, True
            )
        )
    return refs


def _cut_closing(text: str, lines, *, formulas_only: bool = False) -> int:
    """End of the last item, before the document's closing paragraphs. With
    `formulas_only` (a body that is one instruction, whose own paragraph ends with
    "./."), only closing formulas ("Trên đây là ...", "Yêu cầu các ...", "Trong quá trình
    thực hiện ...") are cut; several may follow one another."""
    content = [line for line in lines if not line.blank]
    if not content:
        return lines[-1].end
    indents = sorted(line.indent for line in content)
    base = indents[len(indents) // 2] if indents else 0
    cut = None
    for index in range(len(content) - 1, 0, -1):
        starts = _starts_paragraph(content, index, base)
        if starts is None:
            continue
        formula = bool(CLOSING_START.match(content[index].text))
        closing = (
            formula
            or (
                cut is None  # the last paragraph only: earlier ones extend a cut by formulas
                and starts == "paragraph"
                and not formulas_only
                and any(
                    CLOSING.search(later.text) or later.text.rstrip().endswith("/.")
                    for later in content[index:]
                )
            )
        )
        if closing:
            cut = index
        elif cut is not None:
            break  # the closing paragraphs end where the last item's own text does
    if cut is None and not formulas_only:
        cut = _after_list(content)
    return content[cut - 1].end if cut is not None else content[-1].end


def _after_list(content) -> int | None:
    """A sentence after the last item's dash list, at the list's indent, is the document's
    own ("3. Giao:" / "- Phòng ..." / "- UBND các xã ..." / "Trong thời gian lấy ý kiến
    nêu trên, các cơ quan ... gửi về UBND huyện")."""
    dashes = [index for index, line in enumerate(content) if line.stripped[:1] in "-+•–"]
    if not dashes or dashes[-1] == len(content) - 1 or dashes[-1] == 0:
        return None
    after = dashes[-1] + 1
    line = content[after]
    if line.stripped[:1].isupper() and line.indent <= content[dashes[-1]].indent:
        return after
    return None


def _starts_paragraph(content, index: int, base: int) -> str | None:
    """How `content[index]` starts a paragraph: "paragraph" after a blank line or
    indented past the body's usual indent, "line" after a line indented less or ending a
    sentence (a copy that lost its layout), else None."""
    line, before = content[index], content[index - 1]
    if line.index - before.index > 1 or line.indent > base + 3:
        return "paragraph"
    if line.indent > before.indent + 3 or before.text.rstrip().endswith((".", ";", ":", "!")):
        return "line"
    return None


# Gazetteers ------------------------------------------------------------------------------


def gazetteer_from_session(session: Session) -> Gazetteer:
    agencies = session.execute(
        sa.select(Agency.code, Agency.name, Agency.short_name, Agency.aliases)
    ).all()
    groups = session.execute(
        sa.select(AgencyGroup.code, AgencyGroup.name, AgencyGroup.name, AgencyGroup.aliases)
    ).all()
    return Gazetteer.from_records(agencies, groups)


def gazetteer_from_files(data_dir: Path) -> Gazetteer:
    """From the agencies.toml files of the data folder (no database needed)."""
    agencies, groups = [], []
    for path in sorted(data_dir.glob("*/agencies.toml")):
        with path.open("rb") as handle:
            data = tomllib.load(handle)
        agencies += [
            (a["code"], a["name"], a.get("short_name", a["name"]), a.get("aliases", []))
            for a in data.get("agency", [])
        ]
        groups += [
            (g["code"], g["name"], g["name"], g.get("aliases", [])) for g in data.get("group", [])
        ]
    return Gazetteer.from_records(agencies, groups)


def summarise(draft: Draft) -> str:
    """One line for logs: what was found."""
    return (
        f"{draft.doc_type} {draft.number}/{draft.symbol}: {len(draft.tasks)} nhiệm vụ, "
        f"{len(draft.cited)} văn bản viện dẫn"
    )
