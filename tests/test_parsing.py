"""The directive parser: the seed 1661, the forms real documents use, and bad input."""

from __future__ import annotations

import contextlib
import io
import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.cli import main
from tracker.directives.parsing import agencies as agency_finder
from tracker.directives.parsing.citations import find_citations
from tracker.directives.parsing.deadlines import find_deadlines
from tracker.directives.parsing.destinations import report_target
from tracker.directives.parsing.parser import gazetteer_from_files, parse_text
from tracker.directives.parsing.reading import read_bytes
from tracker.directives.parsing.source import NotADirective
from tracker.directives.seed import DATA_DIR

SEED = (DATA_DIR / "lai-chau" / "1661-UBND-VX.txt").read_text(encoding="utf-8")
GAZETTEER = gazetteer_from_files(DATA_DIR)


@pytest.fixture(scope="module")
def draft_1661():
    return parse_text(SEED, GAZETTEER)


def test_parse_1661_header(draft_1661):
    data = draft_1661.to_json()
    assert list(data) == [
        "doc_type",
        "number",
        "symbol",
        "issuer",
        "place",
        "issued_date",
        "subject",
        "recipients",
        "cited",
        "tasks",
        "signer",
        "distribution",
    ]
    assert (data["doc_type"], data["number"], data["symbol"]) == ("Công văn", "1661", "UBND-VX")
    assert data["issuer"] == "Ủy ban nhân dân tỉnh Lai Châu"
    assert (data["place"], data["issued_date"]) == ("Lai Châu", "2020-08-15")
    assert data["subject"] == "đẩy mạnh cài đặt ứng dụng Bluezone để phòng, chống Covid-19"
    assert data["recipients"] == [
        "Các sở, ban, ngành, đoàn thể, cơ quan, đơn vị trên địa bàn tỉnh",
        "UBND các huyện, thành phố",
    ]
    assert data["signer"] == {"name": "Trần Tiên Dũng", "title": "CHỦ TỊCH", "authority": None}
    assert data["distribution"][0] == "Như trên"
    assert data["distribution"][-1] == "Lưu: VT, VX2"
    assert len(data["distribution"]) == 7


def test_parse_1661_tasks(draft_1661):
    tasks = {task.number: task for task in draft_1661.tasks}
    assert list(tasks) == ["1", "2", "3", "4", "5"]
    codes = {
        number: [(a.code, a.role, a.inherited) for a in task.agencies]
        for number, task in tasks.items()
    }
    assert codes["1"] == [("SBN", "lead", True), ("HUYEN", "lead", True)]
    assert codes["2"] == [("SBN", "lead", True), ("HUYEN", "lead", True)]
    assert codes["3"] == [("HUYEN", "lead", False)]
    assert codes["4"] == [("STTTT", "lead", False)]
    assert codes["5"] == [("MTTQ", "lead", False), ("DOANTHE", "lead", False)]
    assert tasks["2"].report_to == "Sở Thông tin và Truyền thông"
    assert tasks["3"].report_to == tasks["4"].report_to == "UBND tỉnh"
    deadlines = {n: [d.to_json() for d in t.deadlines] for n, t in tasks.items()}
    assert deadlines["1"] == deadlines["5"] == []
    assert deadlines["2"] == [
        {"kind": "by_date", "text": "trước ngày 18/8/2020", "date": "2020-08-18"}
    ]
    assert deadlines["3"] == [
        {"kind": "by_date", "text": "trước ngày 20/8/2020", "date": "2020-08-20"}
    ]
    assert deadlines["4"] == [
        {"kind": "by_date", "text": "trước ngày 20/8/2020", "date": "2020-08-20"},
        {"kind": "recurring", "text": "hàng tuần", "rule": "FREQ=WEEKLY"},
    ]


def test_parse_1661_task_4_crosses_the_page_break(draft_1661):
    task = draft_1661.tasks[3]
    assert "phòng, chống dịch Covid-19; đồng thời phải tăng cường" in task.text
    assert task.text.endswith("Ban chỉ đạo phòng, chống dịch Covid-19 của tỉnh.")


def test_parse_1661_citations(draft_1661):
    assert [c.to_json() for c in draft_1661.cited] == [
        {
            "doc_type": "Công văn",
            "number": "197",
            "symbol": "CV-BCĐ",
            "date": "2020-07-26",
            "issuer": None,
        },
        {
            "doc_type": "Công văn",
            "number": "1569",
            "symbol": "UBND-VX",
            "date": "2020-08-04",
            "issuer": None,
        },
        {
            "doc_type": "Thông báo",
            "number": "51",
            "symbol": "TB-UBND",
            "date": "2020-08-05",
            "issuer": None,
        },
        {
            "doc_type": "Công văn",
            "number": "1605",
            "symbol": "UBND-VX",
            "date": "2020-08-08",
            "issuer": None,
        },
    ]


def test_parse_1661_spans_point_at_the_source(draft_1661):
    text = draft_1661.text
    start, end = draft_1661.spans["number"]
    assert "1661" in text[start:end]
    for task in draft_1661.tasks:
        assert " ".join(text[task.span[0] : task.span[1]].split()) == task.text
        for deadline in task.deadlines:
            assert " ".join(text[deadline.span[0] : deadline.span[1]].split()) == deadline.text
    for cited in draft_1661.cited:
        assert cited.number in text[cited.span[0] : cited.span[1]]


LAYOUT = """\
  UBND HUYỆN HÒA AN                      CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
PHÒNG NỘI VỤ                                 Độc lập- Tự do- Hạnh phúc

      Số 45 / PNV                              Hòa An, ngày05 tháng08 năm 2021
  V/v rà soát, báo cáo số lượng cán bộ,
      công chức cấp xã năm 2021

         Kính gửi: UBND các xã, thị trấn.

      Thực hiện Công văn số 273/KH-
UBND ngày 03 tháng 7 năm 2021 của UBND huyện, Phòng Nội vụ đề nghị UBND các xã,
thị trấn thực hiện một số nội dung sau:
      1.Rà soát số lượng cán bộ, công chức hiện có; báo cáo về Phòng Nội vụ trước
10 giờ 30 phút, ngày 26 tháng 8 năm 2021.
      2. Cập nhật hồ sơ trong vòng 15 ngày kể từ ngày 01/9/2021; báo cáo hằng tháng
trước ngày 20 hằng tháng.
      a) Tổ chức tập huấn từ ngày 05/10/2021 đến ngày 15/10/2021.
      b) Tổng kết trong tháng 11/2021.
Nơi nhận:                                          TRƯỞNG PHÒNG
-Lưu VT;
- Như kính gửi.
                                                     (đã ký)

                                                   Lê Văn Bình
"""


def test_parse_layout_header():
    draft = parse_text(LAYOUT, GAZETTEER)
    assert (draft.number, draft.symbol) == ("45", "PNV")
    assert (draft.issuer, draft.issuer_parent) == ("PHÒNG NỘI VỤ", "UBND HUYỆN HÒA AN")
    assert (draft.place, draft.issued_date) == ("Hòa An", date(2021, 8, 5))
    assert draft.subject == "rà soát, báo cáo số lượng cán bộ, công chức cấp xã năm 2021"
    assert draft.recipients == ["UBND các xã, thị trấn"]
    assert (draft.signer.name, draft.signer.title) == ("Lê Văn Bình", "TRƯỞNG PHÒNG")
    assert draft.distribution == ["Lưu VT", "Như kính gửi"]


def test_parse_layout_items_and_deadlines():
    draft = parse_text(LAYOUT, GAZETTEER)
    assert [task.number for task in draft.tasks] == ["1", "2.a", "2.b"]
    first = draft.tasks[0]
    assert first.deadlines[0].to_json() == {
        "kind": "by_date",
        "text": "trước 10 giờ 30 phút, ngày 26 tháng 8 năm 2021",
        "date": "2021-08-26",
        "time": "10:30",
    }
    assert first.report_to == "Phòng Nội vụ"
    assert [c.reference for c in draft.cited] == ["273/KH-UBND"]
    assert draft.cited[0].date == date(2021, 7, 3)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("chậm nhất ngày 31/5/2021", [("by_date", "2021-05-31", None)]),
        ("từ ngày 05/10/2020 đến ngày 15/10/2020", [("period", "2020-10-15", None)]),
        ("trong tháng 11/2020", [("period", "2020-11-30", None)]),
        ("trong vòng 15 ngày kể từ ngày 01/4/2020", [("relative", None, None)]),
        ("trong 05 ngày làm việc", [("relative", None, None)]),
        ("báo cáo hằng tuần", [("recurring", None, "FREQ=WEEKLY")]),
        ("báo cáo hàng tháng", [("recurring", None, "FREQ=MONTHLY")]),
        ("trước ngày 20 hằng tháng", [("recurring", None, "FREQ=MONTHLY;BYMONTHDAY=20")]),
        ("trước 16 giờ hằng ngày", [("recurring", None, "FREQ=DAILY")]),
        ("định kỳ hằng quý", [("recurring", None, "FREQ=MONTHLY;INTERVAL=3")]),
        ("báo cáo hằng năm", [("recurring", None, "FREQ=YEARLY")]),
        ("theo Công văn số 197/CV-BCĐ ngày 26/7/2020", []),
        ("có hiệu lực từ ngày 01/01/2021", []),
        ("Yêu cầu từ ngày 6/8/2020 khi ra khỏi nhà phải đeo khẩu trang", []),
    ],
)
def test_deadline_forms(text, expected):
    found = [(d.kind, d.date.isoformat() if d.date else None, d.rule) for d in find_deadlines(text)]
    assert found == expected


def test_deadline_relative_details():
    (deadline,) = find_deadlines("trong vòng 15 ngày kể từ ngày 01/4/2020")
    assert (deadline.days, deadline.working_days, deadline.reference) == (15, False, "2020-04-01")
    (working,) = find_deadlines("hoàn thiện hồ sơ trong 05 ngày làm việc")
    assert (working.days, working.working_days) == (5, True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Nghị quyết số 29-NQ/TW ngày 04/11/2013 của Ban Chấp hành Trung ương",
            ("Nghị quyết", "29-NQ", "TW", "2013-11-04", "Ban Chấp hành Trung ương"),
        ),
        ("Thông tư số 24/2018/TT-BGDĐT", ("Thông tư", "24", "2018/TT-BGDĐT", None, None)),
        (
            "công văn số 155/UBND-YT, ngày 6/8/2020 của UBND huyện về việc",
            ("Công văn", "155", "UBND-YT", "2020-08-06", "UBND huyện"),
        ),
        (
            "Quyết định số 30/QĐ-UBND, ngày\n24/8/2020 của UBND tỉnh;",
            ("Quyết định", "30", "QĐ-UBND", "2020-08-24", "UBND tỉnh"),
        ),
        ("(số 157/KH-BGDĐT ngày 13/3/2020)", ("Kế hoạch", "157", "KH-BGDĐT", "2020-03-13", None)),
    ],
)
def test_citation_forms(text, expected):
    (cited,) = find_citations(text)
    got = cited.to_json()
    assert (got["doc_type"], got["number"], got["symbol"], got["date"], got["issuer"]) == expected


KE_HOACH = """\
ỦY BAN NHÂN DÂN
TỈNH LAI CHÂU
Số:      /KH-UBND
Lai Châu, ngày 10 tháng 3 năm 2021

KẾ HOẠCH
Triển khai tháng hành động
vì an toàn thực phẩm năm 2021

I. MỤC ĐÍCH, YÊU CẦU
1. Nâng cao nhận thức của người dân.
2. Bảo đảm an toàn thực phẩm trong dịp lễ.
II. NHIỆM VỤ
1. Sở Y tế chủ trì, phối hợp với Sở Công Thương kiểm tra các cơ sở; báo cáo UBND tỉnh
trước ngày 30/4/2021.
2. UBND các huyện, thành phố tổ chức tuyên truyền.
Nơi nhận:
- Bộ Y tế;
- Lưu: VT.
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
Nguyễn Văn An
"""


def test_parse_ke_hoach_sections_and_roles():
    draft = parse_text(KE_HOACH, GAZETTEER)
    assert draft.doc_type == "Kế hoạch"
    assert draft.number is None and draft.symbol == "KH-UBND"
    assert draft.subject == "Triển khai tháng hành động vì an toàn thực phẩm năm 2021"
    assert draft.recipients == []
    assert [task.number for task in draft.tasks] == ["I.1", "I.2", "II.1", "II.2"]
    roles = [(a.code, a.role) for a in draft.tasks[2].agencies]
    assert roles == [("SYT", "lead"), ("SCT", "cooperate")]
    assert draft.tasks[2].report_to == "UBND tỉnh"
    assert [(a.code, a.inherited) for a in draft.tasks[3].agencies] == [("HUYEN", False)]
    assert (draft.signer.authority, draft.signer.title, draft.signer.name) == (
        "KT.",
        "PHÓ CHỦ TỊCH",
        "Nguyễn Văn An",
    )


def test_parse_single_instruction_is_one_task():
    text = KE_HOACH.split("I. MỤC ĐÍCH")[0].replace("KẾ HOẠCH", "THÔNG BÁO") + (
        "Chủ tịch UBND tỉnh giao Sở Y tế tổ chức kiểm tra an toàn thực phẩm trước ngày "
        "15/4/2021.\nNơi nhận:\n- Sở Y tế;\n- Lưu: VT.\nCHỦ TỊCH\nNguyễn Văn An\n"
    )
    draft = parse_text(text, GAZETTEER)
    assert len(draft.tasks) == 1
    assert draft.tasks[0].deadlines[0].date == date(2021, 4, 15)


def test_parse_unknown_agency_kept_as_written():
    text = KE_HOACH.replace("Sở Công Thương", "Sở Khoa học Công nghệ Biển")
    roles = [(a.name, a.code) for a in parse_text(text, GAZETTEER).tasks[2].agencies]
    assert ("Sở Khoa học Công nghệ Biển", None) in roles


def test_parse_another_provinces_bodies_are_not_ours():
    text = LAYOUT.replace("UBND HUYỆN HÒA AN", "UBND TỈNH CAO BẰNG")
    text = text.replace("Phòng Nội vụ đề nghị", "Sở Y tế đề nghị")
    draft = parse_text(text, GAZETTEER)
    assert all(agency.code is None for task in draft.tasks for agency in task.agencies)


@pytest.mark.parametrize(
    "text",
    ["", "   \n\n  ", "Xin chào", "a" * 200, "lorem ipsum dolor sit amet " * 20],
)
def test_parse_refuses_non_directives(text):
    with pytest.raises(NotADirective):
        parse_text(text, GAZETTEER)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=3000))
def test_parse_any_text_gives_json_or_a_clear_error(text):
    try:
        draft = parse_text(text, GAZETTEER)
    except NotADirective as error:
        assert str(error)
        return
    json.dumps(draft.to_json(with_spans=True), ensure_ascii=False)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(SEED.splitlines()), max_size=80))
def test_parse_shuffled_directive_lines_never_crash(lines):
    with contextlib.suppress(NotADirective):
        parse_text("\n".join(lines), GAZETTEER)


def test_read_docx_in_document_order(tmp_path):
    import docx

    document = docx.Document()
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "ỦY BAN NHÂN DÂN\nTỈNH LAI CHÂU\nSố: 12/UBND-VX"
    table.cell(0, 1).text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nLai Châu, ngày 02 tháng 3 năm 2021"
    document.add_paragraph("V/v tăng cường phòng, chống dịch")
    document.add_paragraph("Kính gửi: Sở Y tế.")
    document.add_paragraph("1. Sở Y tế chủ trì kiểm tra; báo cáo trước ngày 10/3/2021.")
    buffer = io.BytesIO()
    document.save(buffer)
    draft = parse_text(read_bytes(buffer.getvalue(), "cv.docx"), GAZETTEER)
    assert (draft.number, draft.symbol, draft.issued_date) == ("12", "UBND-VX", date(2021, 3, 2))
    assert draft.tasks[0].agencies[0].code == "SYT"


def test_read_pdf_with_text_layer():
    from weasyprint import HTML

    html = "<pre style='font-family: Liberation Serif'>" + SEED.replace("**", "") + "</pre>"
    pdf = HTML(string=html).write_pdf()
    draft = parse_text(read_bytes(pdf, "1661.pdf"), GAZETTEER)
    assert (draft.number, draft.symbol) == ("1661", "UBND-VX")
    assert [task.number for task in draft.tasks] == ["1", "2", "3", "4", "5"]


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "a.txt", "rỗng"),
        (b"\xff\xfe\x00a\x00b", "a.txt", "UTF-8"),
        (b"%PDF-1.4\nnot really a pdf", "a.pdf", "PDF"),
        (b"PK\x03\x04garbage", "a.docx", "Word"),
        (b"plain bytes", "a.docx", "không khớp"),
    ],
)
def test_read_bad_files_give_clear_errors(data, name, message):
    with pytest.raises(NotADirective, match=message):
        read_bytes(data, name)


def test_read_pdf_without_text_layer_says_so():
    from weasyprint import HTML

    pdf = HTML(string="<div style='width:10px;height:10px;background:black'></div>").write_pdf()
    with pytest.raises(NotADirective, match="lớp chữ"):
        read_bytes(pdf, "scan.pdf")


def test_cli_parse_prints_json_and_exits_2_on_bad_input(runner, tmp_path, connection):
    good = tmp_path / "1661.txt"
    good.write_text(SEED, encoding="utf-8")
    result = runner.invoke(main, args=["parse", str(good)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["number"] == "1661" and len(data["tasks"]) == 5
    with_spans = json.loads(runner.invoke(main, args=["parse", "--spans", str(good)]).output)
    assert "spans" in with_spans
    bad = tmp_path / "bad.txt"
    bad.write_text("không phải văn bản", encoding="utf-8")
    result = runner.invoke(main, args=["parse", str(bad)])
    assert result.exit_code == 2
    assert "Lỗi" in result.output
    assert runner.invoke(main, args=["parse", str(tmp_path / "missing.txt")]).exit_code == 2


FIXTURES = sorted((Path(__file__).parent / "fixtures" / "directives").glob("*.expected.json"))


def test_fixture_folder_is_varied_enough():
    assert len(FIXTURES) >= 10


@pytest.mark.parametrize("expected_path", FIXTURES, ids=lambda path: path.name.split(".")[0])
def test_fixture_parses_to_expected_json(expected_path):
    """Our own annotated fixtures: header, signer, distribution, task numbers, citations and
    deadlines equal the annotation. (Agencies and report_to are scored by
    benchmarks/parser_accuracy.py: they are not yet right on every fixture.)"""
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    text = expected_path.with_name(expected_path.name.replace(".expected.json", ".txt"))
    got = parse_text(text.read_text(encoding="utf-8"), GAZETTEER).to_json()
    for key in (
        "doc_type",
        "number",
        "symbol",
        "place",
        "issued_date",
        "subject",
        "recipients",
        "signer",
        "distribution",
    ):
        assert got[key] == expected[key], key
    assert got["issuer"].casefold() == expected["issuer"].casefold()
    assert [t["number"] for t in got["tasks"]] == [t["number"] for t in expected["tasks"]]
    assert [(c["number"], c["symbol"], c["date"]) for c in got["cited"]] == [
        (c["number"], c["symbol"], c["date"]) for c in expected["cited"]
    ]
    for got_task, want_task in zip(got["tasks"], expected["tasks"], strict=True):
        assert [(d["kind"], d.get("date")) for d in got_task["deadlines"]] == [
            (d["kind"], d.get("date")) for d in want_task["deadlines"]
        ], got_task["number"]


# Header fields of every shape ---------------------------------------------------------------

HEADER = """UBND HUYỆN HIỆP HÒA          CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
PHÒNG GIÁO DỤC VÀ ĐÀO TẠO              Độc lập - Tự do - Hạnh phúc

{lines}
KẾ HOẠCH
Triển khai công tác pháp chế năm 2021

1. Các trường thực hiện nhiệm vụ.
2. Phòng GD&ĐT kiểm tra.
"""
GAP = " " * 18
DATED = f"{GAP}Hiệp Hòa, ngày 12 tháng 3 năm 2021"
MARCH_12 = date(2021, 3, 12)


@pytest.mark.parametrize(
    ("number_line", "number", "symbol"),
    [
        ("Số: 21/KH-PGD&ĐT", "21", "KH-PGD&ĐT"),
        ("Số 1234/UBND-VX", "1234", "UBND-VX"),
        ("Số:  45 /SYT-NVYTrH&DP", "45", "SYT-NVYTrH&DP"),
        ("Số: 12/SNV-TCBC,CCVC", "12", "SNV-TCBC,CCVC"),
        ("Số: 7/KH-UBND.VP", "7", "KH-UBND.VP"),
        ("Số: 21 / KH - PGD&ĐT", "21", "KH-PGD&ĐT"),
        ("Số:     /KH-UBND", None, "KH-UBND"),
        ("Số: ......./KH-UBND", None, "KH-UBND"),  # the number is written by hand
        ("Số: 3/CTr-UBND", "3", "CTr-UBND"),
    ],
)
def test_symbols_of_every_shape(number_line, number, symbol):
    draft = parse_text(HEADER.format(lines=number_line + DATED), None)
    assert (draft.number, draft.symbol, draft.issued_date) == (number, symbol, date(2021, 3, 12))
    assert draft.place == "Hiệp Hòa"


@pytest.mark.parametrize(
    ("lines", "issued"),
    [
        (f"Số: 21/KH-PGD&ĐT{DATED}", MARCH_12),
        (f"Số: 21/KH-PGD&ĐT{GAP}Hiệp Hòa, ngày 12 tháng 3\n{GAP}năm 2021", MARCH_12),
        (f"Số: 21/KH-PGD&ĐT{GAP}Hiệp Hòa, ngày\n{GAP}12 tháng 3 năm 2021", MARCH_12),
        (f"Số: 21/KH-PGD&ĐT{GAP}Hiệp Hòa,\n{GAP}ngày 12 tháng 3 năm 2021", MARCH_12),
        (f"Số: 21/KH-PGD&ĐT\n{GAP}Hiệp Hòa, ngày 12 tháng 3 năm 2021", MARCH_12),
        # A gap left for a handwritten day: the place is read, the date left to fill in.
        (f"Số: 21/KH-PGD&ĐT{GAP}Hiệp Hòa, ngày      tháng 3 năm 2021", None),
    ],
)
def test_dates_split_by_the_layout(lines, issued):
    draft = parse_text(HEADER.format(lines=lines), None)
    assert (draft.place, draft.issued_date) == ("Hiệp Hòa", issued)
    assert (draft.number, draft.symbol) == ("21", "KH-PGD&ĐT")


def test_a_citations_issuer_ends_before_the_next_cited_document():
    text = (
        "Thực hiện Nghị định số 24/2014/NĐ-CP ngày 04/4/2014 của Chính phủ và Thông tư"
        " 15/2014/TT-BNV ngày 31/10/2014 của Bộ Nội vụ hướng dẫn chức năng, nhiệm vụ."
    )
    found = find_citations(text)
    assert [(c.number, c.symbol, c.issuer) for c in found] == [
        ("24", "2014/NĐ-CP", "Chính phủ"),
        ("15", "2014/TT-BNV", "Bộ Nội vụ"),
    ]


# Who must act -------------------------------------------------------------------------------

SCHOOL_LETTER = """UBND HUYỆN MINH SƠN                 CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
PHÒNG GIÁO DỤC VÀ ĐÀO TẠO                  Độc lập - Tự do - Hạnh phúc

Số: 88/PGDĐT                              Minh Sơn, ngày 05 tháng 9 năm 2022
V/v chuẩn bị năm học mới

         Kính gửi: Các trường Mầm non, Tiểu học, THCS trong huyện.

      Phòng Giáo dục và Đào tạo yêu cầu các nhà trường thực hiện một số nội dung sau:
      1. Rà soát cơ sở vật chất, bàn ghế, thiết bị dạy học. Yêu cầu đồng chí Hiệu
trưởng kiểm tra việc sắp xếp phòng học trước ngày 10/9/2022.
      2. Phối hợp với Trạm Y tế xã, thị trấn tổ chức vệ sinh, khử khuẩn trường học.
      3. Hiệu trưởng, kế toán các trường MN, TH, THCS nộp dự toán về Phòng GD&ĐT.
      4. Trung tâm Y tế huyện chủ trì, phối hợp với UBND các xã, thị trấn kiểm tra an
toàn thực phẩm bếp ăn bán trú.
      Phòng GD&ĐT yêu cầu các nhà trường nghiêm túc thực hiện./.
Nơi nhận:                                           TRƯỞNG PHÒNG
- Như kính gửi;
- Lưu: VT.
                                                   Trần Văn Bình
"""


def _acting(task):
    return [(a.name, a.role, a.kind, a.inherited_from) for a in task.agencies]


def test_who_acts_in_a_schools_letter():
    draft = parse_text(SCHOOL_LETTER, None)
    first, second, third, fourth = draft.tasks
    # A role is an actor, and the item still belongs to the bodies of the lead-in.
    assert _acting(first) == [
        ("các nhà trường", "lead", "group", "lead_in"),
        ("đồng chí Hiệu trưởng", "lead", "role", None),
    ]
    # Only a co-operating body named: the lead comes from the lead-in, and says so.
    assert _acting(second) == [
        ("các nhà trường", "lead", "group", "lead_in"),
        ("Trạm Y tế xã, thị trấn", "cooperate", "agency", None),
    ]
    assert ("Hiệu trưởng, kế toán các trường MN, TH, THCS", "lead", "role", None) in _acting(third)
    # An item naming its own lead body does not inherit.
    assert _acting(fourth) == [
        ("Trung tâm Y tế huyện", "lead", "agency", None),
        ("UBND các xã, thị trấn", "cooperate", "group", None),
    ]
    assert draft.to_json()["tasks"][0]["agencies"][0]["inherited"] is True


PLAN_BY_BODY = """ỦY BAN NHÂN DÂN                    CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
TỈNH HÀ GIANG                            Độc lập - Tự do - Hạnh phúc

Số: 15/KH-UBND                           Hà Giang, ngày 20 tháng 1 năm 2023

KẾ HOẠCH
Phát triển thương mại điện tử năm 2023

      I. TỔ CHỨC THỰC HIỆN
      1. Sở Công Thương
      1.1. Chủ trì, phối hợp với Sở Thông tin và Truyền thông xây dựng sàn giao dịch.
      1.2. Tổng hợp kết quả, báo cáo UBND tỉnh trước ngày 15/12/2023.
      2. Sở Nông nghiệp và Phát triển nông thôn
      Hỗ trợ hợp tác xã đưa sản phẩm lên sàn giao dịch.
      3. Các sở, ban, ngành; UBND các huyện, thành phố
      Phối hợp thực hiện các nội dung của Kế hoạch.
      4. Các sở, ban, ngành và UBND các huyện, thị xã, thành phố tuyên truyền.
Nơi nhận:                                          TM. ỦY BAN NHÂN DÂN
- Như trên;                                         CHỦ TỊCH
- Lưu: VT.
                                                   Lê Văn Hùng
"""


def test_heading_names_reach_their_items_and_names_end_where_they_should():
    draft = parse_text(PLAN_BY_BODY, None)
    by_number = {task.number: _acting(task) for task in draft.tasks}
    assert by_number["I.1.1"] == [
        ("Sở Công Thương", "lead", "agency", "heading"),
        ("Sở Thông tin và Truyền thông", "cooperate", "agency", None),
    ]
    assert by_number["I.1.2"] == [("Sở Công Thương", "lead", "agency", "heading")]
    # A name alone on its item's line ends at the line break: the item's text begins.
    assert by_number["I.2"] == [("Sở Nông nghiệp và Phát triển nông thôn", "lead", "agency", None)]
    assert [name for name, *_rest in by_number["I.3"]] == [
        "Các sở, ban, ngành",
        "UBND các huyện, thành phố",
    ]
    assert [name for name, *_rest in by_number["I.4"]] == [
        "Các sở, ban, ngành",
        "UBND các huyện, thị xã, thành phố",
    ]


# Who acts, in the forms of other offices -------------------------------------------------

NO_AGENCIES = agency_finder.Gazetteer.from_records([], [])


def _named(text, **options):
    return [(ref.name, ref.role) for ref in agency_finder.actors(text, NO_AGENCIES, **options)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the body a body directs works under it: not an actor of its own
        (
            "UBND các huyện, thành phố chỉ đạo Phòng Giáo dục và Đào tạo phối hợp với các "
            "nhà trường nắm bắt hoàn cảnh học sinh.",
            [("UBND các huyện, thành phố", "lead")],
        ),
        # "các" before a body's name: the group of such bodies
        (
            "Bộ Giáo dục và Đào tạo đề nghị các Sở Giáo dục và Đào tạo báo cáo nhanh.",
            [("các Sở Giáo dục và Đào tạo", "lead")],
        ),
        # a lower-case head with its acronym, and the places of a group
        (
            "Bộ GDĐT đề nghị sở GDĐT các tỉnh, thành phố trực thuộc Trung ương báo cáo.",
            [("sở GDĐT các tỉnh, thành phố trực thuộc Trung ương", "lead")],
        ),
        # "phối hợp ... với" and the groups one co-operates with
        (
            "Giao Văn phòng Ban Chỉ đạo: là đầu mối, phối hợp hoạt động với các bộ ngành, "
            "đoàn thể Trung ương và các đơn vị liên quan.",
            [
                ("Văn phòng Ban Chỉ đạo", "lead"),
                ("các bộ ngành, đoàn thể Trung ương", "cooperate"),
                ("các đơn vị liên quan", "cooperate"),
            ],
        ),
        (
            "Đồng ý Bộ Lao động - Thương binh và Xã hội tổ chức Hội nghị.",
            [
                ("Bộ Lao động - Thương binh và Xã hội", "lead"),
            ],
        ),
        # a verb after a name the sentence assigns to is its task, not the issuer speaking
        (
            "Ban Thường trực đề nghị Ban Thường trực Ủy ban MTTQ Việt Nam các quận, huyện "
            "thông báo đến xã, phường.",
            [("Ban Thường trực Ủy ban MTTQ Việt Nam các quận, huyện", "lead")],
        ),
        # the subject after a sentence's grounds
        (
            "Căn cứ nội dung Kế hoạch, phòng GD&ĐT các huyện, thành phố, các trường mầm non "
            "chủ động lập dự toán.",
            [("phòng GD&ĐT các huyện, thành phố", "lead"), ("các trường mầm non", "lead")],
        ),
        # a name ends before the verb that follows it
        (
            "Đề nghị Thầy Cô chủ nhiệm sinh hoạt nội dung thông báo này đến phụ huynh.",
            [("Thầy Cô chủ nhiệm", "lead")],
        ),
        (
            "Phòng GD & ĐT và tất cả các đơn vị trường học trực thuộc treo cờ Tổ quốc.",
            [("Phòng GD & ĐT", "lead"), ("tất cả các đơn vị trường học trực thuộc", "lead")],
        ),
        # a standing organ acts for its body; listed bodies qualified together
        (
            "Thường trực Ban Chỉ đạo Tây Nam Bộ chủ trì, phối hợp với Tỉnh ủy Sóc Trăng và các "
            "cơ quan, địa phương liên quan tổ chức buổi gặp mặt.",
            [
                ("Thường trực Ban Chỉ đạo Tây Nam Bộ", "lead"),
                ("Tỉnh ủy Sóc Trăng", "cooperate"),
                ("các cơ quan, địa phương liên quan", "cooperate"),
            ],
        ),
        # a lower-case body after "và" is a second one; a name repeated without its
        # "các" is the same; a letter's recalled request is not this one's
        (
            "UBND xã đề nghị các đơn vị thôn, hiệu trưởng các trường và trạm Y tế xã tổ chức "
            "treo cờ. Chủ tịch UBND các xã chỉ đạo; Chủ tịch UBND xã báo cáo.",
            [
                ("các đơn vị thôn", "lead"),
                ("hiệu trưởng các trường", "lead"),
                ("trạm Y tế xã", "lead"),
                ("Chủ tịch UBND các xã", "lead"),
            ],
        ),
        (
            "Thực hiện Công văn số 2497/UBND-VX của UBND Thành phố, với nội dung yêu cầu Sở "
            "GD&ĐT chủ trì, phối hợp với UBND quận, huyện hướng dẫn. Sở GD&ĐT đề nghị UBND "
            "các quận, huyện chỉ đạo các trường.",
            [("UBND các quận, huyện", "lead")],
        ),
        # "tổ" begins a verb only in "tổ chức"; a group's "liên quan" ends its name; "trong
        # tỉnh" narrows the addressees to a group of their own; a past deed is no task
        ("Đề nghị các tổ dân phố thực hiện tháo dỡ băng rôn.", [("các tổ dân phố", "lead")]),
        (
            "Phòng Nội vụ phối hợp với Ban Tuyên giáo Huyện ủy, các cơ quan có liên quan định "
            "hướng công tác tuyên truyền.",
            [
                ("Phòng Nội vụ", "lead"),
                ("Ban Tuyên giáo Huyện ủy", "cooperate"),
                ("các cơ quan có liên quan", "cooperate"),
            ],
        ),
        (
            "Các cơ quan, đơn vị trong tỉnh tổ chức trực cơ quan.",
            [("Các cơ quan, đơn vị trong tỉnh", "lead")],
        ),
        ("Sở Giao thông vận tải đã dự thảo Quyết định của Ủy ban nhân dân tỉnh.", []),
        # "các Bộ, cơ quan, địa phương liên quan" after "và"; "các tỉnh/thành phố"; people as
        # a whole; a past deed of a whole list is no task
        (
            "Phó Thủ tướng yêu cầu Bộ Văn hóa, Thể thao và Du lịch chủ trì, phối hợp với Ủy ban "
            "Olympic Việt Nam và các Bộ, cơ quan, địa phương liên quan thực hiện.",
            [
                ("Bộ Văn hóa, Thể thao và Du lịch", "lead"),
                ("Ủy ban Olympic Việt Nam", "cooperate"),
                ("các Bộ, cơ quan, địa phương liên quan", "cooperate"),
            ],
        ),
        (
            "Căn cứ Quyết định, Ủy ban Dân tộc và các bộ, ngành, địa phương đã tổ chức triển "
            "khai Đề án. Ủy ban Dân tộc đề nghị các bộ, ngành Trung ương và UBND các tỉnh/thành "
            "phố trực thuộc Trung ương xây dựng báo cáo.",
            [
                ("các bộ, ngành Trung ương", "lead"),
                ("UBND các tỉnh/thành phố trực thuộc Trung ương", "lead"),
            ],
        ),
        (
            "Ban giám hiệu đề nghị toàn thể giáo viên thực hiện. Các giáo viên giảng dạy tại "
            "trường có trách nhiệm thực hiện.",
            [("toàn thể giáo viên", "lead")],
        ),
        (
            "Đề nghị Hiệu Trưởng các trường Tiểu học thực hiện.",
            [("Hiệu Trưởng các trường Tiểu học", "lead")],
        ),
        # "Ban lãnh đạo", an acronym's group in lower case ("BCH các công đoàn bộ phận"),
        # "động viên" after a name is its verb
        (
            "Đề nghị các cấp ủy Đảng, Ban lãnh đạo các đơn vị, BCH các công đoàn bộ phận, BCH "
            "các chi đoàn Sinh viên động viên CBVC quyên góp.",
            [
                ("các cấp ủy Đảng", "lead"),
                ("Ban lãnh đạo các đơn vị", "lead"),
                ("BCH các công đoàn bộ phận", "lead"),
                ("BCH các chi đoàn Sinh viên", "lead"),
            ],
        ),
        # a short name the text gives in brackets is not a body housing it; a copy cut
        # inside a word names no one
        (
            "yêu cầu Giám đốc BHXH các tỉnh, thành phố trực thuộc Trung ương (BHXH tỉnh) thực "
            "hiện. Danh sách đề nghị các h",
            [("Giám đốc BHXH các tỉnh, thành phố trực thuộc Trung ương", "lead")],
        ),
        # the issuer conveying an opinion speaks
        (
            "Giao Sở Văn hoá, Thể thao và Du lịch tham mưu. Văn phòng Uỷ ban nhân dân Tỉnh "
            "truyền đạt ý kiến chỉ đạo đến đơn vị biết, thực hiện.",
            [("Sở Văn hoá, Thể thao và Du lịch", "lead")],
        ),
        # the plural heads in capitals; units listed after "phòng"; "trực thuộc trường"
        (
            "1. Các Sở, Ban, Ngành Tỉnh, UBND các huyện, thành phố Tây Ninh: Góp ý Dự thảo.",
            [("Các Sở, Ban, Ngành Tỉnh", "lead"), ("UBND các huyện, thành phố Tây Ninh", "lead")],
        ),
        (
            "Trường đề nghị các phòng, khoa, bộ môn trực thuộc trường thực hiện.",
            [("các phòng, khoa, bộ môn trực thuộc trường", "lead")],
        ),
        # who both directs and co-operates; delegates; a name repeated without its unit
        (
            "yêu cầu Sở Văn hóa các tỉnh tập trung chỉ đạo và phối hợp các sở, ban, ngành "
            "triển khai.",
            [("Sở Văn hóa các tỉnh", "lead"), ("các sở, ban, ngành", "cooperate")],
        ),
        (
            "Đề nghị đại biểu HĐND tỉnh tiếp công dân. Đại biểu HĐND tổng hợp báo cáo kết quả.",
            [("đại biểu HĐND tỉnh", "lead")],
        ),
        (
            "Ban Chỉ huy phòng, chống thiên tai và tìm kiếm cứu nạn các ngành, các cấp chủ động "
            "phối hợp với các ngành chức năng liên quan tại địa phương ứng phó.",
            [
                (
                    "Ban Chỉ huy phòng, chống thiên tai và tìm kiếm cứu nạn các ngành, các cấp",
                    "lead",
                ),
                ("các ngành chức năng liên quan tại địa phương", "cooperate"),
            ],
        ),
        (
            "5. Giao Trung tâm Văn hóa, thể thao & Truyền thông; Cổng thông tin điện tử huyện "
            "tổ chức đăng tải thông báo này.",
            [
                ("Trung tâm Văn hóa, thể thao & Truyền thông", "lead"),
                ("Cổng thông tin điện tử huyện", "lead"),
            ],
        ),
        # a ward's own bodies in lower case
        (
            "3. Giao công an phường, tổ quản lý trật tự đô thị, tổ thanh tra xây dựng phối hợp "
            "với MTTQ phường, các đoàn thể và các tổ dân phố tổ chức giải tỏa.",
            [
                ("công an phường", "lead"),
                ("tổ quản lý trật tự đô thị", "lead"),
                ("tổ thanh tra xây dựng", "lead"),
                ("MTTQ phường", "cooperate"),
                ("các đoàn thể", "cooperate"),
                ("các tổ dân phố", "cooperate"),
            ],
        ),
        # a person named with a title; "phân công" assigns
        (
            "Phân công ông Nguyễn Văn An theo dõi, đôn đốc việc thực hiện.",
            [("ông Nguyễn Văn An", "lead")],
        ),
    ],
)
def test_who_acts_in_other_offices_sentences(text, expected):
    assert _named(text) == expected


def test_a_lead_in_names_who_leads_and_who_co_operates_in_its_items():
    letter = """Kính gửi: Bộ Văn hóa, Thể thao và Du lịch.

Phó Thủ tướng yêu cầu Bộ Văn hóa, Thể thao và Du lịch chủ trì, phối hợp với
Ủy ban Olympic Việt Nam:
1. Đẩy nhanh tiến độ chuẩn bị.
2. Phối hợp chặt chẽ với các cơ quan chức năng liên quan của OCA.
"""
    first, second = parse_text(letter, None).tasks
    assert _acting(first) == [
        ("Bộ Văn hóa, Thể thao và Du lịch", "lead", "agency", "lead_in"),
        ("Ủy ban Olympic Việt Nam", "cooperate", "agency", "lead_in"),
    ]
    assert _acting(second)[-1] == (
        "các cơ quan chức năng liên quan của OCA",
        "cooperate",
        "group",
        None,
    )


def test_a_copy_without_blank_lines_after_its_title():
    notice = """THÔNG BÁO
Về việc tổ chức lấy ý kiến về Kế hoạch sử dụng đất năm 2025
1. Thời gian lấy ý kiến: từ ngày 17/3/2025 đến ngày 05/4/2025.
2. Giao:
- Phòng Nông nghiệp và Môi trường huyện tiếp nhận các ý kiến góp ý.
- UBND các xã, thị trấn nghiên cứu hồ sơ.
"""
    notice += (
        "Trong thời gian lấy ý kiến nêu trên, các cơ quan có ý kiến đóng góp đề nghị gửi về "
        "UBND huyện (qua phòng Nông nghiệp và Môi trường).\n"
    )
    draft = parse_text(notice, None)
    assert draft.subject == "Về việc tổ chức lấy ý kiến về Kế hoạch sử dụng đất năm 2025"
    # the sentence after the last item's dash list is the document's own, not the item's
    assert draft.tasks[-1].text.endswith("nghiên cứu hồ sơ.")
    assert draft.tasks[-1].report_to is None
    assert [task.number for task in draft.tasks] == ["1", "2"]
    assert [name for name, *_ in _acting(draft.tasks[1])] == [
        "Phòng Nông nghiệp và Môi trường huyện",
        "UBND các xã, thị trấn",
    ]
    letter = """V/v Kế hoạch xét tặng giải thưởng
về văn học, nghệ thuật năm 2021
Ngày 08 tháng 10 năm 2019, Bộ trưởng ký Quyết định, Phó Chủ tịch UBND Tỉnh có ý kiến:
Giao Sở Văn hoá, Thể thao và Du lịch tham mưu Kế hoạch.
"""
    draft = parse_text(letter, None)
    assert draft.subject == "Kế hoạch xét tặng giải thưởng về văn học, nghệ thuật năm 2021"
    assert [name for name, *_ in _acting(draft.tasks[0])] == ["Sở Văn hoá, Thể thao và Du lịch"]


def test_when_and_where_name_no_one_and_numbers_with_a_slash():
    plan = """Chủ tịch HĐND huyện, nhiệm kỳ 2016-2021 thông báo lịch tiếp công dân như sau:
I/.THỜI GIAN, ĐỊA ĐIỂM
1/. Thời gian công dân đến đăng ký: trước ngày 15 hàng tháng.
2/. Địa điểm: Phòng Tiếp công dân, trụ sở HĐND&UBND huyện.
II/.NHIỆM VỤ
Giao Uỷ ban nhân dân các xã, thị trấn thông báo đến nhân dân.
"""
    draft = parse_text(plan, None)
    assert [task.number for task in draft.tasks] == ["I.1", "I.2", "II"]
    first, second, third = (_acting(task) for task in draft.tasks)
    assert first == [] and second == []  # a time and a place, not who acts
    assert [name for name, *_ in third] == ["Uỷ ban nhân dân các xã, thị trấn"]


def test_more_numbering_and_roles_of_other_offices():
    letter = """Kính gửi: Ủy ban nhân dân tỉnh, thành phố trực thuộc Trung ương.
I. YÊU CẦU CHUNG
1/- Tiêu chuẩn học sinh: có việc làm tốt.
2/-
Tiêu chuẩn giáo viên: có sáng kiến.
"""
    draft = parse_text(letter, None)
    assert draft.issuer is None  # a section heading in capitals is not the issuer
    assert [task.number for task in draft.tasks] == ["I.1", "I.2"]
    listed = (
        "Tổng cục đề nghị Quý Cơ quan cho ý kiến. Dự thảo gồm:\n"
        "(1) Dự thảo Tờ trình;\n(2) Dự thảo Thông tư.\n"
    )
    assert [task.number for task in parse_text(listed, None).tasks] == ["1", "2"]
    # items after "gồm:" are the parts of what is sent, given to no one
    addressed = "Kính gửi: Cục Thống kê các tỉnh.\n" + listed
    assert [task.agencies for task in parse_text(addressed, None).tasks] == [[], []]
    inside = "1. Báo cáo số liệu:\n(1) Số học sinh;\n(2) Số giáo viên.\n2. Gửi về Bộ.\n"
    assert [task.number for task in parse_text(inside, None).tasks] == ["1", "2"]
    assert _named("1. Đối tượng cho ý kiến: Trưởng các đơn vị.", item=True) == [
        ("Trưởng các đơn vị", "lead")
    ]
    assert _named("Các thành viên trong Ban Quản lý website phải có ý kiến.", item=True) == [
        ("Các thành viên trong Ban Quản lý website", "lead")
    ]
    assert _named("Yêu cầu các trường hợp vắng phải báo cáo.") == []  # cases, not schools


def test_a_title_line_without_its_header():
    copy = """Thông báo nghỉ lễ và treo cờ nhân dịp Tết Dương lịch năm 2020

Chủ tịch Ủy ban nhân dân tỉnh thông báo như sau:
1. Các cơ quan, đơn vị trong tỉnh tổ chức trực cơ quan.
"""
    draft = parse_text(copy, None)
    assert (draft.doc_type, draft.subject) == (
        "Thông báo",
        "nghỉ lễ và treo cờ nhân dịp Tết Dương lịch năm 2020",
    )
    titled = "THÔNG BÁO\nVề việc tháo băng rôn\n\nĐề nghị các tổ dân phố thực hiện.\n"
    assert parse_text(titled, None).issuer is None


def test_a_list_heading_an_item_is_its_subject():
    notice = """Chủ tịch Ủy ban nhân dân tỉnh thông báo như sau:
1. Cán bộ, công chức, viên chức, người lao động trên địa bàn tỉnh được nghỉ Tết.
2. Tất cả các cơ quan Đảng, Đoàn thể, Nhà nước, đơn vị lực lượng vũ trang, các doanh nghiệp thuộc các thành phần kinh tế, trường học, bệnh viện và nhà dân treo cờ Tổ quốc.
3. Các cơ quan, đơn vị trong tỉnh tổ chức trực cơ quan.
"""  # noqa: E501
    first, second, third = parse_text(notice, None).tasks
    assert _acting(first) == []  # given leave: no one is asked
    assert [name for name, *_ in _acting(second)] == [
        "Tất cả các cơ quan Đảng, Đoàn thể, Nhà nước",  # a member goes on to the next's head
        "đơn vị lực lượng vũ trang",
        "các doanh nghiệp thuộc các thành phần kinh tế",
        "trường học",
        "bệnh viện",
        "nhà dân",
    ]
    assert [name for name, *_ in _acting(third)] == ["Các cơ quan, đơn vị trong tỉnh"]
    # people named for what they are, alone or listed, are one actor
    school = """Nhà trường đề nghị:
1. Cán bộ - giáo viên tiếp tục thực hiện nghiêm túc các quy định.
2. Nhân viên y tế rà soát các danh mục thiết bị.
3. Tất cả các học sinh, giáo viên Nhà trường tập trung lúc 7 giờ.
4. Học sinh toàn trường nghỉ học.
"""
    acting = [[name for name, *_ in _acting(task)] for task in parse_text(school, None).tasks]
    assert acting[:3] == [
        ["Cán bộ - giáo viên"],
        ["Nhân viên y tế"],
        ["Tất cả các học sinh, giáo viên Nhà trường"],
    ]
    assert "Học sinh toàn trường" not in acting[3]  # told to stay home, not asked to act


def test_a_headless_request_by_a_date_is_read():
    body = (
        "Sở Giao thông vận tải đã dự thảo Quyết định, đề nghị quý cơ quan góp ý về Sở chậm "
        "nhất đến ngày 14/9/2021.\n"
    )
    (task,) = parse_text(body, None).tasks
    assert task.agencies == []  # "quý cơ quan" without a Kính gửi names no one
    assert [(d.kind, d.date) for d in task.deadlines] == [("by_date", date(2021, 9, 14))]


def test_the_addressees_as_a_later_sentences_subject_are_the_items_own_actors():
    letter = """Kính gửi:
- Hiệu trưởng các trường Tiểu học,
- Thủ trưởng các đơn vị trực thuộc.
Đề nghị Hiệu trưởng các trường, Thủ trưởng các đơn vị trực thuộc rà soát lại việc thu quỹ.
Các đơn vị thực hiện trước ngày 24/3/2016.
"""
    draft = parse_text(letter, None)
    assert draft.recipients == [
        "Hiệu trưởng các trường Tiểu học",
        "Thủ trưởng các đơn vị trực thuộc",
    ]
    (task,) = draft.tasks
    assert _acting(task) == [
        ("Hiệu trưởng các trường", "lead", "role", None),
        ("Thủ trưởng các đơn vị trực thuộc", "lead", "role", None),
    ]


def test_the_issuer_gives_work_rather_than_takes_it():
    text = "Vì vậy, BHXH Việt Nam xây dựng chỉ tiêu và yêu cầu BHXH các tỉnh, thành phố thực hiện."
    assert _named(text, issuers=("BẢO HIỂM XÃ HỘI VIỆT NAM",)) == [
        ("BHXH các tỉnh, thành phố", "lead")
    ]
    # ... but heads an item of its own plan
    issuer = ("PHÒNG GIÁO DỤC VÀ ĐÀO TẠO",)
    plan = "Phòng GD&ĐT tổ chức tập huấn cho giáo viên."
    assert _named(plan, issuers=issuer, item=True, plan=True) == [("Phòng GD&ĐT", "lead")]
    assert _named(plan, issuers=issuer, plan=True) == []  # not at the head of an item
    # in a letter, an item the issuer heads alone says what it does itself ...
    assert _named(plan, issuers=issuer, item=True) == []
    # ... unless it shares the item with others, named without its place too
    shared = "Phòng GD&ĐT và tất cả các đơn vị trường học trực thuộc treo cờ Tổ quốc."
    assert _named(shared, issuers=("PHÒNG GD&ĐT THỊ XÃ ĐỒNG XOÀI",), item=True) == [
        ("Phòng GD&ĐT", "lead"),
        ("tất cả các đơn vị trường học trực thuộc", "lead"),
    ]
    assert _named("UBND xã tạm dừng tiếp công dân.", issuers=("UBND XÃ ĐỨC HỢP",), item=True) == []
    # and its standing organ speaks for it
    organ = "Căn cứ Chương trình. Ban Thường trực Ủy ban Mặt trận Tổ quốc Việt Nam thành phố có"
    assert _named(organ, issuers=("ỦY BAN MTTQ VIỆT NAM THÀNH PHỐ",)) == []
    # ... and so does its head, but not its deputy, whom it may give work
    head = "Căn cứ Quy chế, Chủ tịch UBND tỉnh giao Phó Chủ tịch UBND tỉnh chỉ đạo."
    assert _named(head, issuers=("ỦY BAN NHÂN DÂN TỈNH HẬU GIANG",)) == [
        ("Phó Chủ tịch UBND tỉnh", "lead")
    ]
    # "ủy quyền" assigns, to a person named with a title; after the grounds only the
    # sentence's first name is its subject
    delegating = (
        "Căn cứ Quy chế làm việc của UBND tỉnh, Chủ tịch UBND tỉnh ủy quyền đồng chí Đồng Văn "
        "Thanh, Phó Chủ tịch Thường trực UBND tỉnh thực hiện nhiệm vụ và chịu trách nhiệm "
        "trước pháp luật, Tỉnh ủy, HĐND, UBND tỉnh."
    )
    assert _named(delegating, issuers=("ỦY BAN NHÂN DÂN TỈNH HẬU GIANG",)) == [
        ("đồng chí Đồng Văn Thanh, Phó Chủ tịch Thường trực UBND tỉnh", "lead")
    ]


@pytest.mark.parametrize(
    ("one", "other", "same"),
    [
        (
            "Thành viên Ban Chỉ đạo CSSKND huyện",
            "thành viên Ban Chỉ đạo Chăm sóc sức khỏe nhân dân huyện",
            True,
        ),
        ("Sở GD&ĐT", "Sở Giáo dục và Đào tạo", True),
        ("UBND tỉnh", "Ủy ban nhân dân tỉnh", True),
        ("BHXH Việt Nam", "BẢO HIỂM XÃ HỘI VIỆT NAM", True),
        ("Sở Y tế", "Sở Tài chính", False),
        ("Sở GDĐT", "Sở Giáo dục", False),
    ],
)
def test_one_body_written_two_ways(one, other, same):
    assert agency_finder.same_actor(one, other) is same


def test_another_provinces_department_and_all_provinces_departments_are_not_ours():
    text = (
        "Đề nghị Sở Y tế tỉnh Bình Dương báo cáo. Đề nghị Sở Y tế các tỉnh, thành phố trực "
        "thuộc Trung ương báo cáo. Đề nghị Sở Y tế báo cáo."
    )
    refs = agency_finder.actors(text, GAZETTEER)
    assert [(ref.name, ref.code) for ref in refs] == [
        ("Sở Y tế tỉnh Bình Dương", None),
        ("Sở Y tế các tỉnh, thành phố trực thuộc Trung ương", None),
        ("Sở Y tế", "SYT"),
    ]


CONVOCATION = """UBND HUYỆN HIỆP HÒA                 CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
PHÒNG GIÁO DỤC VÀ ĐÀO TẠO                  Độc lập - Tự do - Hạnh phúc

Số: 12/PGDĐT                               Hiệp Hòa, ngày 07 tháng 9 năm 2020
V/v triệu tập hội nghị

Kính gửi: Các trường Mầm non, Tiểu học, THCS.

Phòng GD&ĐT triệu tập cán bộ quản lý các trường dự Hội nghị, cụ thể:
1. Thời gian: 13 giờ 30 phút ngày 09/9/2020.
2. Địa điểm: Hội trường Phòng GD&ĐT.
3. Thành phần tham dự Hội nghị
Hiệu trưởng các trường MN, TH, THCS.
4. Các trường báo cáo số học sinh về Phòng GD&ĐT trước ngày 08/9/2020.
5. Đề nghị Thành viên Ban Chỉ đạo CSSKND huyện tham dự.
"""


def test_items_stating_particulars_inherit_no_one():
    draft = parse_text(CONVOCATION, None)
    by_number = {task.number: _acting(task) for task in draft.tasks}
    assert by_number["1"] == [] and by_number["2"] == []
    assert by_number["3"] == [("Hiệu trưởng các trường MN, TH, THCS", "lead", "role", None)]
    assert by_number["4"] == [("Các trường", "lead", "group", None)]
    # a role of a body it names ("Thành viên Ban Chỉ đạo ...") names who acts
    assert by_number["5"] == [("Thành viên Ban Chỉ đạo CSSKND huyện", "lead", "role", None)]


def test_a_body_without_its_header_is_read_with_a_warning():
    body = (
        "Kính gửi: Hiệu trưởng các trường MN, TH, THCS trên toàn thị xã\n"
        "1. Các đơn vị tiếp tục thực hiện nghiêm Công điện số 14/CĐ-UBND ngày 15/10/2020.\n"
        "2. Cho học sinh nghỉ học cho đến khi có Công văn chỉ đạo.\n"
    )
    draft = parse_text(body, None)
    assert [task.number for task in draft.tasks] == ["1", "2"]
    assert draft.recipients == ["Hiệu trưởng các trường MN, TH, THCS trên toàn thị xã"]
    assert draft.tasks[0].agencies[0].name == draft.recipients[0]  # "các đơn vị": addressees
    assert any("Không thấy số, ký hiệu" in warning for warning in draft.warnings)
    with pytest.raises(NotADirective):
        parse_text("ghi chú họp giao ban: mọi người nhớ mang theo sổ tay và bút khi họp.\n", None)


def test_one_instruction_starts_at_its_request():
    letter = """BỘ Y TẾ                      CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Số: 4059/BYT-KH-TC              Hà Nội, ngày 20 tháng 5 năm 2021
V/v đánh giá Bộ Tiêu chí quốc gia về y tế xã

Kính gửi: Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương.

Ngày 09/02/2021, Bộ Y tế đã có Công văn số 949/BYT-KH-TC gửi Ủy ban nhân dân các tỉnh,
thời hạn gửi về Bộ Y tế trước ngày 23 tháng 02 năm 2021.
Tuy nhiên, đến nay Bộ Y tế chưa nhận được báo cáo.
Do vậy, Bộ Y tế trân trọng đề nghị Ủy ban nhân dân các tỉnh gửi báo cáo về Bộ Y tế
trước ngày 08 tháng 6 năm 2021.
Bộ Y tế trân trọng cảm ơn./.
"""
    (task,) = parse_text(letter, None).tasks
    assert task.text.startswith("Do vậy, Bộ Y tế trân trọng đề nghị")
    assert [(d.kind, d.date) for d in task.deadlines] == [("by_date", date(2021, 6, 8))]
    assert task.report_to == "Bộ Y tế"
    assert [ref.name for ref in task.agencies] == ["Ủy ban nhân dân các tỉnh"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "từ ngày 30 tháng 6 đến ngày 03 tháng 7 năm 2013",
            [("period", date(2013, 6, 30), date(2013, 7, 3), None)],
        ),
        (
            "từ ngày 28/12 đến ngày 05/01/2021",
            [("period", date(2020, 12, 28), date(2021, 1, 5), None)],
        ),
        (
            "Bắt đầu từ buổi sáng ngày 23/3/2020 (Thứ Hai) đến hết ngày 27/3/2020",
            [("period", date(2020, 3, 23), date(2020, 3, 27), None)],
        ),
        ("Tất cả các thứ Hai đầu tuần", [("recurring", None, None, "FREQ=WEEKLY;BYDAY=MO")]),
        ("trước 15 giờ thứ Sáu hằng tuần", [("recurring", None, None, "FREQ=WEEKLY;BYDAY=FR")]),
        (
            "vào lúc 16h00 ngày thứ Sáu 20/4/2018",
            [("scheduled", None, date(2018, 4, 20), None)],
        ),
        (
            "treo cờ trong ngày Lễ giỗ Tổ Hùng Vương (10 tháng 3 âm lịch, tức ngày 31/3/2012)",
            [("by_date", None, date(2012, 3, 31), None)],
        ),
        ("được nghỉ 01 ngày vào thứ Hai", []),  # a length of time, no limit
        # a start day alone takes the end's month; the days it spells out are no other limit
        (
            "treo cờ trong 02 ngày, từ ngày 22 đến hết ngày 23 tháng 5 năm 2021",
            [("period", date(2021, 5, 22), date(2021, 5, 23), None)],
        ),
        (
            "treo cờ rủ trong 2 ngày 26/9 và 27/9/2018",
            [("period", date(2018, 9, 26), date(2018, 9, 27), None)],
        ),
        # an event's own dates are no time limit
        ("Lễ hội diễn ra tại An Giang từ ngày 23 đến ngày 26 tháng 02 năm 2006", []),
        ("góp ý về Sở chậm nhất đến ngày 14/9/2021", [("by_date", None, date(2021, 9, 14), None)]),
        (
            "cử đại diện dự Lễ (thời gian: 09h00 ngày 19 tháng 5 năm 2015)",
            [("scheduled", None, date(2015, 5, 19), None)],
        ),
        (
            "Thời gian : từ 15h 30 đến 17h30 ngày 21/9/2010",
            [("scheduled", None, date(2010, 9, 21), None)],
        ),
        (
            "Lễ ra quân được tiến hành vào hồi 09giờ 00 ngày 25/02/2013",
            [("scheduled", None, date(2013, 2, 25), None)],
        ),
        (
            "việc trồng cây sẽ được tiến hành đến hết tháng 3 năm 2013",
            [("by_date", None, date(2013, 3, 31), None)],
        ),
    ],
)
def test_more_deadline_forms(text, expected):
    found = [(d.kind, d.start, d.date, d.rule) for d in find_deadlines(text)]
    assert found == expected


def test_titles_symbols_and_signers_of_other_offices():
    notice = """TRƯỜNG THPT NGUYỄN TRÃI            CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
                                            Độc lập - Tự do - Hạnh phúc
Số: 21/TB-THPT                     Thành phố Hồ Chí Minh, ngày 11 tháng 5 năm 2016

THÔNG BÁO HOÃN TRẠI HÈ QUÂN SỰ

Kính gửi: Cha mẹ học sinh khối 11, 12.

Căn cứ Thông báo số 26/TB-VP.UBND ngày 5/3/2016 và Công văn số 1017/BTNMT-TCMT,
số 1016/BTNMT-TCMT, Nhà trường hoãn trại hè. Đề nghị Cha mẹ học sinh theo dõi./.

Nơi nhận:                                    HIỆU TRƯỞNG
- Như trên;
- Lưu: VT.
                                             TRẦN PHƯỚC ĐỨC
"""
    draft = parse_text(notice, None)
    assert (draft.doc_type, draft.subject) == ("Thông báo", "HOÃN TRẠI HÈ QUÂN SỰ")
    assert draft.issuer == "TRƯỜNG THPT NGUYỄN TRÃI"
    assert [(c.number, c.symbol) for c in draft.cited] == [
        ("26", "TB-VP.UBND"),
        ("1017", "BTNMT-TCMT"),
        ("1016", "BTNMT-TCMT"),
    ]
    assert (draft.signer.title, draft.signer.name) == ("HIỆU TRƯỞNG", "TRẦN PHƯỚC ĐỨC")


TABLE_COPY = """ỦY
BAN NHÂN DÂN
TỈNH CÀ MAU
-------
|
CỘNG
HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
---------------
|
Số:
36/KH-UBND
|
Cà
Mau, ngày 21 tháng 02 năm 2022
|
KẾ HOẠCH
Thực hiện Chương trình Sức khỏe học đường

I. MỤC ĐÍCH, YÊU CẦU
1. Nâng cao nhận thức của cán bộ quản lý, giáo viên về chăm sóc sức khỏe học sinh.
2. Yêu cầu các cơ quan phối hợp chặt chẽ.
II. NHIỆM VỤ
1. Giao các Sở: Y tế, Giáo dục và Đào tạo, Tài chính tham mưu thực hiện.
2. Công đoàn Giáo dục (CĐGD) tỉnh đề nghị CĐGD các huyện phối hợp.
"""


def test_a_header_table_copied_from_a_web_page():
    draft = parse_text(TABLE_COPY, None)
    assert (draft.number, draft.symbol) == ("36", "KH-UBND")
    assert draft.issuer == "ỦY BAN NHÂN DÂN TỈNH CÀ MAU"
    assert (draft.place, draft.issued_date) == ("Cà Mau", date(2022, 2, 21))
    assert draft.signer.title is None  # "I. MỤC ĐÍCH, YÊU CẦU" is a heading, not a signer
    by_number = {task.number: _acting(task) for task in draft.tasks}
    # what the plan aims at gives no one work
    assert by_number["I.1"] == [] and by_number["I.2"] == []
    assert by_number["II.1"] == [
        ("các Sở: Y tế, Giáo dục và Đào tạo, Tài chính", "lead", "group", None)
    ]
    # an abbreviation the document defines names a body
    assert ("CĐGD các huyện", "lead", "group", None) in by_number["II.2"]


@pytest.mark.parametrize(
    ("lines", "number", "symbol", "issuer", "place", "issued"),
    [
        (
            "BAN CHẤP HÀNH TRUNG ƯƠNG               ĐOÀN TNCS HỒ CHÍ MINH\n***\n"
            "Số: 225 - KH/TWĐTN-CTTN                Hà Nội, ngày 16 tháng 5 năm 2024",
            "225-KH",
            "TWĐTN-CTTN",
            "BAN CHẤP HÀNH TRUNG ƯƠNG",
            "Hà Nội",
            date(2024, 5, 16),
        ),
        (
            "ỦY BAN NHÂN DÂN\nTHÀNH PHỐ HÀ NỘI\nCỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
            "Độc lập - Tự do - Hạnh phúc\n\nSố: /TB-UBND\n\nHà Nội, ngày tháng năm",
            None,
            "TB-UBND",
            "ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI",
            "Hà Nội",
            None,
        ),
    ],
)
def test_party_headers_and_dates_left_to_fill(lines, number, symbol, issuer, place, issued):
    draft = parse_text(f"{lines}\n\nTHÔNG BÁO\nVề việc treo cờ\n\n1. Các sở thực hiện.\n", None)
    assert (draft.number, draft.symbol, draft.issuer) == (number, symbol, issuer)
    assert (draft.place, draft.issued_date) == (place, issued)


def test_closing_formulas_of_other_offices_are_no_task():
    letter = """VĂN PHÒNG CHÍNH PHỦ               CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Số: 2275/VPCP-ĐP                 Hà Nội, ngày 12 tháng 4 năm 2010
V/v cung cấp số liệu

Kính gửi: Bộ Kế hoạch và Đầu tư.

Xét đề nghị của Ủy ban Dân tộc tại Công văn số 200/UBDT-VP, Phó Thủ tướng có ý kiến như sau:
Để bảo đảm có được số liệu chính xác, tin cậy, Bộ Kế hoạch và Đầu tư (Tổng cục Thống kê)
cung cấp ngay số liệu cho Ủy ban Dân tộc.
Trong quá trình thực hiện, nếu có vướng mắc, đề nghị Bộ Kế hoạch và Đầu tư báo cáo Thủ tướng.
Văn phòng Chính phủ xin thông báo để Bộ Kế hoạch và Đầu tư biết, thực hiện./.
"""
    (task,) = parse_text(letter, None).tasks
    assert task.text.startswith("Để bảo đảm")
    assert task.text.endswith("cho Ủy ban Dân tộc.")
    assert _acting(task) == [("Bộ Kế hoạch và Đầu tư (Tổng cục Thống kê)", "lead", "agency", None)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Nhận báo cáo: Đồng chí Văn Hữu Bắc, chuyên viên Phòng GD&ĐT.",
            "Đồng chí Văn Hữu Bắc, chuyên viên Phòng GD&ĐT",
        ),
        ("Tôn vinh các điển hình, báo cáo Bộ GD&ĐT theo quy định.", None),
        ("Báo cáo Thủ tướng Chính phủ trước ngày 10/5/2026.", "Thủ tướng Chính phủ"),
        (
            "Các đơn vị gửi ý kiến về Phòng Khảo thí (Phòng C2) trước ngày 13/12/2007.",
            "Phòng Khảo thí",
        ),
        (
            "Báo cáo của sở xin gửi về theo địa chỉ: Vụ Giáo dục chuyên nghiệp, Bộ Giáo dục và "
            "Đào tạo, 49 Đại Cồ Việt.",
            "Bộ Giáo dục và Đào tạo",
        ),
        (
            "Nhằm kịp thời tổng hợp báo cáo gửi UBND Quận 9. Đề nghị các phường gửi về Văn "
            "phòng Trung tâm Văn hóa Quận 9.",
            "Trung tâm Văn hóa Quận 9",
        ),
        # a purpose stated, then the request: its report is asked
        (
            "Để dự thảo được hoàn chỉnh hơn, Sở Xây dựng đề nghị các Sở tham gia ý kiến và gửi "
            "về Sở Xây dựng trước ngày 05/12/2011.",
            "Sở Xây dựng",
        ),
        ("Giao Ban Văn hóa kiểm tra, báo cáo kết quả thực hiện với UBND phường.", "UBND phường"),
        ("Báo cáo BGH hàng ngày.", "BGH"),
        # "thông qua" an office, with or without brackets; a body's head alone
        (
            "Lập kế hoạch gửi về Ban Chỉ đạo (thông qua phòng CTCT và CTSV) trước ngày 25/01.",
            "phòng CTCT và CTSV",
        ),
        (
            "Báo cáo kết quả về Thường trực HĐND tỉnh thông qua Văn phòng HĐND tỉnh.",
            "Văn phòng HĐND tỉnh",
        ),
        ("Góp ý gửi về Phòng Hành chính Tổng hợp trước ngày 01/9.", "Phòng Hành chính Tổng hợp"),
        ("Góp ý gửi Sở Tài nguyên và Môi trường đề hoàn chỉnh.", "Sở Tài nguyên và Môi trường"),
        ("Hồ sơ gửi về các cơ quan liên quan trước ngày 31/01/2010.", "các cơ quan liên quan"),
        ("báo cáo cấp ủy Đảng, phối hợp với Sở Giáo dục và Đào tạo triển khai", None),
        # a title, or the acronym alone
        ("Làm rõ những vấn đề báo nêu và báo cáo Phó Thủ tướng.", "Phó Thủ tướng"),
        ("Báo cáo UBND danh sách người dân trước 14h00 hàng ngày.", "UBND"),
    ],
)
def test_whom_results_are_reported_to(text, expected):
    found = report_target(text, NO_AGENCIES)
    assert (found[0] if found else None) == expected


def test_names_of_places_asides_and_divisions():
    text = (
        "Đề nghị Sở Xây dựng Tây Ninh hướng dẫn. Chấp thuận cho phép Công ty Phú Mỹ Hưng "
        "phối hợp với Ủy ban nhân dân quận 7 và các cơ quan chức năng liên quan tổ chức. "
        "Chi Cục Dân số tổ chức họp (mời các Sở có liên quan: Sở Nội vụ, Sở Tài chính)."
    )
    refs = agency_finder.actors(text, GAZETTEER)
    assert [(ref.name, ref.role, ref.code) for ref in refs] == [
        ("Sở Xây dựng Tây Ninh", "lead", None),
        ("Công ty Phú Mỹ Hưng", "lead", None),
        ("Ủy ban nhân dân quận 7", "cooperate", None),
        ("các cơ quan chức năng liên quan", "cooperate", None),
        ("Chi Cục Dân số", "lead", None),
    ]
    report = "Báo cáo về Bộ Lao động - Thương binh và Xã hội (qua Cục Trẻ em) trước ngày 15/6."
    assert report_target(report, NO_AGENCIES)[0] == ("Bộ Lao động - Thương binh và Xã hội")
    first = "Gửi về Sở Y tế trước ngày 28/10 để báo cáo cho Ủy ban nhân dân thành phố."
    assert report_target(first, NO_AGENCIES)[0] == "Sở Y tế"


def test_a_double_spaced_addressee_list():
    header = (
        "     ỦY BAN NHÂN DÂN           CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n\n"
        "TỈNH THỪA THIÊN HUẾ                   Độc lập - Tự do - Hạnh phúc\n\n"
        "  Số: 1991/UBND-VH                    Huế, ngày 17 tháng 5 năm 2010\n\n"
        "  V/v Tổ chức tuyên truyền\n\n"
        "          Kính gửi:\n\n"
        "- Thủ trưởng các cơ quan, ban, ngành cấp tỉnh\n\n"
        "- Chủ tịch UBND các huyện, thị và thành phố Huế\n\n"
        "Chủ tịch UBND tỉnh có ý kiến như sau:\n\n"
        "1. Các cơ quan treo cờ.\n"
    )
    draft = parse_text(header, None)
    assert draft.recipients == [
        "Thủ trưởng các cơ quan, ban, ngành cấp tỉnh",
        "Chủ tịch UBND các huyện, thị và thành phố Huế",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "nhân dân" ends the names of the people's bodies; a list of them stays joined
        (
            "Đề nghị BHXH Bộ Quốc phòng, BHXH Công an nhân dân và BHXH các tỉnh, thành phố "
            "trực thuộc Trung ương tổ chức thực hiện.",
            [
                ("BHXH Bộ Quốc phòng", "lead"),
                ("BHXH Công an nhân dân", "lead"),
                ("BHXH các tỉnh, thành phố trực thuộc Trung ương", "lead"),
            ],
        ),
        # "giao cho X": X acts; a name ends before haste ("nhanh chóng") and courtesy ("xin")
        (
            "Giao cho trưởng các khoa đào tạo, Trường Thực hành sư phạm thông báo. "
            "Hiệu trưởng các trường THPT nhanh chóng triển khai.",
            [
                ("trưởng các khoa đào tạo", "lead"),
                ("Trường Thực hành sư phạm", "lead"),
                ("Hiệu trưởng các trường THPT", "lead"),
            ],
        ),
        # an assignment told, not made
        (
            "Trường hợp đơn vị đã tổ chức khắc dấu và giao cho Chi cục quản lý thì tiếp tục "
            "sử dụng.",
            [],
        ),
        # a name's compounds: "công trình", "Giáo dục thường xuyên"; groups listed with
        # "cá nhân" and a role of the businesses' heads
        (
            "Ban Quản lý công trình công cộng Huyện và Trung tâm Giáo dục thường xuyên có "
            "trách nhiệm triển khai; người đứng đầu doanh nghiệp, cơ sở sản xuất kinh doanh; "
            "các tổ chức, cá nhân trên địa bàn Huyện chịu trách nhiệm.",
            [
                ("Ban Quản lý công trình công cộng Huyện", "lead"),
                ("Trung tâm Giáo dục thường xuyên", "lead"),
                ("người đứng đầu doanh nghiệp, cơ sở sản xuất kinh doanh", "lead"),
                ("các tổ chức, cá nhân trên địa bàn Huyện", "lead"),
            ],
        ),
        # a place after "Địa điểm:", not who acts
        ("Địa điểm: Trường THPT chuyên Lê Hồng Phong.", []),
    ],
)
def test_who_acts_in_the_fifteenth_rounds_forms(text, expected):
    assert _named(text, item=True) == expected


LETTER_HEAD = "VĂN PHÒNG CHÍNH PHỦ\n\nSố: 1453/VPCP-KGVX\nHà Nội, ngày 09 tháng 03 năm 2009\n\n"


def test_a_letter_sent_to_its_addressees_to_act_on():
    # "xin gửi ... đến quý cơ quan để nghiên cứu": the addressees act; the speaker does not
    draft = parse_text(
        LETTER_HEAD + "Kính gửi:\n- Bộ Nội vụ\n- Bộ Tài chính\n\n"
        "Văn phòng Chính phủ xin gửi bản chụp văn bản đến quý cơ quan để nghiên cứu và có ý "
        "kiến, gửi về Văn phòng Chính phủ trước ngày 16 tháng 3 năm 2009.\n",
        None,
    )
    (task,) = draft.tasks
    assert [(a.name, a.inherited_from) for a in task.agencies] == [
        ("Bộ Nội vụ", "addressees"),
        ("Bộ Tài chính", "addressees"),
    ]


def test_quy_so_stands_for_the_addressee_of_its_kind():
    draft = parse_text(
        "Kính gửi:\n- Giám đốc Sở Giáo dục và Đào tạo tỉnh\n- Hiệu trưởng trường THPT chuyên\n\n"
        "Kỳ thi được tổ chức tại trường, để các em giao lưu với nhau.\n"
        "Kính đề nghị Quý Sở thông báo cho trường THPT chuyên tại đơn vị.\n",
        None,
    )
    (task,) = draft.tasks
    # the request is the closing paragraph ("giao lưu" asks no one anything)
    assert task.text.startswith("Kính đề nghị Quý Sở")
    assert [a.name for a in task.agencies] == ["Giám đốc Sở Giáo dục và Đào tạo tỉnh"]


def test_a_subject_line_comes_before_kinh_gui():
    draft = parse_text(
        LETTER_HEAD + "Kính gửi: Bộ Giao thông vận tải.\n"
        "Về đề nghị của Ủy ban nhân dân tỉnh Đồng Tháp, Phó Thủ tướng có ý kiến như sau:\n"
        "Giao Bộ Giao thông vận tải xem xét, giải quyết.\n",
        None,
    )
    assert draft.subject is None
    assert draft.recipients == ["Bộ Giao thông vận tải"]
    assert [a.name for a in draft.tasks[0].agencies] == ["Bộ Giao thông vận tải"]


def test_those_named_by_a_short_name_and_their_heads_are_not_counted_twice():
    draft = parse_text(
        "Kính gửi:\n- Các sở giáo dục và đào tạo;\n- Cục Nhà trường.\n\n"
        "Bộ đề nghị các sở GDĐT và Cục Nhà trường (gọi chung là các đơn vị) báo cáo. "
        "Đề nghị các đơn vị gửi báo cáo trước ngày 05/3/2016.\n",
        None,
    )
    assert [a.name for a in draft.tasks[0].agencies] == ["các sở GDĐT", "Cục Nhà trường"]


def test_a_closing_that_asks_again_for_the_items_above_is_no_items():
    draft = parse_text(
        "Kính gửi: Uỷ ban nhân dân các tỉnh, thành phố trực thuộc Trung ương\n\n"
        "Bộ Xây dựng đề nghị báo cáo:\n"
        "1. Báo cáo về tình hình bán nhà ở.\n"
        "2. Báo cáo về những khó khăn, vướng mắc.\n"
        "Bộ Xây dựng đề nghị Uỷ ban nhân dân các tỉnh, thành phố khẩn trương báo cáo các nội "
        "dung nêu trên.\n",
        None,
    )
    assert draft.tasks[-1].text == "Báo cáo về những khó khăn, vướng mắc."


def test_a_ministrys_divisions_and_the_lead_in_sentence_that_introduces_the_items():
    draft = parse_text(
        "Kính gửi: Cục Thuế các tỉnh, thành phố trực thuộc Trung ương\n\n"
        "Một số Cục Thuế có tỷ lệ hoàn thành thấp như sau: Cục Thuế Bình Định, Lâm Đồng.\n\n"
        "Tổng cục Thuế yêu cầu các Vụ, Cục, đơn vị thuộc Tổng cục Thuế và cơ quan Thuế các "
        "cấp thực hiện một số giải pháp sau:\n\n"
        "1/ Rà soát lại kế hoạch thanh tra.\n\n"
        "2/ Tăng cường công tác kiểm tra.\n",
        None,
    )
    for task in draft.tasks:
        assert [(a.name, a.inherited_from) for a in task.agencies] == [
            ("các Vụ, Cục, đơn vị thuộc Tổng cục Thuế", "lead_in"),
            ("cơ quan Thuế các cấp", "lead_in"),
        ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "mỗi" (each) makes a group as "các" does; "thành lập" ends a name
        (
            "- Mỗi Phòng Giáo dục và Đào tạo quận, huyện, thị xã thành lập một Ban tổ chức.",
            [("Mỗi Phòng Giáo dục và Đào tạo quận, huyện, thị xã", "lead")],
        ),
        # the honorific before a body's head is left out; alone, the role keeps it
        (
            "Văn phòng Bộ đề nghị đồng chí Giám đốc Công an thành phố Hà Nội chỉ đạo.",
            [("Giám đốc Công an thành phố Hà Nội", "lead")],
        ),
        ("Đề nghị đồng chí Hiệu trưởng chỉ đạo.", [("đồng chí Hiệu trưởng", "lead")]),
        # kinds of body listed under one "Các" are one group; the people apart
        (
            "Các cơ quan, đơn vị, trường học, doanh nghiệp, các cơ sở sản xuất kinh doanh và "
            "nhân dân trong thị xã treo cờ Tổ quốc.",
            [
                (
                    "Các cơ quan, đơn vị, trường học, doanh nghiệp, các cơ sở sản xuất kinh doanh",
                    "lead",
                ),
                ("nhân dân trong thị xã", "lead"),
            ],
        ),
        # an item headed by whom it is for; a group's list going on past "các cơ quan"
        (
            "Đối với các cơ quan, ban, ngành, đoàn thể chính trị - xã hội thành phố: Treo cờ.",
            [("các cơ quan, ban, ngành, đoàn thể chính trị - xã hội thành phố", "lead")],
        ),
        # names through "Cung ứng", "An toàn giao thông", "Văn hóa, Thông tin"; a member body
        (
            "Trung tâm Cung ứng dịch vụ công thường xuyên thông tin. Đề nghị các cơ quan thành "
            "viên Ban An toàn giao thông tỉnh tham gia ý kiến. Trung tâm Văn hóa, Thông tin và "
            "Thể thao Thành phố có trách nhiệm đưa tin.",
            [
                ("Trung tâm Cung ứng dịch vụ công", "lead"),
                ("các cơ quan thành viên Ban An toàn giao thông tỉnh", "lead"),
                ("Trung tâm Văn hóa, Thông tin và Thể thao Thành phố", "lead"),
            ],
        ),
        # sent to act on ("gửi đến X phối hợp góp ý"); "đóng góp" ends a name
        (
            "Phòng Nội vụ gửi đến Phòng Tư pháp phối hợp góp ý dự thảo. Đề nghị các Sở đóng "
            "góp ý kiến.",
            [("Phòng Tư pháp", "lead"), ("các Sở", "lead")],
        ),
    ],
)
def test_who_acts_in_the_sixteenth_rounds_forms(text, expected):
    assert _named(text, item=True) == expected


def test_an_items_title_line_before_who_acts():
    draft = parse_text(
        "Kính gửi: Các Phòng GD&ĐT\n\nĐề nghị các Phòng GD&ĐT triển khai:\n"
        "1. Phân loại, chấm sản phẩm\n"
        "Các Phòng GD&ĐT thành lập Ban tổ chức cấp cơ sở, chấm sản phẩm dự thi của học sinh "
        "các trường tiểu học và trung học cơ sở trên địa bàn.\n"
        "2. Hoàn thiện hồ sơ, tập hợp sản phẩm dự thi cấp Thành phố\n"
        "Ban tổ chức cấp cơ sở tập hợp, tuyển chọn sản phẩm có chất lượng gửi dự thi cấp "
        "thành phố theo thể lệ của cuộc thi.\n",
        None,
    )
    assert [(a.name, a.inherited) for a in draft.tasks[1].agencies] == [
        ("Ban tổ chức cấp cơ sở", False)
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a mass organisation's central committee; "kính" ends a name
        (
            "Đề nghị Trung ương Đoàn thanh niên Cộng sản Hồ Chí Minh chỉ đạo các cấp cơ sở Đoàn.",
            [("Trung ương Đoàn thanh niên Cộng sản Hồ Chí Minh", "lead")],
        ),
        # a clause that opens with its partners: they co-operate
        (
            "Cùng với các trường ĐH, CĐ và các địa phương phối hợp xử lí sự cố.",
            [("các trường ĐH, CĐ", "cooperate"), ("các địa phương", "cooperate")],
        ),
        # the addressees' phrase set before the names it stands for
        (
            "Bộ Y tế giao các đơn vị Viện Vệ sinh Dịch tễ Trung ương, Trường Đại học Y Hà Nội "
            "và Bệnh viện Bạch Mai hỗ trợ xét nghiệm.",
            [
                ("Viện Vệ sinh Dịch tễ Trung ương", "lead"),
                ("Trường Đại học Y Hà Nội", "lead"),
                ("Bệnh viện Bạch Mai", "lead"),
            ],
        ),
        # "cấp" goes on a name before a level only; "các cấp" is a level too
        (
            "BHXH tỉnh cấp đĩa CD. Công đoàn cấp trên trực tiếp cơ sở triển khai. Các cấp ủy "
            "đảng lãnh đạo.",
            [
                ("BHXH tỉnh", "lead"),
                ("Công đoàn cấp trên trực tiếp cơ sở", "lead"),
            ],
        ),
        # "quan tâm" is a verb; boards and teams named by their work in lower case
        (
            "Đề nghị các cơ quan, đơn vị trực thuộc Bộ quan tâm thực hiện. Giao Đội trật tự đô "
            "thị thành phố kiểm tra. Phòng Đào tạo và Ban kiểm tra theo dõi. Đoàn trực thuộc "
            "triển khai.",
            [
                ("các cơ quan, đơn vị trực thuộc Bộ", "lead"),
                ("Đội trật tự đô thị thành phố", "lead"),
                ("Phòng Đào tạo", "lead"),
                ("Ban kiểm tra", "lead"),
                ("Đoàn trực thuộc", "lead"),
            ],
        ),
        # kinds of unit listed after a role's "các"; a count is one with "các"
        (
            "Giao cho trưởng các khoa, viện thông báo. Chủ tịch UBND 36 phường, xã: Khẩn "
            "trương triển khai; Chủ tịch UBND các phường, xã chịu trách nhiệm.",
            [("trưởng các khoa, viện", "lead"), ("Chủ tịch UBND 36 phường, xã", "lead")],
        ),
    ],
)
def test_who_acts_in_the_seventeenth_rounds_forms(text, expected):
    assert _named(text, item=True) == expected


def test_the_issuers_central_committee_named_by_its_organisation_gives_work():
    named = agency_finder.actors(
        "Trung ương Hội Nông dân Việt Nam kính mời Hội Nông dân các tỉnh tham gia.",
        NO_AGENCIES,
        issuers=("BAN CHẤP HÀNH TRUNG ƯƠNG", "HỘI NÔNG DÂN VIỆT NAM"),
    )
    assert [ref.name for ref in named] == ["Hội Nông dân các tỉnh"]
    # a provincial union's letter: the centre is another body
    assert [
        ref.name
        for ref in agency_finder.actors(
            "Đề nghị Trung ương Đoàn TNCS Hồ Chí Minh hỗ trợ.",
            NO_AGENCIES,
            issuers=("BCH TỈNH ĐOÀN", "ĐOÀN TNCS HỒ CHÍ MINH"),
        )
    ] == ["Trung ương Đoàn TNCS Hồ Chí Minh"]


def test_a_body_set_straight_under_the_last_addressee():
    draft = parse_text(
        "BỘ GIÁO DỤC VÀ ĐÀO TẠO | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM |\n"
        "Số: 3111/BGDĐT-GDĐH | Hà Nội, ngày 02 tháng 6 năm 2010 |\n"
        "Kính gửi: Ban chấp hành Trung ương Đoàn TNCS Hồ Chí Minh\n"
        "Với sự phối hợp chặt chẽ, giúp đỡ tích cực, có hiệu quả của Trung ương Đoàn, kỳ thi "
        "tuyển sinh trong những năm vừa qua đã diễn ra thuận lợi.\n"
        "Bộ Giáo dục và Đào tạo đề nghị Trung ương Đoàn thanh niên Cộng sản Hồ Chí Minh chỉ "
        "đạo các cấp cơ sở Đoàn thực hiện:\n"
        "1. Phối hợp với các Bộ, Ngành bảo đảm trật tự;\n"
        "2. Tham gia hướng dẫn, phân luồng giao thông.\n",
        None,
    )
    assert draft.recipients == ["Ban chấp hành Trung ương Đoàn TNCS Hồ Chí Minh"]
    # the lead-in's actor, not the addressee as Kính gửi writes it
    assert [(a.name, a.inherited_from) for a in draft.tasks[1].agencies] == [
        ("Trung ương Đoàn thanh niên Cộng sản Hồ Chí Minh", "lead_in")
    ]


def test_the_seventeenth_rounds_layouts():
    draft = parse_text(
        "THÔNG BÁO SỐ 2\nĐại hội Cháu ngoan Bác Hồ toàn quốc\nLần thứ VIII - năm 2015\n\n"
        "Kính gửi: - Ban Thường vụ Đoàn, Hội đồng Đội các tỉnh, thành phố;\n"
        "- Ban Thường vụ Đoàn các đơn vị trực thuộc\n"
        "Hội đồng Đội Trung ương đề nghị Ban Thường vụ Đoàn, Hội đồng Đội các tỉnh, thành phố "
        "và Đoàn trực thuộc thực hiện tốt một số nội dung cụ thể sau:\n"
        "1 - Đơn vị nào chưa gửi hồ sơ, đề nghị hoàn thành gấp.\n"
        "- Các địa phương, đơn vị lựa chọn và cử đại biểu theo chỉ tiêu.\n"
        "2 - Các đơn vị chuẩn bị trang phục.\n",
        None,
    )
    # a series' number is not the document's; "1 - " numbers an item
    assert (draft.doc_type, draft.number, draft.issuer) == ("Thông báo", None, None)
    assert draft.subject == "Đại hội Cháu ngoan Bác Hồ toàn quốc Lần thứ VIII - năm 2015"
    assert [task.number for task in draft.tasks] == ["1", "2"]
    # "Các địa phương, đơn vị" are those the lead-in asks
    assert [a.name for a in draft.tasks[0].agencies] == [
        "Ban Thường vụ Đoàn, Hội đồng Đội các tỉnh, thành phố",
        "Đoàn trực thuộc",
    ]


def test_parts_in_capitals_above_numbered_items():
    draft = parse_text(
        "Kính gửi: Phòng Nghiệp vụ Y – Sở Y tế\n"
        "Trung tâm xây dựng định hướng truyền thông như sau:\n"
        "A. TRUYỀN THÔNG NHỮNG CHỦ TRƯƠNG, QUY ĐỊNH\n"
        "1. Công điện số 53/CĐ-BYT về phòng, chống bệnh Sởi.\n"
        "2. Chỉ thị số 2/CT-BYT về công tác y tế dịp Tết.\n"
        "B. TRUYỀN THÔNG PHÒNG CHỐNG DỊCH BỆNH\n"
        "I. Bệnh sởi\n"
        "A. Nguyễn Văn B, chuyên viên, theo dõi.\n",
        None,
    )
    assert [task.number for task in draft.tasks] == ["A.1", "A.2", "B.I"]


def test_a_plans_opening_cut_before_its_tasks_has_none():
    draft = parse_text(
        "ỦY BAN NHÂN DÂN\nTỈNH SƠN LA\n\nSố: 129/KH-UBND\nSơn La, ngày 22 tháng 5 năm 2019\n\n"
        "KẾ HOẠCH\nTRIỂN KHAI ĐỀ ÁN HỖ TRỢ NHÀ Ở ĐỐI VỚI HỘ NGHÈO NĂM 2019 -\n2020\n"
        "(Theo\nQuyết định số 33/2015/QĐ-TTg ngày 10/8/2015 của Thủ tướng Chính phủ)\n"
        "Căn cứ Quyết định số 33/2015/QĐ-TTg ngày 10 tháng 8 năm 2015 của Thủ tướng Chính "
        "phủ về chính sách hỗ trợ nhà ở đối với hộ nghèo.\n",
        None,
    )
    assert draft.tasks == []
    # a year on its own line, and a bracketed line under the title, go on the title
    assert draft.subject == (
        "TRIỂN KHAI ĐỀ ÁN HỖ TRỢ NHÀ Ở ĐỐI VỚI HỘ NGHÈO NĂM 2019 - 2020 (Theo Quyết định số "
        "33/2015/QĐ-TTg ngày 10/8/2015 của Thủ tướng Chính phủ)"
    )


def test_the_seventeenth_rounds_details():
    # what the issuer sends is no report; a calendar is no particulars heading
    assert report_target("Đĩa CD được gửi tới BHXH tỉnh; BHXH tỉnh cấp đĩa.", NO_AGENCIES) is None
    draft = parse_text(
        "BẢO HIỂM XÃ HỘI VIỆT NAM\nSố: 4899/BHXH-TT\n\n"
        "Kính gửi: Bảo hiểm xã hội các tỉnh\n\nBHXH Việt Nam cấp một số ấn phẩm như sau:\n"
        "1. Đĩa CD tuyên truyền.\n2. Lịch treo tường năm Quý Tỵ (2013).\n",
        None,
    )
    assert [a.name for a in draft.tasks[1].agencies] == ["Bảo hiểm xã hội các tỉnh"]
    # days off spelled out with their weekdays: no time limit
    found = find_deadlines(
        "toàn trường được nghỉ trong 3 ngày: từ thứ Hai, ngày 29/4/2019 đến hết thứ Tư, "
        "ngày 01/5/2019.",
        0,
    )
    assert "relative" not in [deadline.kind for deadline in found]
    # a signer's title wrapped in a table cell
    signed = parse_text(
        "Kính gửi: Các đơn vị trực thuộc Bộ\n\nBộ Xây dựng đề nghị các đơn vị thực hiện./.\n"
        "| TM. BAN THƯỜNG |\n| VỤ |\n",
        None,
    )
    assert (signed.signer.title, signed.signer.authority) == ("BAN THƯỜNG VỤ", "TM.")


def test_a_unit_under_its_organisation_is_the_issuer():
    draft = parse_text(
        "ĐỘI TNTP HỒ CHÍ MINH\nLIÊN ĐỘI TRƯỜNG TH NGUYỄN HUỆ\n\nSố: 12/KH-LĐ\n\n"
        "KẾ HOẠCH\nTỔ CHỨC ĐÊM HỘI TRĂNG RẰM\n\n1. Các chi đội chuẩn bị tiết mục văn nghệ.\n",
        None,
    )
    assert draft.issuer == "LIÊN ĐỘI TRƯỜNG TH NGUYỄN HUỆ"
    assert draft.to_json()["issuer"] == "LIÊN ĐỘI TRƯỜNG TH NGUYỄN HUỆ"


def test_the_one_who_writes_or_instructs_is_not_asked():
    # "X xây dựng Định hướng ... như sau", "Bộ trưởng chỉ thị cho ...": the speaker
    assert (
        _named(
            "Trung tâm Truyền thông – Giáo dục sức khỏe xây dựng Định hướng truyền thông như sau:"
        )
        == []
    )
    assert _named("Bộ trưởng chỉ thị cho tất cả các đơn vị y tế thực hiện.", item=True) == []
    # a body's own work in lower case is still its own: "xây dựng phương án"
    assert _named("Trạm Khuyến nông huyện xây dựng phương án cung ứng giống.", item=True) == [
        ("Trạm Khuyến nông huyện", "lead")
    ]


def test_a_report_sent_to_the_issuers_kind_alone():
    found = report_target("Ý kiến góp ý xin gửi về Bộ trước ngày 15/6/2011.", NO_AGENCIES)
    assert found is not None and found[0] == "Bộ"
    # with its name, the whole name
    found = report_target("Ý kiến gửi về Bộ Y tế trước ngày 15/6/2011.", NO_AGENCIES)
    assert found is not None and found[0] == "Bộ Y tế"


def test_a_symbol_set_before_the_place_on_one_line():
    draft = parse_text(
        "VĂN PHÒNG CHÍNH PHỦ\nSố: 330/TB-VPCP Hà Nội, ngày 18 tháng 10 năm 2022\n\n"
        "THÔNG BÁO\nKết luận của Phó Thủ tướng\n\n1. Bộ Công Thương chủ trì triển khai.\n",
        None,
    )
    assert (draft.place, draft.issued_date) == ("Hà Nội", date(2022, 10, 18))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "và" before a role, or before households, ends the name before it
        (
            "Thủ trưởng các cơ quan, đơn vị và lãnh đạo địa phương các cấp có trách nhiệm thông "
            "báo.",
            [
                ("Thủ trưởng các cơ quan, đơn vị", "lead"),
                ("lãnh đạo địa phương các cấp", "lead"),
            ],
        ),
        (
            "Các cơ quan, đơn vị, công sở và hộ gia đình treo cờ Tổ quốc.",
            [("Các cơ quan, đơn vị, công sở", "lead"), ("hộ gia đình", "lead")],
        ),
        # units listed after a comma in lower case; "chưa" ends a name
        (
            "Đề nghị các chi đoàn, câu lạc bộ, đội, nhóm vận động. Các Chi bộ chưa tổ chức đại "
            "hội khẩn trương. Đề nghị các Đảng bộ bộ phận, chi bộ sơ kết.",
            [
                ("các chi đoàn, câu lạc bộ, đội, nhóm", "lead"),
                ("Các Chi bộ", "lead"),
                ("các Đảng bộ bộ phận, chi bộ", "lead"),
            ],
        ),
        # a new body after ", Ban ..."; a standing board named in lower case
        (
            "Đề nghị Ban điều hành 8 Khu phố, Ban điều hành 75 Tổ dân phố khảo sát.",
            [("Ban điều hành 8 Khu phố", "lead"), ("Ban điều hành 75 Tổ dân phố", "lead")],
        ),
        # groups named by what they are; a team leader of numbered units
        (
            "Đề nghị các đơn vị sử dụng lao động trên địa bàn thành phố chấn chỉnh. Đề nghị Tổ "
            "trưởng 12 tổ dân phố phối hợp triển khai.",
            [
                ("các đơn vị sử dụng lao động trên địa bàn thành phố", "lead"),
                ("Tổ trưởng 12 tổ dân phố", "lead"),
            ],
        ),
    ],
)
def test_who_acts_in_the_eighteenth_rounds_forms(text, expected):
    assert _named(text, item=True) == expected


def test_whom_an_item_headed_for_is_for():
    # people or kinds of payer after "Đối với ...:" act; a subject matter does not
    assert _named("Đối với cá nhân: Thu, nộp một lần trước ngày 30/7/2022.", item=True) == [
        ("cá nhân", "lead")
    ]
    assert _named("Đối với nội dung phối hợp tại điểm 1: Vụ Pháp chế chủ trì.", item=True) == [
        ("Vụ Pháp chế", "lead")
    ]


def test_who_is_invited_is_not_asked():
    draft = parse_text(
        "VĂN PHÒNG UBND TỈNH KON TUM\nSố: 12/TB-VP\n\nTHÔNG BÁO\nPhiên họp tháng 7\n\n"
        "1. Hình thức cuộc họp: trực tuyến.\n"
        "2. Thành phần mời tham dự:\n- Giám đốc các sở, ban, ngành;\n- Báo Kon Tum.\n"
        "3. Thành phần được triệu tập: Chủ tịch UBND các huyện.\n",
        None,
    )
    assert draft.tasks[1].agencies == []
    assert [a.name for a in draft.tasks[2].agencies] == ["Chủ tịch UBND các huyện"]


def test_the_eighteenth_rounds_details():
    # what they collected, they send ("thu được gửi về"); "nộp về cho X" is sent to X
    found = report_target(
        "tổng hợp tiền quyên góp thu được gửi về Văn phòng Đoàn - Hội (tầng 1), hoàn thành.",
        NO_AGENCIES,
    )
    assert found is not None and found[0] == "Văn phòng Đoàn - Hội"
    found = report_target("Các bài viết nộp về cho Văn phòng Công đoàn Trường.", NO_AGENCIES)
    assert found is not None and found[0] == "Văn phòng Công đoàn Trường"
    # a period with its weekdays, from a time of day
    kinds = [
        (d.kind, d.date)
        for d in find_deadlines(
            "Thời gian nghỉ: 05 ngày liên tục, từ thứ Bẩy ngày 29/4/2023 đến hết thứ Tư ngày "
            "03/5/2023. Treo cờ từ sáng ngày 30/04/2019 đến hết ngày 01/05/2019.",
            0,
        )
    ]
    assert kinds == [("period", date(2023, 5, 3)), ("period", date(2019, 5, 1))]
    # "2." alone on its line, its text below
    draft = parse_text(
        "Kính gửi: Các cơ sở giáo dục\n\nSở yêu cầu các cơ sở giáo dục thực hiện như sau:\n"
        "1. Cho học sinh nghỉ học.\n2.\nThủ trưởng các đơn vị trực thuộc Sở thông tin nội "
        "dung này.\n",
        None,
    )
    assert [task.number for task in draft.tasks] == ["1", "2"]
    # a header table whose cells end with a bar on the line ("BẢO" / "HIỂM XÃ HỘI ... |")
    draft = parse_text(
        "BẢO\nHIỂM XÃ HỘI VIỆT NAM |\nCỘNG\nHÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM |\n"
        "Số: 3653/TB-BHXH |\nTp. Hồ Chí Minh, ngày 21 tháng 11 năm 2011 |\n"
        "THÔNG BÁO\nVỀ VIỆC ĐÓNG BHXH\nĐề nghị các đơn vị sử dụng lao động đóng BHXH.\n",
        None,
    )
    assert draft.issuer == "BẢO HIỂM XÃ HỘI VIỆT NAM"
    draft = parse_text(
        "ĐẢNG BỘ TỈNH NGHỆ AN\nĐẢNG UỶ TRƯỜNG ĐẠI HỌC VINH\n\nSố: 331-CV/ĐU\n\n"
        "Kính gửi: Các chi bộ\n\nĐảng ủy đề nghị các chi bộ sơ kết.\n",
        None,
    )
    assert draft.issuer == "ĐẢNG UỶ TRƯỜNG ĐẠI HỌC VINH"


def test_common_verbs_end_a_name_in_lower_case():
    # verbs a directive asks with, met in no annotated document yet
    assert _named(
        "Đề nghị các đoàn viên tích cực quyên góp. Công đoàn ủng hộ 01 ngày lương. Các khoa "
        "trả lời trước ngày 20/5.",
        item=True,
    ) == [("các đoàn viên", "lead"), ("Công đoàn", "lead"), ("Các khoa", "lead")]
    # not inside a name whose capitalised word takes it: "Cục Thống kê"
    assert _named("Đề nghị Cục Thống kê tỉnh phối hợp.", item=True) == [
        ("Cục Thống kê tỉnh", "lead")
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Đề nghị Phó Giám đốc Sở Y tế chỉ đạo.", [("Phó Giám đốc Sở Y tế", "lead")]),
        ("Giao Trưởng khoa Nội trực cấp cứu.", [("Trưởng khoa Nội", "lead")]),
        (
            "Đồn Biên phòng phối hợp với Hạt Kiểm lâm huyện tuần tra.",
            [("Đồn Biên phòng", "lead"), ("Hạt Kiểm lâm huyện", "cooperate")],
        ),
        (
            "Đề nghị Chỉ huy trưởng Ban Chỉ huy Quân sự huyện bố trí lực lượng.",
            [("Chỉ huy trưởng Ban Chỉ huy Quân sự huyện", "lead")],
        ),
        (
            "Đề nghị Ban Thường trực Ủy ban MTTQ các phường thông báo.",
            [("Ban Thường trực Ủy ban MTTQ các phường", "lead")],
        ),
        # a hospital's departments in lower case
        ("Khoa khám bệnh không tổ chức khám bệnh.", [("Khoa khám bệnh", "lead")]),
    ],
)
def test_kinds_of_body_and_role_of_every_province(text, expected):
    assert _named(text, item=True) == expected


def test_the_nineteenth_rounds_forms():
    # allowed to, so asked to; a role opening its item is whom it asks
    assert _named(
        "Thống nhất chủ trương cho Công ty TNHH Xuân Chính tổ chức Hội chợ.", item=True
    ) == [("Công ty TNHH Xuân Chính", "lead")]
    # "các đồng chí" before a role with its body is left out; units listed are a group
    assert _named(
        "Viện đề nghị các đồng chí Lãnh đạo Phòng, Trạm trực thuộc và Đoàn Thanh niên thực hiện."
    ) == [("Lãnh đạo Phòng, Trạm trực thuộc", "lead"), ("Đoàn Thanh niên", "lead")]
    # a symbol's tail is no place: the body's "Chỉ thị số 40-CT/TW, ngày 11 tháng 12 ..."
    draft = parse_text(
        "ỦY BAN NHÂN DÂN\nTỈNH BÌNH THUẬN\n|\nSố: 01/CT-UBND\n|\nBình Thuận, ngày\n"
        "10 tháng 01 năm 2025\n|\nCHỈ THỊ\nVỀ ĐÓN TẾT\nChủ tịch UBND tỉnh yêu cầu thủ trưởng "
        "các sở, ban, ngành thực hiện tốt một số nhiệm vụ sau đây:\n1. Quán triệt, cụ thể:\n"
        "a) Thực hiện Chỉ thị số 40-CT/TW, ngày 11 tháng 12 năm 2024 của Ban Bí thư.\n",
        None,
    )
    assert [task.number for task in draft.tasks] == ["1.a"]
    assert draft.issued_date == date(2025, 1, 10)
