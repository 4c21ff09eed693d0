"""Agencies named in a task: resolved against agencies, groups and their aliases; lead or
co-operating. Unresolved names are kept as written. (The body results are reported to is
read in `destinations`.)"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from tracker.directives.parsing.draft import AgencyRef
from tracker.directives.parsing.patterns import RECALLED_LETTER, UPPER
from tracker.directives.parsing.source import sentence_start, squash

#: Phrases that mean "the addressees of this document".
ADDRESSEE_PHRASES = (
    "các cơ quan, đơn vị, địa phương",
    "các cơ quan, đơn vị và địa phương",
    "các sở, ban, ngành, địa phương",
    "các cơ quan, đơn vị",
    "các đơn vị, địa phương",
    "các địa phương, đơn vị",
    "các đơn vị",
    "các cơ quan",
    "quý cơ quan",
    "quý đơn vị",
    # "Kính đề nghị Quý Sở ...": the addressees of that kind (see parser._addressed)
    "quý sở",
    "quý bộ",
    "quý ban",
    "quý cục",
    "quý trường",
    "quý ủy ban",
    "quý công ty",
)

#: A body's name begins with one of these (the longest that fits: "Ban Chỉ đạo" before
#: "Ban"), then capitalised syllables with their lower-case tails.
HEAD_WORDS = (
    "Sở", "Phòng", "Ban", "Văn phòng", "Trung tâm", "Chi cục", "Bệnh viện", "Trường",
    "Công an", "Hội", "Liên đoàn", "Cơ quan", "Đài", "Báo", "Thanh tra", "Kho bạc", "Cục", "Bộ",
    "Ủy ban nhân dân", "Uỷ ban nhân dân", "UBND", "Ủy ban", "Uỷ ban", "Tỉnh đoàn",
    "Thành đoàn", "Quận đoàn",
    "Huyện đoàn", "Đoàn", "Bộ Chỉ huy", "Cục Thuế", "Chi nhánh", "Bảo hiểm xã hội",
    "Ngân hàng", "Viện", "Trạm", "Đội", "Hạt", "Chi Cục", "Ban Quản lý", "Ban quản lý",
    "Ban Chỉ huy",
    "Ban Chỉ đạo", "Ban chỉ đạo", "BCH", "BCĐ", "Tổ công tác", "Văn phòng HĐND và UBND",
    "Các cơ quan",
    "Các đơn vị", "Các trường", "các trường", "Các sở", "các sở", "Các phòng", "các phòng",
    "Các cơ sở", "các cơ sở", "Các chủ đầu tư", "các chủ đầu tư", "Các nhà trường",
    "các nhà trường", "Các tổ chức", "các tổ chức", "Các doanh nghiệp", "Các địa phương",
    "các địa phương", "các đơn vị", "các cơ quan", "các bộ", "Các bộ", "các tỉnh", "Các tỉnh",
    "các ngành", "Các ngành", "các Bộ", "Các Bộ", "Công đoàn", "công đoàn", "Mặt trận",
    "Ủy ban Mặt trận",
    "Hội đồng", "Tổng cục", "Vụ", "Đảng ủy", "Đảng uỷ", "Tỉnh ủy", "Tỉnh uỷ", "Huyện ủy",
    "Huyện uỷ", "Thành ủy", "Thành uỷ", "Chi bộ", "Tòa án", "Toà án", "Viện kiểm sát",
    "Công ty", "Tổng công ty", "Hợp tác xã", "Học viện", "Đại học", "BHXH", "HĐND", "UBMTTQ",
    "BTV", "BGH", "Ban Giám hiệu", "Cổng thông tin điện tử", "Cổng Thông tin điện tử",
    "MTTQ", "các đoàn thể", "Các đoàn thể", "Ban tổ chức", "Ban Tổ chức", "Chi đoàn", "Chi Đoàn",
    "chi Đoàn", "chi đoàn", "Ban cán sự", "ban cán sự", "Trung ương Đoàn", "Trung ương Hội",
    "Ban chấp hành", "Ban Chấp hành", "Đội trật tự", "Đội Trật tự", "Đội quản lý", "Đội Quản lý",
    "Đội kiểm tra", "Đội Kiểm tra", "Đoàn kiểm tra", "Đoàn Kiểm tra",
    # a standing board named by its work in lower case
    "Ban kiểm tra", "Ban tuyên giáo", "Ban dân vận", "Ban thi đua", "Ban đại diện",
    "Ban giám khảo", "Ban pháp chế", "Ban giám hiệu", "Đoàn trực thuộc", "Ban điều hành",
    "Khoa", "Các khoa", "các khoa",
    # kinds of body met in every province's prose
    "Bộ môn", "Ban biên tập", "Đồn", "Thư viện", "Bảo tàng", "Quỹ", "Liên hiệp", "Liên minh",
    "Hiệp hội", "Tập đoàn", "Cảng vụ", "Nhà xuất bản", "Tạp chí", "Trung đoàn", "Lữ đoàn",
    "Sư đoàn",
    # a hospital's departments, written in lower case after "Khoa"
    "Khoa khám bệnh", "Khoa nội", "Khoa ngoại", "Khoa sản", "Khoa nhi", "Khoa dược",
    "Khoa xét nghiệm", "Khoa cấp cứu", "Khoa hồi sức", "Khoa truyền nhiễm", "Khoa y tế công cộng",
    "Khoa dinh dưỡng", "Khoa chẩn đoán hình ảnh", "Khoa phục hồi chức năng",
    "Khoa y học cổ truyền", "Khoa kiểm soát nhiễm khuẩn",
)  # fmt: skip
#: Lower-case heads, only where a name follows: "sở GDĐT", "phòng GD&ĐT", "trường THCS
#: ...", "trạm Y tế xã", "cơ quan liên quan", and a ward's own bodies.
LOWER_HEADS = (
    r"(?<!cơ )sở(?=\s+[A-ZĐ])|phòng(?=\s+[A-ZĐ])|khoa(?=\s+[A-ZĐ])|trường(?=\s+[A-ZĐ])|"
    r"trạm(?=\s+[A-ZĐ])|"
    r"trung\s+tâm(?=\s+[A-ZĐ])|bệnh\s+viện(?=\s+[A-ZĐ])|"
    # a commune's or ward's own: "công an phường", "tổ dân phố", "tổ quản lý trật tự đô thị"
    r"công\s+an(?=\s+(?:xã|phường|thị\s+trấn|huyện|quận|tỉnh|thành\s+phố)(?![\wÀ-ỹ]))|"
    r"tổ\s+(?:dân\s+phố|tự\s+quản|quản\s+lý|thanh\s+tra|công\s+tác|chuyên\s+môn|bảo\s+vệ)|"
    r"bộ\s+phận(?=\s+[^\s,.;:()]+)|"
    r"(?:cơ quan|đơn vị)(?=\s+(?:có\s+)?liên\s+quan)|cơ\s+quan(?=\s+[A-ZĐ])"  # "cơ quan Thuế"
)
#: "Các Sở, Ban, Ngành": the plural heads with their noun in capitals too.
PLURAL_CAPITALISED = tuple(
    f"{word[:4]}{word[4].upper()}{word[5:]}"
    for word in HEAD_WORDS
    if word[:4].lower() == "các " and word[4:5].islower()
)
HEAD = (
    "(?:"
    + "|".join(
        sorted(
            {re.escape(word) for word in (*HEAD_WORDS, *PLURAL_CAPITALISED)},
            key=len,
            reverse=True,
        )
    )
    + f"|{LOWER_HEADS})"
)
#: Heads written as acronyms, whose names may go on in lower case ("UBND các huyện").
ACRONYM_HEADS = (
    "UBND",
    "ỦY BAN NHÂN DÂN",
    "UỶ BAN NHÂN DÂN",
    "ỦY BAN",
    "UỶ BAN",
    "BHXH",
    "BCH",
    "HĐND",
    "UBMTTQ",
    "BTV",
    "BGH",
    "MTTQ",
)
#: Who a report may go to besides a body: "báo cáo Thủ tướng Chính phủ", "báo cáo Chủ tịch
#: UBND tỉnh", "báo cáo Thường trực Ủy ban nhân dân huyện".
PERSON_HEAD = r"(?:Thủ\s+tướng|Phó\s+Thủ\s+tướng|Chủ\s+tịch|Bộ\s+trưởng|Thường\s+trực)"
#: A role rather than a body: "Hiệu trưởng các trường", "Thủ trưởng các cơ quan",
#: "đồng chí Hiệu trưởng", "Cán bộ quản lý, đảng viên nhà trường", "Các đồng chí tham dự
#: Hội nghị". Roles listed with commas are one actor ("Lãnh đạo, chuyên viên, kế toán").
ROLE = re.compile(
    r"(?<![\wÀ-ỹ])(?:[Cc]ác\s+)?(?:[Đđ]ồng\s+chí\s+)?"
    # roles of every kind of body: a hospital's, a station's, a court's, a command's
    r"(?:[Pp]hó\s+(?=[Gg]iám|[Tt]rưởng|[Cc]hánh|[Vv]iện|[Hh]iệu|[Cc]hỉ|[Tt]ổng))?"
    r"(?:[Tt]rưởng\s+[Kk]hoa|[Tt]rưởng\s+[Tt]rạm|[Tt]rạm\s+trưởng|[Đđ]ội\s+trưởng|"
    r"[Cc]hi\s+cục\s+trưởng|[Cc]hủ\s+nhiệm|[Vv]iện\s+trưởng|[Cc]hánh\s+án|"
    r"[Cc]hỉ\s+huy\s+trưởng|[Tt]ổng\s+[Bb]iên\s+tập|[Tt]ổng\s+[Gg]iám\s+đốc|[Tt]rưởng\s+đoàn|"
    r"[Hh]iệu\s+[Tt]rưởng|[Tt]hủ\s+[Tt]rưởng|[Gg]iám\s+[Đđ]ốc|[Tt]rưởng\s+[Pp]hòng|"
    r"[Tt]rưởng\s+[Bb]an|"
    r"(?:Ban\s+)?[Ll]ãnh\s+đạo|[Cc]án\s+bộ\s+quản\s+lý|[Gg]iáo\s+viên\s+chủ\s+nhiệm|[Kk]ế\s+toán|"
    r"[Cc]huyên\s+viên|[Tt]ổng\s+phụ\s+trách|(?:[Pp]hó\s+)?[Cc]hủ\s+tịch(?!\s+[Nn]ước)|[Tt]hành\s+viên|"
    r"[Bb]í\s+thư|[Cc]hánh\s+[Vv]ăn\s+phòng|[Cc]hánh\s+[Tt]hanh\s+tra|"
    r"[Tt]hầy\s+[Cc]ô\s+chủ\s+nhiệm|GVCN|[Pp]hụ\s+huynh|[Cc]ha\s+mẹ\s+học\s+sinh|"
    r"[Bb]ộ\s+trưởng|[Tt]hứ\s+trưởng|[Cc]ục\s+trưởng|[Vv]ụ\s+trưởng|[Đđ]ại\s+biểu|"
    r"[Nn]gười\s+đứng\s+đầu|[Tt]ổ\s+trưởng|[Tt]rưởng\s+(?:thôn|bản|ấp|khu\s+phố)|"
    r"[Tt]rưởng(?=\s+các\s))(?![\wÀ-ỹ])"
    r"|(?<![\wÀ-ỹ])[Cc]ác\s+đồng\s+chí(?:\s+(?:tham\s+)?dự(?:\s+(?:[Hh]ội\s+nghị|[Hh]ội\s+thảo|"
    r"[Tt]ập\s+huấn|lớp\s+tập\s+huấn))?)?(?![\wÀ-ỹ])"
    # people as a whole: "toàn thể giáo viên", "tất cả các đoàn viên", "các hội viên"
    r"|(?<![\wÀ-ỹ])(?:[Tt]oàn\s+thể|[Tt]ất\s+cả(?:\s+các)?|[Cc]ác)\s+"
    r"(?:[Gg]iáo\s+viên|[Cc]án\s+bộ|[Cc]ông\s+chức|[Vv]iên\s+chức|[Đđ]oàn\s+viên|[Hh]ội\s+viên|"
    r"[Đđ]ảng\s+viên|[Nn]hân\s+viên|[Nn]gười\s+lao\s+động|[Hh]ọc\s+sinh|[Ss]inh\s+viên|"
    r"[Gg]iảng\s+viên|[Hh]ọc\s+viên)"
    r"(?![\wÀ-ỹ])"
)
#: What a role's name goes on with: whose role it is ("Hiệu trưởng các trường", "Giám đốc
#: Sở Y tế", "Thủ trưởng cơ quan, đơn vị", "Cán bộ quản lý nhà trường"), not the verb
#: after it ("Hiệu trưởng đọc diễn văn").
ROLE_GOES_ON = re.compile(
    rf"\s+(?:các|tất\s+cả|\d{{1,3}}\s+(?=tổ|khu|thôn|bản|ấp|xã|phường)|[{UPPER}]|"
    r"(?:trường|nhà\s+trường|cơ\s+quan|đơn\s+vị|phòng|sở|ban|ngành|"
    r"cơ\s+sở|xã|phường|huyện|quận|tỉnh|thành\s+phố|thị\s+xã|thị\s+trấn|văn\s+xã|khối|lớp|"
    r"địa\s+phương|"
    r"doanh\s+nghiệp|"
    r"học\s+sinh)(?![\wÀ-ỹ]))"
)
#: A further role after a comma: "Hiệu trưởng, kế toán ...".
LISTED_ROLE = re.compile(
    r"(?:,|\s+và|\s*-)\s*(?:kế\s+toán|chuyên\s+viên|đảng\s+viên|giáo\s+viên|nhân\s+viên|"
    r"lãnh\s+đạo|phó\s+hiệu\s+trưởng|hiệu\s+trưởng|cán\s+bộ|viên\s+chức|công\s+chức|"
    r"người\s+lao\s+động|sinh\s+viên|học\s+sinh|học\s+viên|giảng\s+viên)(?![\wÀ-ỹ])",
    re.IGNORECASE,
)
CONNECTORS = {
    "và",
    "&",
    "-",
    "các",
    "huyện",
    "tỉnh",
    "xã",
    "thành",
    "phố",
    "thị",
    "trấn",
    "quận",
    "phường",
    "cấp",
}
STOP_WORDS = {
    "tổ",
    "khẩn",
    "tăng",
    "chỉ",
    "hướng",
    "rà",
    "kiểm",
    "xây",
    "triển",
    "thực",
    "theo",
    "tổng",
    "báo",
    "tham",
    "đề",
    "bố",
    "đảm",
    "bảo",
    "cử",
    "giao",
    "chịu",
    "có",
    "tiếp",
    "tập",
    "nghiên",
    "đẩy",
    "quán",
    "phổ",
    "tuyên",
    "lập",
    "cập",
    "nắm",
    "quản",
    "giám",
    "xử",
    "kịp",
    "thường",
    "chủ",
    "hoàn",
    "căn",
    "ban",
    "đôn",
    "ưu",
    "thẩm",
    "phê",
    "sắp",
    "duy",
    "nâng",
    "cấp",
    "lựa",
    "trình",
    "bổ",
    "mở",
    "thống",
    "đánh",
    "phối",
    "là",
    "được",
    "sẽ",
    "cần",
    "phải",
    "đã",
    "đang",
    "không",
    "mời",
    "gửi",
    "về",
    "để",
    "cho",
    "với",
    "tại",
    "trong",
    "trên",
    "của",
    "từ",
    "đến",
    "khi",
    "nếu",
    "thì",
    "này",
    "đó",
    "yêu",
    "phụ",
    "hỗ",
    "gương",
    "nộp",
    "nghiêm",
    "thông",
    "trân",
    "thanh",
    "chấp",
    "triệu",
    "chú",
    "đọc",
    # verbs that begin the rest of a sentence after a body's name
    "đón",
    "lắp",
    "xem",
    "làm",
    "đăng",
    "dừng",
    "hủy",
    "huỷ",
    "mua",
    "giải",
    "khảo",
    "tiến",
    "ứng",
    "sử",
    "hoãn",
    "thu",
    "rút",
    "treo",
    "chuẩn",
    "nghỉ",
    "lấy",
    "điền",
    "khắc",
    "nêu",
    "nhắc",
    "khen",
    "dựa",
    # the speaker's courtesy ("Văn phòng Chính phủ xin gửi ..."), and haste
    "xin",
    "nhanh",
    "sớm",
    "kính",
    "chưa",  # "các chi bộ chưa tổ chức đại hội"
    "sơ",  # "các chi bộ sơ kết"
    # first syllables of verbs common in directives, which no body's name goes on with in
    # lower case ("các đoàn viên tích cực", "các khoa trả lời", "Công đoàn ủng hộ")
    "phát",
    "tích",
    "trả",
    "họp",
    "giới",
    "quyên",
    "ủng",
    "thăm",
    "tặng",
    "trao",
    "tiêm",
    "nhập",
    "khai",
    "ghi",
    "soạn",
    "viết",
    "chọn",
    "giữ",
    "tránh",
    "mang",
    "vui",
    "gấp",
    "kiên",
    "chốt",
    "dọn",
    "ra",
    "góp",
    "tuân",
    "bám",
    "phấn",
    "nỗ",
    "duyệt",
    "xác",
    "cam",
    "sửa",
    "đưa",
    "áp",
    "cài",
    "tuần",  # "tuần tra"
    "trực",  # "trực cấp cứu", not "trực thuộc" (a group's tail, read first)
}
#: "phối hợp với", "phối hợp chặt chẽ với", "phối hợp hoạt động với", "phối hợp", and a
#: clause that opens with its partners ("Cùng với các trường ĐH, CĐ ... phối hợp xử lí").
COOPERATE = re.compile(
    r"(?:phối\s+hợp(?:(?:\s+[^\s,.;:()]+){0,2}?\s+với)?|làm\s+việc\s+với|"
    r"(?:^|[.;:]\s*|\n\s*(?:[-–+•]\s*)?)cùng\s+với)\s*$",
    re.IGNORECASE,
)
LEAD_AFTER = re.compile(r"^\s*,?\s*(?:chủ\s+trì|là\s+cơ\s+quan\s+chủ\s+trì)", re.IGNORECASE)
#: Verbs that give the name after them work: "đề nghị X", "giao X", "ủy quyền X".
ASSIGNING_WORDS = (
    r"đề\s+nghị|giao(?:\s+cho)?|yêu\s+cầu|(?:đồng\s+ý|chấp\s+thuận)(?:\s+việc)?|cho\s+phép|"
    r"kính\s+mời|[uủ][ỷy]\s+quyền(?:\s+cho)?|phân\s+công|"
    # "Thống nhất chủ trương cho Công ty ... tổ chức Hội chợ": allowed to, so asked to
    r"(?:thống\s+nhất|đồng\s+ý|chấp\s+thuận)(?:\s+chủ\s+trương)?\s+cho"
)
#: What an actor's mention may follow: a clause start or a verb of assignment.
#: Not after "chỉ đạo": in "UBND các huyện chỉ đạo Phòng GD&ĐT ...", the body directed
#: works under the one in charge, which is the actor. A dash counts only as a list mark,
#: at the start of a line ("Bộ Giáo dục và Đào tạo – Cục Khảo thí" is one issuer).
ACTOR_BEFORE = re.compile(
    rf"(?:^|[.;:]|(?:^|\n)\s*[-–+•]|(?i:{ASSIGNING_WORDS}))\s*"
    # "đề nghị các đồng chí Lãnh đạo ...", "giao các đơn vị Viện ..."
    r"(?:(?:các\s+)?[Đđ]ồng\s+chí\s+|các\s+(?:đơn\s+vị|cơ\s+quan)\s+)?$"
)
ISSUER_SPEAKING = re.compile(
    r"^\s*(?:,[^,.;:]{1,40},\s*)?(?:ban\s+hành|yêu\s+cầu|đề\s+nghị|kính\s+đề\s+nghị|giao\b|xin\b|trân\s+trọng|"
    r"truyền\s+đạt|gửi\s+(?:đến|tới)\s|"
    r"thông\s+báo|nhận\s+được|có\s+ý\s+kiến|chỉ\s+thị(?![\wÀ-ỹ])|"
    r"xây\s+dựng\s+(?:và\s+ban\s+hành\s+)?(?:Kế\s+hoạch|(?-i:Định\s+hướng|Chương\s+trình|Phương\s+án)))",
    re.IGNORECASE,
)
#: A recipient sent something to act on: "xin gửi bản chụp ... đến quý cơ quan để nghiên
#: cứu và có ý kiến", "gửi đến các cơ quan, đơn vị, địa phương phối hợp góp ý" (not "để
#: biết": for their information).
SENT_TO = re.compile(r"(?:đến|tới|cho)\s+$", re.IGNORECASE)
TO_ACT_ON = re.compile(
    r"^\s*(?:để\s+(?!biết(?![\wÀ-ỹ]))|(?:phối\s+hợp|góp\s+ý|tham\s+gia|nghiên\s+cứu)(?![\wÀ-ỹ]))",
    re.IGNORECASE,
)
#: An item headed by whom it is for: "1. Đối với các cơ quan, ban, ngành ...: Treo cờ".
FOR_HEAD = re.compile(r"(?:^|\n)\s*(?:[-–+•]\s*)?[Đđ]ối\s+với\s+$")
#: An assignment told, not made: "Trường hợp đơn vị đã tổ chức khắc dấu và giao cho Chi
#: cục", "Thông báo số 656 ... về việc phê duyệt ... và giao cho Báo Nông thôn Ngày nay".
NARRATED_ASSIGNING = re.compile(
    r"(?:\bđã|\bvề\s+việc)\s[^.;:]*?\b(?:giao|[uủ][ỷy]\s+quyền|phân\s+công)(?:\s+cho)?\s*$",
    re.IGNORECASE,
)
#: A past deed after a name: "Sở Giao thông vận tải đã dự thảo Quyết định ...".
NARRATED = re.compile(r"^\s*(?:đã|vừa)\s", re.IGNORECASE)
#: A name joined to the one before it: "Sở Y tế, Sở Tài chính và UBND các huyện".
LIST_JOIN = re.compile(r"^\s*(?:\([^()]{0,100}\))?\s*(?:,|và|cùng|với)\s*$")
NOT_ACTOR_BEFORE = re.compile(
    r"(?:của|theo|tại|đến|với|về|(?<!giao\s)(?<!quyền\s)(?<!trương\s)(?<!nhất\s)(?<!ý\s)"
    r"(?<!thuận\s)cho|gửi|qua|lên|trình|tham\s+mưu|"
    r"xin\s+ý\s+kiến|thuộc)\s+(?:Chủ\s+tịch\s+)?$|địa\s+(?:chỉ|điểm)\s*:\s*$|"
    # "về việc cho phép Công ty ...": the request's subject, not the request; "để đề nghị
    # Bộ ... tuyên dương": a purpose
    r"việc\s+(?:cho\s+phép|đồng\s+ý|giao|chấp\s+thuận)\s+$|để\s+đề\s+nghị\s+$",
    re.IGNORECASE,
)


#: Old and new placements of the tone mark: "Uỷ"/"Ủy", "Hoà"/"Hòa" (same length).
SPELLINGS = (
    ("uỷ", "ủy"),
    ("oà", "òa"),
    ("oá", "óa"),
    ("oả", "ỏa"),
    ("oã", "õa"),
    ("oạ", "ọa"),
    ("uý", "úy"),
    ("uỳ", "ùy"),
    ("uỵ", "ụy"),
)


def _unify_spelling(text: str) -> str:
    for old, new in SPELLINGS:
        text = text.replace(old, new)
    return text


def fold(text: str) -> str:
    """Case- and spelling-insensitive form for matching: Ủy/Uỷ, Hòa/Hoà."""
    text = unicodedata.normalize("NFC", squash(text)).casefold()
    return _unify_spelling(text)


@dataclass(frozen=True)
class Entry:
    code: str
    kind: str  # "agency", "group" or "addressees"
    name: str


@dataclass
class Gazetteer:
    """Names an agency or group may go by, for matching in text."""

    entries: dict[str, Entry] = field(default_factory=dict)
    #: Provinces the agencies belong to (folded), e.g. {"lai châu"}.
    home_provinces: set[str] = field(default_factory=set)
    _pattern: re.Pattern[str] | None = None

    def add(self, alias: str, entry: Entry) -> None:
        key = fold(alias)
        if key and key not in self.entries:
            self.entries[key] = entry
            self._pattern = None

    @classmethod
    def from_records(cls, agencies, groups) -> Gazetteer:
        """From (code, name, short_name, aliases) tuples of agencies and groups."""
        gazetteer = cls()
        for code, name, _short_name, aliases in groups:
            for alias in (name, *aliases):
                gazetteer.add(alias, Entry(code, "group", name))
        for code, name, short_name, aliases in agencies:
            for alias in (name, short_name, *aliases):
                gazetteer.add(alias, Entry(code, "agency", name))
            gazetteer.home_provinces.update(provinces_named(name))
        for phrase in ADDRESSEE_PHRASES:
            gazetteer.add(phrase, Entry("", "addressees", phrase))
        return gazetteer

    def pattern(self) -> re.Pattern[str]:
        """Every alias, the longest that fits, as one pattern built as a tree of words
        ("sở" then "y tế" or "tài chính" ...): a text is tried once per word, not once per
        alias."""
        if self._pattern is None:
            alternatives = _word_tree(self.entries) if self.entries else "(?!)"
            self._pattern = re.compile(rf"(?<![\wÀ-ỹ]){alternatives}(?![\wÀ-ỹ])")
        return self._pattern

    def lookup(self, text: str) -> Entry | None:
        return self.entries.get(fold(text))

    @property
    def has_agencies(self) -> bool:
        return any(entry.kind == "agency" for entry in self.entries.values())


def _word_tree(keys) -> str:
    """A pattern matching any of `keys` (words separated by one space; any spaces between
    them in the text), longer keys before their prefixes."""
    tree: dict = {}
    for key in keys:
        node = tree
        for word in key.split(" "):
            node = node.setdefault(word, {})
        node[""] = {}

    def branch(node: dict) -> str:
        words = sorted((word for word in node if word), key=len, reverse=True)
        return "(?:" + "|".join(re.escape(word) + rest(node[word]) for word in words) + ")"

    def rest(node: dict) -> str:
        if not any(node.keys() - {""}):
            return ""
        return rf"(?:\s+{branch(node)})" + ("?" if "" in node else "")

    return branch(tree)


PROVINCE = re.compile(
    r"\btỉnh\s+((?:[A-ZĐ][^\s,.;()]*)(?:\s+[A-ZĐ][^\s,.;()]*){0,3})", re.IGNORECASE
)


def provinces_named(text: str) -> set[str]:
    """Province names in a body's name: 'Ủy ban nhân dân tỉnh Lai Châu' -> {'lai châu'}."""
    found = set()
    for match in PROVINCE.finditer(text):
        words = match.group(1).split()
        if all(word[:1].isupper() for word in words):
            found.add(fold(match.group(1)))
    return found


@dataclass
class Mention:
    name: str
    start: int
    end: int
    entry: Entry | None


def mentions(text: str, gazetteer: Gazetteer) -> list[Mention]:
    """Agency names in `text`: known aliases first (longest wins), then unknown bodies."""
    folded = fold_keep_length(text)
    found: list[Mention] = []
    for match in gazetteer.pattern().finditer(folded):
        entry = gazetteer.lookup(match.group())
        end = match.end()
        elsewhere = ELSEWHERE.match(text, end) if entry and entry.kind == "agency" else None
        if elsewhere:
            place = elsewhere.group("place") or elsewhere.group("province")
            if fold(place) not in gazetteer.home_provinces:
                end, entry = elsewhere.end(), None  # "Sở Y tế tỉnh Bình Dương": not ours
        if entry and entry.kind == "agency" and EVERY_PLACE.match(text, end):
            end, entry = name_end(text, end), None  # "Sở GDĐT các tỉnh, thành phố": theirs
        qualified = QUALIFIED.match(text, end) if entry and entry.kind == "addressees" else None
        if entry and entry.kind == "addressees" and not qualified and entry.name.startswith("các"):
            listed = LISTED_UNIT.match(text, end)
            if listed and not LISTED_UNIT.match(text, name_end(text, end, plural=True)):
                # "các cơ quan, ban, ngành, đoàn thể chính trị - xã hội thành phố": a group
                # of its own, whose list goes on past the phrase
                end, entry = name_end(text, end, plural=True), None
        if qualified:  # "các đơn vị liên quan", "các cơ quan trực thuộc": a group of its own
            end, entry = qualified.end(), None
            if not qualified.group().endswith("quan"):  # "... liên quan" ends the name
                end = name_end(text, end, plural=True)
            elif whose := OF_BODY.match(text, end):  # "... liên quan của OCA"
                end = name_end(text, whose.end(), lower_words=False)
            elif local := LOCAL.match(text, end):  # "... liên quan tại địa phương"
                end = local.end()
        found.append(Mention(squash(text[match.start() : end]), match.start(), end, entry))
    known = len(found)  # in text order, not overlapping: one pointer finds the covering one
    cursor = 0
    unknown_end = 0
    for match in re.finditer(rf"(?<![\wÀ-ỹ]){HEAD}(?![\wÀ-ỹ])", text):
        while cursor < known and found[cursor].end <= match.start():
            cursor += 1
        if cursor < known and found[cursor].start <= match.start():
            continue
        if match.start() < unknown_end:
            continue  # "Ban Chỉ đạo" in "Văn phòng Ban Chỉ đạo quốc gia ..."
        head = match.group()
        if head.lower().endswith("trường") and re.match(r"\s+hợp(?![\wÀ-ỹ])", text[match.end() :]):
            continue  # "các trường hợp": cases, not schools
        following = text[match.end() : match.end() + 3].strip()[:1]
        if following == ":" and MEMBERS_START.match(text, match.end()):
            following = "A"  # "các Bộ: Công an, Tài chính, ...": the members follow
        acronym = head.upper() in ACRONYM_HEADS
        if " " not in head and not acronym and not (following.isupper() or following.isdigit()):
            continue  # "Báo cáo", "Hội nghị", "Ban hành": a word, not a body
        plural = acronym and bool(re.match(r"\s+các\s", text[match.end() : match.end() + 6]))
        end = name_end(text, match.end(), lower_words=not acronym or plural)
        if end - match.end() < 2 and " " not in head:
            continue
        housed = HOUSED_IN.match(text, end)  # "Ban Chỉ đạo 09 (Sở Tài chính)"
        if housed and not _short_form(head, housed.group()):
            end = housed.end()
        unknown_end = end
        found.append(Mention(squash(text[match.start() : end]), match.start(), end, None))
    for defined in _defined_acronyms(text):  # "Công đoàn Giáo dục (CĐGD) ..., CĐGD các tỉnh"
        for match in re.finditer(rf"(?<![\wÀ-ỹ(]){re.escape(defined)}(?![\wÀ-ỹ)])", text):
            if any(mention.start <= match.start() < mention.end for mention in found):
                continue
            end = name_end(text, match.end(), lower_words=False)
            found.append(Mention(squash(text[match.start() : end]), match.start(), end, None))
    for match in GROUP_AFTER_COOPERATE.finditer(text):  # "phối hợp với các liên chi hội ..."
        start = match.end()
        if ROLE.match(text, start) or any(m.start <= start < m.end for m in found):
            continue  # a role's ("các đồng chí tham dự ..."), or a name already found
        determiner = DETERMINER_START.match(text, start)
        assert determiner is not None  # the pattern looked ahead for it
        end = name_end(text, determiner.end(), plural=True)
        if end > determiner.end() + 2:  # not "các h" where a copy stops
            found.append(Mention(squash(text[start:end]), start, end, None))
    found.sort(key=lambda mention: mention.start)
    found = [
        mention
        for mention, following in zip(found, [*found[1:], None], strict=False)
        if not _apposed(text, mention, following)
    ]
    return _with_roles(text, [_with_organ(text, _with_determiner(text, m)) for m in found])


def _apposed(text: str, mention: Mention, following: Mention | None) -> bool:
    """The addressees' phrase set before the names it stands for: "các đơn vị" in "giao
    các đơn vị Viện Vệ sinh Dịch tễ Trung ương, Trường Đại học Y Hà Nội ..."."""
    return (
        following is not None
        and mention.entry is not None
        and mention.entry.kind == "addressees"
        and not text[mention.end : following.start].strip()
        and following.name[:1].isupper()
    )


#: A body's standing organ named before it: "Thường trực Ban Chỉ đạo Tây Nam Bộ", "Ban
#: Thường vụ Tỉnh đoàn".
ORGAN_BEFORE = re.compile(r"(?<![\wÀ-ỹ])(?:Ban\s+)?Thường\s+(?:trực|vụ)\s+$")


def _with_organ(text: str, mention: Mention) -> Mention:
    """The mention with the standing organ written before it, which is who acts."""
    organ = ORGAN_BEFORE.search(text, max(0, mention.start - 20), mention.start)
    if organ is None:
        return mention
    start = organ.start()
    return Mention(squash(text[start : mention.end]), start, mention.end, None)


#: A place after a body's name: "Sở Văn hóa, Thể thao và Du lịch tỉnh Bình Dương".
#: The provinces and centrally run cities, as a body's name may end with one.
PROVINCES = (
    "An Giang", "Bà Rịa - Vũng Tàu", "Bạc Liêu", "Bắc Giang", "Bắc Kạn", "Bắc Ninh",
    "Bến Tre", "Bình Dương", "Bình Định", "Bình Phước", "Bình Thuận", "Cà Mau", "Cao Bằng",
    "Cần Thơ", "Đà Nẵng", "Đắk Lắk", "Đắk Nông", "Điện Biên", "Đồng Nai", "Đồng Tháp",
    "Gia Lai", "Hà Giang", "Hà Nam", "Hà Nội", "Hà Tĩnh", "Hải Dương", "Hải Phòng",
    "Hậu Giang", "Hòa Bình", "Hưng Yên", "Khánh Hòa", "Kiên Giang", "Kon Tum", "Lai Châu",
    "Lạng Sơn", "Lào Cai", "Lâm Đồng", "Long An", "Nam Định", "Nghệ An", "Ninh Bình",
    "Ninh Thuận", "Phú Thọ", "Phú Yên", "Quảng Bình", "Quảng Nam", "Quảng Ngãi",
    "Quảng Ninh", "Quảng Trị", "Sóc Trăng", "Sơn La", "Tây Ninh", "Thái Bình",
    "Thái Nguyên", "Thanh Hóa", "Thừa Thiên Huế", "Huế", "Tiền Giang", "Trà Vinh",
    "Tuyên Quang", "Vĩnh Long", "Vĩnh Phúc", "Yên Bái", "Hồ Chí Minh",
)  # fmt: skip
ELSEWHERE = re.compile(
    r"\s+(?:(?:tỉnh|thành\s+phố|TP\.?)\s+(?P<place>[A-ZĐ][^\s,.;:()]*(?:\s+[A-ZĐ][^\s,.;:()]*){0,3})"
    r"|(?P<province>"
    + "|".join(re.escape(name).replace(r"\ ", r"\s+") for name in PROVINCES)
    + r")(?![\wÀ-ỹ]))"
)
#: Places in the plural after a body's name: "Sở GDĐT các tỉnh, thành phố ...".
EVERY_PLACE = re.compile(
    r"\s+các\s+(?:tỉnh|huyện|quận|thị\s+xã|thành\s+phố|xã|phường|địa\s+phương)\b"
)
#: What makes an addressees' phrase a narrower group: "các đơn vị liên quan", "các cơ quan,
#: địa phương liên quan".
QUALIFIED = re.compile(
    r"(?:,\s*(?:địa\s+phương|đơn\s+vị|cơ\s+quan|tổ\s+chức|doanh\s+nghiệp|cá\s+nhân))*"
    r"\s+(?:chức\s+năng\s+)?(?:có\s+)?liên\s+quan|\s+chức\s+năng|\s+trực\s+thuộc|\s+trường\s+học|"
    r"\s+thành\s+viên|"  # "các cơ quan thành viên Ban An toàn giao thông tỉnh"
    # "các đơn vị sử dụng lao động", "các đơn vị chủ rừng", "các đơn vị sự nghiệp công lập"
    r"\s+(?:sử\s+dụng\s+lao\s+động|chủ\s+rừng|sự\s+nghiệp(?:\s+công\s+lập)?)(?![\wÀ-ỹ])|"
    r"\s+(?:thôn|xóm|bản|tổ\s+dân\s+phố)(?![\wÀ-ỹ])|"
    r"\s+trong\s+(?:tỉnh|huyện|quận|thị\s+xã|thành\s+phố|xã|phường|ngành)(?![\wÀ-ỹ])|"
    r"\s+của\s+(?:[Tt]rung\s+ương|[Tt]ỉnh|[Tt]hành\s+phố|[Hh]uyện)|"
    rf"\s+(?:của|thuộc)(?=\s+{HEAD}\s+[{UPPER}])"  # "các đơn vị của Bộ Y tế"
)
#: Where a group's bodies are: "các ngành chức năng liên quan tại địa phương".
LOCAL = re.compile(
    r"\s+(?:tại\s+địa\s+phương|trên\s+địa\s+bàn(?:\s+(?:tỉnh|huyện|xã|phường|thành\s+phố))?)"
    r"(?![\wÀ-ỹ])"
)
#: Whose bodies a group is: "các cơ quan chức năng liên quan của OCA".
OF_BODY = re.compile(rf"\s+của\s+(?=[{UPPER}])")
#: A short parenthesis after a body's name naming the body that houses it.
HOUSED_IN = re.compile(rf"\s*\((?:(?={HEAD}\s)|hoặc\s)[^()]{{3,40}}\)")


def _short_form(head: str, bracket: str) -> bool:
    """The bracket after a body's name is the short name the text gives it, not the body
    that houses it: "BHXH các tỉnh, thành phố (BHXH tỉnh)", "Ban Chỉ đạo ... các tỉnh (Ban
    Chỉ đạo Đại hội cấp tỉnh)"."""
    return bracket.strip(" (").startswith(head)


#: An abbreviation a document defines for a body: "Công đoàn Giáo dục (CĐGD) Việt Nam".
DEFINED = re.compile(rf"\((?P<acronym>[{UPPER}][{UPPER}&]{{1,7}})\)")


def _defined_acronyms(text: str) -> set[str]:
    """Abbreviations the text defines right after a body's name, whose initial they share."""
    found = set()
    for match in DEFINED.finditer(text):
        acronym = match.group("acronym")
        before = text[max(0, match.start() - 80) : match.start()]
        heads = list(re.finditer(rf"(?<![\wÀ-ỹ]){HEAD}(?![\wÀ-ỹ])", before))
        if heads and heads[-1].group()[0].upper() == acronym[0] and acronym not in HEAD_WORDS:
            found.add(acronym)
    return found


#: What "các" may name that is no one: "yêu cầu các trường hợp vắng ...", "các nội dung".
NOT_BODIES = (
    r"trường\s+hợp", r"nội\s+dung", r"quy\s+định", r"văn\s+bản", r"hoạt\s+động",
    r"biện\s+pháp", r"giải\s+pháp", r"nhiệm\s+vụ", r"chỉ\s+tiêu", r"tiêu\s+chí", r"hồ\s+sơ",
    r"thủ\s+tục", r"chương\s+trình", r"kế\s+hoạch", r"thông\s+tin", r"ý\s+kiến",
    r"người\s+dân", r"công\s+dân",
)  # fmt: skip
#: Whoever one co-operates with, named as a group: "phối hợp với các liên chi hội sinh viên".
GROUP_AFTER_COOPERATE = re.compile(
    r"(?:phối\s+hợp(?:\s+chặt\s+chẽ)?\s+với|đề\s+nghị|yêu\s+cầu|giao(?:\s+cho)?|kính\s+mời|,|và)"
    r"\s+(?=(?:tất\s+cả\s+)?(?:các|mỗi)\s+(?!" + "|".join(NOT_BODIES) + r")[^\W\d])",
    re.IGNORECASE,
)
DETERMINER_START = re.compile(r"(?:tất\s+cả\s+)?(?:các|mỗi)", re.IGNORECASE)
#: "các" (all the) or "mỗi" (each) before a body's name makes it the group of such bodies:
#: "đề nghị các Sở Giáo dục và Đào tạo báo cáo", "mỗi Phòng GD&ĐT chọn ...".
EVERY = re.compile(r"(?<![\wÀ-ỹ])tất\s+cả\s+$", re.IGNORECASE)
DETERMINER = re.compile(r"(?<![\wÀ-ỹ])(?:tất\s+cả\s+)?(?:các|mỗi)\s+$", re.IGNORECASE)


def _with_determiner(text: str, mention: Mention) -> Mention:
    """The mention with its "các": a group as written, even of a known agency's name."""
    known_group = mention.entry is not None and mention.entry.kind != "agency"
    if known_group:
        return mention
    if mention.name[:3].lower() == "các":  # "tất cả các đơn vị"
        everything = EVERY.search(text, max(0, mention.start - 10), mention.start)
        if everything is None:
            return mention
        start = everything.start()
        return Mention(squash(text[start : mention.end]), start, mention.end, mention.entry)
    determiner = DETERMINER.search(text, max(0, mention.start - 16), mention.start)
    if determiner is None:
        return mention
    start = determiner.start()
    return Mention(squash(text[start : mention.end]), start, mention.end, None)


#: "đồng chí" before a role, left out of its name (not before a person's name).
HONORIFIC = re.compile(r"(?:[Cc]ác\s+)?[Đđ]ồng\s+chí\s+")
#: The entry of a role's mention: kept as written, with its kind.
ROLE_ENTRY = Entry("", "role", "")


def _with_roles(text: str, found: list[Mention]) -> list[Mention]:
    """`found` and the roles outside its names, in text order."""
    roles: list[Mention] = []
    for match in ROLE.finditer(text):
        if any(mention.start <= match.start() < mention.end for mention in found):
            continue
        if text[match.end() : match.end() + 3].lstrip().startswith(":"):
            continue  # "Giao Giám đốc: Sở ..., Sở ...": the bodies that follow act
        if roles and match.start() < roles[-1].end:
            continue
        end = match.end()
        while listed := LISTED_ROLE.match(text, end):
            end = listed.end()
        body = next((m for m in found if m.start >= end), None)
        named = body is not None and not (body.entry and body.entry.kind == "addressees")
        between = text[end : body.start].strip() if body is not None else "-"
        if body is not None and named and between in ("", "trong", "của"):
            end = body.end  # "Chủ tịch UBND tỉnh", "Các thành viên trong Ban Quản lý ..."
        elif ROLE_GOES_ON.match(text, end):  # "Hiệu trưởng các trường ...", not "... đọc"
            end = name_end(text, end)
        start = match.start()
        honorific = HONORIFIC.match(text, start)
        if honorific and end > match.end():
            # "đồng chí Giám đốc Công an thành phố": the role of a body, as readers write
            # it ("đồng chí Hiệu trưởng", of no body named, stays as written)
            start = honorific.end()
        roles.append(Mention(squash(text[start:end]), start, end, ROLE_ENTRY))
    persons: list[Mention] = []
    for match in PERSON.finditer(text):
        if any(m.start <= match.start() < m.end for m in roles):
            continue
        role = next((m for m in roles if m.start == match.end("title")), None)
        end = role.end if role else match.end("name")
        persons.append(Mention(squash(text[match.start() : end]), match.start(), end, ROLE_ENTRY))
    roles = [r for r in roles if not any(p.start <= r.start < p.end for p in persons)]
    return sorted(found + roles + persons, key=lambda mention: mention.start)


#: A person by name, with the title that follows: "đồng chí Đồng Văn Thanh, Phó Chủ tịch
#: Thường trực UBND tỉnh", "ông Nguyễn Văn A".
PERSON = re.compile(
    rf"(?<![\wÀ-ỹ])(?:[Đđ]ồng\s+chí|đ/c|Đ/c|[Ôô]ng|[Bb]à)\s+"
    rf"(?P<name>[{UPPER}][\wÀ-ỹ]*(?:\s+[{UPPER}][\wÀ-ỹ]*){{1,4}})(?P<title>\s*,\s*)?"
)


def fold_keep_length(text: str) -> str:
    folded = text.casefold()
    if len(folded) != len(text):  # a rare letter that grows when folded
        folded = text.lower()
    return _unify_spelling(folded)


TOKEN = re.compile(r"(\s*)([^\s,;.:()]+)")
#: Lower-case words that end a run of lower-case words in a name ("tổ chức", "thông báo").
LOWER_STOP = STOP_WORDS | {
    "thông",
    "cân",
    "tạm",
    "hoàn",
    "là",
    "chỉ",
    "đôn",
    "cùng",
    "tạo",
    "quan",
    "vận",
    "phân",
    "bàn",
    "nhận",
}


#: Administrative units a group's name lists with commas: "UBND các huyện, thị xã, thành
#: phố", "các sở, ban, ngành", "UBND các xã, phường, thị trấn", "UBND quận, huyện".
LISTED_UNIT = re.compile(
    r",\s*(?:thị\s+xã|thành\s+phố|TP|huyện|quận|phường|xã|thị\s+trấn|thị|tỉnh|"
    r"ban(?=\s*(?:,|và|ngành|Ngành|$))|ngành|"  # not ", Ban điều hành ...": another body
    r"đoàn\s+thể|hội|đơn\s+vị|địa\s+phương|cơ\s+quan|khoa|bộ\s+môn|trung\s+tâm|các\s+cấp|"
    r"cơ\s+sở|cá\s+nhân|doanh\s+nghiệp|liên\s+chi\s+đoàn|chi\s+đoàn|viện|phòng|trạm|"
    r"(?-i:chi\s+bộ|đảng\s+bộ|câu\s+lạc\s+bộ|đội|nhóm))"  # lower case: not "Đội Trật tự ..."
    r"(?![\wÀ-ỹ])",
    re.IGNORECASE,
)
#: What a group's name may end with: "UBND các tỉnh, thành phố trực thuộc Trung ương".
GROUP_TAIL = re.compile(
    r"\s+(?:trực\s+thuộc(?:\s+(?:Trung\s+ương|trung\s+ương|Sở|sở|tỉnh|UBND\s+tỉnh|"
    r"[Nn]hà\s+trường|[Tt]rường))?|"
    r"trong\s+cả\s+nước|trong\s+toàn\s+(?:tỉnh|huyện|quận|thị\s+xã|thành\s+phố)|tại\s+địa\s+phương|"
    r"trên\s+(?:địa\s+bàn|toàn)"
    r"(?:\s+(?:[Tt]ỉnh|[Tt]hành\s+phố|[Hh]uyện|[Qq]uận|[Tt]hị\s+xã|[Xx]ã|[Pp]hường))?|"
    r"của\s+(?:[Tt]ỉnh|[Tt]hành\s+phố|[Hh]uyện|[Qq]uận|[Tt]hị\s+xã))"
    r"(?![\wÀ-ỹ])"
)
#: Where a body of the centre is: "Thủ trưởng cơ quan Trung ương đóng trên địa bàn".
LOCATED = re.compile(
    r"\s+đóng\s+trên\s+địa\s+bàn(?:\s+(?:tỉnh|thành\s+phố|huyện|quận))?(?![\wÀ-ỹ])"
)
#: Words after which a line break may cut a proper name in two ("tỉnh" / "Lai Châu").
PLACE_WORDS = {"tỉnh", "huyện", "phố", "xã", "quận", "phường", "trấn"}
PLURAL_HEAD = re.compile(r"(?<![\wÀ-ỹ])các(?:\s+[^\s,;.:()]+){1,3}\s*$", re.IGNORECASE)
PHONG_CHONG = re.compile(r",\s*chống(?![\wÀ-ỹ])")
#: "Sở Văn hóa, Thể thao ...", its typo "Thế thao", "Trung tâm Văn hóa, Thông tin ...".
THE_THAO = re.compile(r",\s*(?:[Tt]h[ểế]\s+thao|[Tt]hông\s+tin)(?![\wÀ-ỹ])")
#: School levels and such, listed after a body's plural: "các trường MN, TH, THCS".
ACRONYM = re.compile(r"[A-ZĐ][A-ZĐ&]{1,7}")
LISTED_ACRONYM = re.compile(r",\s*(?!UBND|HĐND|UBMTTQ)[A-ZĐ][A-ZĐ&]{1,7}(?![\wÀ-ỹ])")
#: The last word of a unit that such a list continues after.
UNIT_ENDS = {
    "phòng",
    "bộ",
    "khoa",
    "môn",
    "tỉnh",
    "thị",
    "huyện",
    "quận",
    "xã",
    "phường",
    "trấn",
    "phố",
    "sở",
    "ban",
    "ngành",
    "thể",
    "hội",
    "vị",
    "phương",
    "quan",
    "chức",  # "các tổ chức, cá nhân"
    "nghiệp",  # "doanh nghiệp, cơ sở sản xuất kinh doanh"
    "viện",  # "các Đoàn viện, liên chi đoàn, chi đoàn"
    "đoàn",
    "nhóm",  # "các chi đoàn, câu lạc bộ, đội, nhóm"
    "đội",
    "phận",  # "các Đảng bộ bộ phận, chi bộ"
}
#: A ministry's divisions listed together: "Các Vụ, Cục, đơn vị thuộc Tổng cục Thuế".
LISTED_DIVISION = re.compile(r",\s*(?:Vụ|Cục|Chi\s+cục|đơn\s+vị)(?![\wÀ-ỹ])")
#: Where a name goes on past a comma: (does the word before allow it, what may follow).
COMMA_CONTINUATIONS: tuple[tuple[Callable[[str], object], re.Pattern[str]], ...] = (
    (lambda word: word.lower() in UNIT_ENDS, LISTED_UNIT),  # "UBND các huyện, thành phố"
    (lambda word: word.lower() == "phòng", PHONG_CHONG),  # "Ban chỉ đạo phòng, chống dịch"
    (lambda word: word.lower() in ("hóa", "hoá"), THE_THAO),  # "Sở Văn hóa, Thể thao ..."
    (ACRONYM.fullmatch, LISTED_ACRONYM),  # "các trường MN, TH, THCS"
    (ACRONYM.fullmatch, LISTED_UNIT),  # "các trường MN, TH, THCS, đơn vị trực thuộc"
    (lambda word: word in ("Vụ", "Cục"), LISTED_DIVISION),  # "Các Vụ, Cục, đơn vị thuộc ..."
)


def _comma_continues(text: str, position: int, last_word: str) -> re.Match[str] | None:
    """The comma and what follows it at `position`, when they go on the name whose last
    word is `last_word`."""
    for allows, pattern in COMMA_CONTINUATIONS:
        if allows(last_word):
            found = pattern.match(text, position)
            if found:
                return found
    return None


#: A group's members named after a colon, and each further one after a comma.
MEMBERS_START = re.compile(
    rf":[^\S\n]*(?=[{UPPER}][^\s,.;:]*(?:[^\S\n]+[^\s,.;:]+){{0,4}}\s*,\s*[{UPPER}])"
)
NAMED_MEMBERS = re.compile(rf",[^\S\n]*(?=[{UPPER}])")
#: Two syllables of a body's name whose second is also a verb's first: "Sở Nông nghiệp
#: và Phát triển nông thôn", "Sở Xây dựng", "Trung tâm Kiểm soát bệnh tật".
NAME_COMPOUNDS = {
    ("thường", "trực"),  # "Ban Thường trực"
    ("viện", "nghiên"),  # "Viện nghiên cứu"
    ("phát", "triển"),
    ("xây", "dựng"),
    ("kiểm", "soát"),
    ("kiểm", "tra"),
    ("quản", "lý"),
    ("thẩm", "định"),
    ("tổ", "chức"),
    ("tuyên", "giáo"),
    ("bảo", "hiểm"),
    ("bảo", "vệ"),
    ("phòng", "chống"),
    ("giao", "thông"),
    ("truyền", "thông"),
    ("ủy", "ban"),
    ("uỷ", "ban"),
    ("đào", "tạo"),
    ("ngoại", "giao"),
    ("chương", "trình"),
    ("đoàn", "thanh"),
    ("phát", "thanh"),
    ("truyền", "thanh"),
    ("thông", "vận"),
    ("vận", "tải"),
    ("đầu", "tư"),
    ("cơ", "quan"),
    ("liên", "quan"),
    ("hải", "quan"),
    ("khảo", "thí"),
    ("tra", "xây"),  # "Thanh tra xây dựng"
    ("biên", "tập"),  # "Ban Biên tập"
    ("tiến", "bộ"),
    ("công", "trình"),  # "Ban Quản lý công trình công cộng"
    ("dục", "thường"),  # "Trung tâm Giáo dục thường xuyên"
    ("cung", "ứng"),  # "Trung tâm Cung ứng dịch vụ công"
    ("toàn", "giao"),  # "Ban An toàn giao thông"
}
#: Syllables that begin a verb only with the one after them: "tổ chức" (but "các tổ dân
#: phố"), "động viên" (but "hoạt động"), "truyền đạt" (but "Truyền thông"), "thành lập"
#: (but "thành phố").
VERB_COMPOUNDS = {
    "tổ": "chức",
    "động": "viên",
    "truyền": "đạt",
    "thành": "lập",
    "cung": "cấp",  # but "Trung tâm Cung ứng dịch vụ công"
    "đóng": "góp",  # "các Sở đóng góp ý kiến", but "đóng trên địa bàn"
    "quan": "tâm",  # "các đơn vị trực thuộc Bộ quan tâm thực hiện"
}


def _verb_starts(word: str, text: str, position: int) -> bool:
    """`word` at `position` begins one of VERB_COMPOUNDS."""
    second = VERB_COMPOUNDS.get(word)
    return bool(second and re.match(rf"\s+{second}(?![\wÀ-ỹ])", text[position:]))


#: "nhân dân" ending a body's name: "Công an nhân dân", "Tòa án nhân dân", "Viện kiểm sát
#: nhân dân", "Quân đội nhân dân", after the word before it.
PEOPLES = re.compile(r"\s+nhân\s+dân(?![\wÀ-ỹ])")
PEOPLES_AFTER = {"an", "án", "sát", "đội", "đồng"}
#: "thành" goes on a name as "thành phố" only.
CITY = re.compile(r"\s+phố(?![\wÀ-ỹ])")
#: The level after "cấp" in a name: "UBND cấp huyện", "Công đoàn cấp trên trực tiếp cơ
#: sở".
LEVEL = re.compile(
    r"\s+(?:trên(?:\s+trực\s+tiếp)?(?:\s+cơ\s+sở)?|dưới|cơ\s+sở|tỉnh|huyện|xã|quận|phường|"
    r"thành\s+phố|thị\s+xã|thị\s+trấn|trung\s+ương|bộ|sở|ngành|trường|thôn|bản)(?![\wÀ-ỹ])",
    re.IGNORECASE,
)
#: How far before a name's end the words that shape it are looked for.
NAME_WINDOW = 120
#: People after "và", apart from the bodies before: "các cơ quan, công sở và hộ gia đình".
HOUSEHOLDS = re.compile(r"\s+(?:hộ\s+gia\s+đình|hộ\s+dân|nhân\s+dân|người\s+dân)(?![\wÀ-ỹ])")
#: Words a name never ends with: "Ủy ban MTTQ tỉnh và" is "Ủy ban MTTQ tỉnh".
DANGLING = {"và", "&", "-", "các", "cùng", "với"}


def name_end(text: str, position: int, *, lower_words: bool = True, plural: bool = False) -> int:
    """Extend a body's name over its capitalised syllables and their tails ("Sở Thông tin
    và Truyền thông", "Sở Nông nghiệp và Phát triển nông thôn"), then, with
    `lower_words`, over lower-case words until a verb or preposition begins the rest of
    the sentence ("Ban quản lý dự án ... chỉ đạo"). Punctuation ends the name ("Sở Y
    tế, Sở Tài chính" are two), but for the units a group lists ("UBND các huyện, thành
    phố"). A line break ends it before a capitalised word (the item's text begins:
    "1. Phòng GD&ĐT" / "Xây dựng ..."), unless a connector asks for more ("và")."""
    end = position
    previous_capital = False
    window = text[max(0, position - NAME_WINDOW) : position]  # not the whole text before it
    before = re.search(r"(\S+)\s*$", window)
    last_word = before.group(1) if before else ""
    plural = plural or last_word.lower() == "các" or bool(PLURAL_HEAD.search(window))
    ends: list[tuple[int, str]] = []
    listing = False
    for _count in range(40):
        tail = (GROUP_TAIL if plural else LOCATED).match(text, end)
        if tail:
            end = tail.end()
            ends.append((end, tail.group().split()[-1].lower()))
            break
        peoples = PEOPLES.match(text, end) if last_word.lower() in PEOPLES_AFTER else None
        if peoples:  # "BHXH Công an nhân dân"
            end, last_word = peoples.end(), "dân"
            ends.append((end, "dân"))
            continue
        listed = _comma_continues(text, end, last_word)
        if plural and not listed:  # "các Bộ: Công an, Tài chính, ..., Nông nghiệp và Môi trường"
            listed = (NAMED_MEMBERS if listing else MEMBERS_START).match(text, end)
            listing = listing or bool(listed)
        if listed:
            end = listed.end()
            plural = True  # units listed are a group: "Phòng, Trạm trực thuộc"
            previous_capital = False
            last_word = listed.group().split()[-1]
            ends.append((end, last_word.lower()))
            continue
        match = TOKEN.match(text, end)
        if match is None or "\n\n" in match.group(1):
            break
        word = match.group(2)
        if "\n" in match.group(1) and word[:1] in "-+•–":
            break  # a list item begins on the next line
        lower = word.lower()
        if "\n" in match.group(1) and word[:1].isupper() and last_word:
            wraps = last_word.lower() in ("và", "&", "-") or (
                last_word.lower() in PLACE_WORDS and not plural
            )  # "Ủy ban nhân dân tỉnh" / "Lai Châu"; not "UBND các huyện, thành phố" / "Phối"
            if not wraps:
                break
        if word[:1].isupper():
            # A syllable like "Thông" takes a lower-case tail ("tin"); an acronym does not.
            previous_capital = len(word) == 1 or not word.isupper()
        elif (
            lower == "và"
            and last_word.upper() != "HĐND"  # "Văn phòng HĐND và UBND"
            and (
                re.match(rf"\s*(?:{HEAD}|(?:tất\s+cả\s+)?các)(?![\wÀ-ỹ])", text[match.end() :])
                or ROLE.match(text[match.end() :].lstrip())
                or HOUSEHOLDS.match(text, match.end())
            )
        ):
            break  # "Các sở, ban, ngành và UBND các huyện", "Sở Y tế và các đơn vị", "Thủ
            # trưởng các cơ quan, đơn vị và lãnh đạo địa phương", "... công sở và hộ gia đình"
        elif lower == "cấp" and last_word.lower() != "các":  # not "các cấp ủy đảng"
            level = LEVEL.match(text, match.end())
            if level is None:
                break  # "BHXH tỉnh cấp đĩa CD": the verb "to issue"
            end, last_word, previous_capital = level.end(), level.group().split()[-1], False
            ends.append((end, last_word.lower()))
            continue
        elif all(part in CONNECTORS for part in lower.split("/")) and not (
            lower == "thành" and not CITY.match(text, match.end())  # "... thị xã thành lập"
        ):
            previous_capital = False  # "UBND các tỉnh/thành phố"
        elif word.isdigit() and last_word.lower() in PLACE_WORDS:
            previous_capital = False  # "UBND quận 7", "phường 3"
        elif (
            previous_capital
            and (lower not in STOP_WORDS or (last_word.lower(), lower) in NAME_COMPOUNDS)
            and not _verb_starts(lower, text, match.end())
            and not NAME_BOUNDARY.match(" " + text[match.start(2) :])
        ):
            previous_capital = False
        elif (
            lower_words
            and (
                (lower not in LOWER_STOP and not _verb_starts(lower, text, match.end()))
                or (last_word.lower(), lower) in NAME_COMPOUNDS
                or (lower in VERB_COMPOUNDS and not _verb_starts(lower, text, match.end()))
            )
            and not NAME_BOUNDARY.match(" " + text[match.start(2) :])
        ):
            previous_capital = False
        else:
            break
        end = match.end()
        last_word = word
        plural = plural or lower == "các"
        ends.append((end, lower))
    while ends and ends[-1][1] in DANGLING:
        ends.pop()
    return ends[-1][0] if ends else position


#: Words after which a body's name cannot go on (in a report's addressee).
NAME_BOUNDARY = re.compile(
    r"\s+(?:trước|chậm\s+nhất|để|theo|vào|qua|trong|hằng|hàng|định\s+kỳ|(?-i:tổng\s+hợp)|kèm|bằng|"
    r"đúng|xong|cùng|và\s+gửi|trực\s+tiếp|thông\s+qua|trên|tại|khi|sau|từ|đối\s+với|"
    r"chủ\s+trì|phối\s+hợp|có\s+trách\s+nhiệm|thực\s+hiện|liên\s+hệ|"
    r"đề\s+(?:nghị|xuất|hoàn\s+chỉnh|tổng\s+hợp)|"  # and "để" typed "đề": "đề hoàn chỉnh"
    r"dự\s+(?:họp|hội\s+nghị|lễ))\b",
    re.IGNORECASE,
)


def clause_start(text: str, position: int) -> int:
    """Where the clause that `position` is in begins: after ".", ";", ":" or a paragraph."""
    return sentence_start(text, position, (".", ";", ":", "\n\n"))


def _in_brackets(text: str, position: int) -> bool:
    """`position` is inside a bracket opened in its sentence and not closed before it."""
    opened = text.rfind("(", 0, position)
    return opened > max(text.rfind(")", 0, position), text.rfind(".", 0, position))


WORD = re.compile(r"[^\s,;.:()\-–&]+")
#: Words an acronym's letters skip: "GDĐT" is "Giáo dục và Đào tạo".
ACRONYM_SKIPS = {"và", "&"}


def same_actor(one: str, other: str) -> bool:
    """Whether two names are one body written two ways: "Thành viên Ban Chỉ đạo CSSKND
    huyện" and "thành viên Ban Chỉ đạo Chăm sóc sức khỏe nhân dân huyện", "Sở GDĐT" and
    "Sở Giáo dục và Đào tạo", "UBND" and "Ủy ban nhân dân" (an acronym stands for the
    words whose initials it spells)."""
    first, second = _words(one), _words(other)
    return _spell(first, second) or _spell(second, first)


def _words(name: str) -> list[str]:
    text = fold(name).replace("ủy ban nhân dân", "ubnd").replace("hội đồng nhân dân", "hđnd")
    return [word for word in WORD.findall(text)]


def _spell(short: list[str], long: list[str]) -> bool:
    """`short` matches `long` word for word, an acronym of `short` standing for as many
    words of `long` as it has letters."""
    i = j = 0
    while i < len(short) and j < len(long):
        if short[i] == long[j]:
            i, j = i + 1, j + 1
            continue
        letters, k = short[i], j
        while letters and k < len(long):
            if long[k] in ACRONYM_SKIPS:
                k += 1
            elif long[k][0] == letters[0]:
                letters, k = letters[1:], k + 1
            else:
                break
        if letters or k - j < 2:
            return False
        i, j = i + 1, k
    return i == len(short) and j == len(long)


def _begins(short: str, long: str) -> bool:
    """`long` is `short` with its unit of place: "đại biểu hđnd tỉnh" and "đại biểu hđnd" (not
    "sở y tế tỉnh bình dương", another province's)."""
    return long.startswith(short + " ") and long[len(short) + 1 :] in PLACE_UNITS


#: A unit of place named without its name ("tỉnh", "thành phố").
PLACE_UNITS = {"tỉnh", "huyện", "xã", "phường", "quận", "thành phố", "thị xã", "thị trấn"}


def _one_name(name: str) -> str:
    """A name's words as one key for its repetitions: "Chủ tịch Ủy ban nhân dân các quận,
    huyện" and, further on, "Chủ tịch UBND quận, huyện"; "toàn thể giáo viên", then "các
    giáo viên"; "Chủ tịch UBND 36 phường, xã", then "Chủ tịch UBND các phường, xã"."""
    words = " ".join(_words(name))
    return re.sub(r"^(?:tòan thể |tất cả )|(?<![\wÀ-ỹ])các |(?<=ubnd )\d+ ", "", words) or fold(
        name
    )


def heads_the_addressees(name: str) -> bool:
    """`name` is a role over the bodies an addressing phrase stands for: "Người đứng đầu
    cơ quan, đơn vị, địa phương", "Thủ trưởng các cơ quan, đơn vị"."""
    role = ROLE.match(name)
    if role is None:
        return False
    bodies = re.sub(r"^\s*(?:các\s+)?", "", fold(name[role.end() :]))
    return any(bodies == re.sub(r"^các\s+", "", phrase) for phrase in ADDRESSEE_PHRASES)


def kind_of(name: str) -> str:
    """The kind of a name no list knows: a "group" of bodies ("Các sở, ban, ngành", "UBND
    các huyện, thành phố"), else an "agency"."""
    return "group" if re.search(r"(?<![\wÀ-ỹ])các(?![\wÀ-ỹ])", name, re.IGNORECASE) else "agency"


#: A line this short before a line break is a heading, not running text that wraps.
HEADING_LINE = 50
#: An item's title line may be longer, if well short of the item's other lines.
ITEM_TITLE_LINE = 100
TITLE_SHARE = 0.75


#: A sentence that opens on its grounds or purpose, its subject after the comma:
#: "Căn cứ nội dung Kế hoạch, phòng GD&ĐT các huyện ... chủ động lập dự toán".
INTRODUCTION = re.compile(r"\s*(?:Căn\s+cứ|Trên\s+cơ\s+sở|Để|Nhằm)\s[^.;:]{0,300},\s*$")


def _introduced(text: str, position: int) -> int | None:
    """Where the sentence begins when `position` follows its grounds or purpose."""
    sentence = max(text.rfind(stop, 0, position) for stop in (".", ";", ":", "\n\n")) + 1
    return sentence if INTRODUCTION.match(text[sentence:position]) else None


def _after_heading(text: str, position: int) -> bool:
    """`position` begins a line that follows a short heading line ("2. Thành phần tham
    dự" / "Lãnh đạo, chuyên viên ..."), not a line of wrapped prose."""
    line_start = text.rfind("\n", 0, position) + 1
    if line_start == 0 or text[line_start:position].strip():
        return False
    previous_start = text.rfind("\n", 0, line_start - 1) + 1
    previous = text[previous_start : line_start - 1].strip()
    if previous_start == 0 and 0 < len(previous) <= ITEM_TITLE_LINE:
        # an item's title line, well short of the lines of its text ("2. Hoàn thiện hồ sơ,
        # tập hợp sản phẩm dự thi cấp Thành phố" / "Ban tổ chức cấp cơ sở tập hợp ...")
        longest = max(len(line.strip()) for line in text.split("\n"))
        if len(previous) <= TITLE_SHARE * longest:
            return True
    return 0 < len(previous) <= HEADING_LINE


#: A verb that gives the name after it work: "đề nghị X", "giao X", "yêu cầu X".
ASSIGNING = re.compile(rf"(?:{ASSIGNING_WORDS})\s*$", re.IGNORECASE)
#: "chỉ đạo <a body> ... phối hợp với" in one clause: the body directed co-operates (not
#: "tập trung chỉ đạo và phối hợp các sở, ban, ngành": the subject does both).
DIRECTED = re.compile(r"chỉ\s+đạo\s+(?!và\s)[^,.;:()]*phối\s+hợp[^,.;:()]*$", re.IGNORECASE)
#: A body's standing organ, which speaks for it: "Ban Thường trực Ủy ban MTTQ ...".
STANDING_ORGAN = re.compile(r"(?:Ban\s+)?Thường\s+(?:trực|vụ)\s+", re.IGNORECASE)


#: The head of a body, who speaks for it: "Chủ tịch UBND tỉnh" in the province's letter.
HEAD_OF = re.compile(
    r"(?:Chủ\s+tịch|Giám\s+đốc|Bộ\s+trưởng|Trưởng\s+ban|Trưởng\s+phòng|Hiệu\s+trưởng|"
    r"Cục\s+trưởng|Vụ\s+trưởng|Bí\s+thư|Thủ\s+trưởng)\s+",
    re.IGNORECASE,
)


def _issuing(name: str, issuers: tuple[str, ...]) -> bool:
    """`name` is one of the document's issuers, its standing organ or its head; the issuer
    may be named without its place ("UBND xã" in a letter of "UBND XÃ ĐỨC HỢP")."""
    organ = STANDING_ORGAN.match(name) or HEAD_OF.match(name)
    names = (name, name[organ.end() :]) if organ else (name,)
    forms = [form for issuer in issuers if issuer for form in (issuer, _without_place(issuer))]
    if any(same_actor(one, form) for one in names for form in forms if form):
        return True
    # "Trung ương Hội Nông dân Việt Nam" in a letter of "HỘI NÔNG DÂN VIỆT NAM / BAN CHẤP
    # HÀNH TRUNG ƯƠNG": the association's central committee, which is the issuer
    central = CENTRAL_OF.match(name)
    return bool(
        central
        and any(issuer and CENTRAL.search(issuer) for issuer in issuers)
        and any(same_actor(name[central.end() :], form) for form in forms if form)
    )


#: A mass organisation's central committee named by its organisation: "Trung ương Đoàn
#: ...", "Ban Chấp hành Trung ương Hội ...".
CENTRAL_OF = re.compile(r"(?:Ban\s+chấp\s+hành\s+)?Trung\s+ương\s+", re.IGNORECASE)
CENTRAL = re.compile(r"TRUNG\s+ƯƠNG|Trung\s+ương")


#: An issuer's name up to its unit of place: "ỦY BAN NHÂN DÂN XÃ" of "... XÃ ĐỨC HỢP".
UNIT_AND_PLACE = re.compile(
    r"^(?P<unit>.*?(?:tỉnh|huyện|xã|quận|phường|thị\s+trấn|thị\s+xã|thành\s+phố))\s+\S.*$",
    re.IGNORECASE,
)


def _without_place(issuer: str) -> str | None:
    found = UNIT_AND_PLACE.match(squash(issuer))
    return found.group("unit") if found else None


#: People named for what they are: "Cán bộ - giáo viên", "Nhân viên y tế".
PEOPLE = (
    r"cán\s+bộ|công\s+chức|viên\s+chức|người\s+lao\s+động|giáo\s+viên|nhân\s+viên|học\s+sinh|"
    r"sinh\s+viên|đoàn\s+viên|hội\s+viên|đảng\s+viên|lực\s+lượng|bà\s+con|phụ\s+huynh"
)
#: What heads one member of a list of those who must act, lower-case words named for what
#: they are: "các doanh nghiệp ...", "trường học", "nhà dân", "đơn vị lực lượng vũ trang".
LIST_MEMBER = re.compile(
    r"\s*(?:(?:tất\s+cả(?:\s+các)?|toàn\s+thể|các|mỗi|từng|những)\s+)?"
    rf"(?P<people>{PEOPLE})?(?(people)|(?:cơ\s+quan|đơn\s+vị|trường\s+học|trường|bệnh\s+viện|"
    r"doanh\s+nghiệp|nhà\s+dân|hộ\s+gia\s+đình|hộ\s+dân|gia\s+đình|tổ\s+chức|cá\s+nhân|"
    r"chi\s+đội|chi\s+đoàn|nhân\s+dân|cơ\s+sở|hợp\s+tác\s+xã|khu\s+dân\s+cư|tổ\s+dân\s+phố|"
    r"chủ\s+đầu\s+tư|nhà\s+thầu))(?![\wÀ-ỹ])",
    re.IGNORECASE,
)
#: Words between members that join them rather than a member's own words.
MEMBER_JOIN = re.compile(r"\s*(?:,|và(?![\wÀ-ỹ]))")
#: The verb that ends the list: a verb's first syllable, not a preposition of a member's
#: own words ("trên địa bàn", "của Nhân dân", "cấp tỉnh").
LIST_END = LOWER_STOP - {
    "trong", "trên", "của", "quan", "cấp", "phụ", "theo", "tại", "từ", "về", "với", "cho",
    "đến", "khi", "là", "ban", "thanh", "thông", "tổng", "bảo", "giám", "quản", "tham",
}  # fmt: skip
#: Fewer members than this are left to the names found otherwise ("Các cơ quan, đơn vị
#: trong tỉnh" is one group), unless they are people ("Nhân viên y tế rà soát ...").
LIST_MEMBERS = 3


def _listed_subjects(text: str) -> list[Mention]:
    """The members of a list that heads an item and is its subject: "Tất cả các cơ quan
    Đảng, Đoàn thể, Nhà nước, đơn vị lực lượng vũ trang, các doanh nghiệp ..., trường học,
    bệnh viện và nhà dân treo cờ Tổ quốc". A member goes on past a comma until the next
    member's head ("..., Đoàn thể, Nhà nước" is the first one's); the list ends at its verb.
    Nothing for a list that is given something ("... người lao động được nghỉ")."""
    first = LIST_MEMBER.match(text)
    if first is None:
        return []
    people = True  # every member so far names people
    members: list[Mention] = []
    start = len(text) - len(text.lstrip())
    position = first.end()
    for _count in range(80):
        join = MEMBER_JOIN.match(text, position)
        member = LIST_MEMBER.match(text, join.end()) if join else None
        if join and member:
            people = people and bool(member.group("people"))
            members.append(Mention(squash(text[start:position]), start, position, None))
            start = join.end() + len(member.group()) - len(member.group().lstrip())
            position = member.end()
            continue
        comma = re.match(r"\s*,", text[position:])
        token = TOKEN.match(text, position + (comma.end() if comma else 0))
        if token is None or "\n\n" in token.group(1):
            return []
        word = token.group(2).lower()
        if word in ("được", "nghỉ"):
            return []  # a benefit or a passive ("được nghỉ", "nghỉ học"): no one is asked
        own = (word == "có" and re.match(r"\s+liên", text[token.end() :])) or (
            word == "bàn" and text[:position].rstrip().endswith("địa")
        )  # "có liên quan", "trên địa bàn": a member's own words
        if word in LIST_END and not own:
            members.append(Mention(squash(text[start:position]), start, position, None))
            if people and first.group("people"):  # "Tất cả các học sinh, giáo viên": one
                whole = text[members[0].start : members[-1].end]
                return [Mention(squash(whole), members[0].start, members[-1].end, None)]
            if len(members) < LIST_MEMBERS:
                return []
            return _one_group(text, members) or members
        position = token.end()
    return []


#: A list under one determiner: "Các cơ quan, đơn vị, ...", "Tất cả các ...".
DETERMINED = re.compile(r"(?:[Tt]ất\s+cả\s+)?[Cc]ác\s")
#: The people a list ends with, who are not a body: "... và nhân dân trong thị xã".
THE_PEOPLE = re.compile(
    r"(?:nhân|người)\s+dân(?![\wÀ-ỹ])|hộ\s+(?:gia\s+đình|dân)(?![\wÀ-ỹ])", re.IGNORECASE
)


#: An item headed by whom it is for, with a colon: "3.1. Đối với cá nhân: Thu, nộp ...".
FOR_WHOM = re.compile(r"\s*(?:[-–+•]\s*)?[Đđ]ối\s+với\s+(?P<who>[^:.;\n]{2,80}?)\s*:")


def _heading_for(text: str, gazetteer: Gazetteer) -> list[Mention]:
    """Whom an item headed "Đối với X:" is for, when X names no body: people or kinds of
    payer ("cá nhân", "tổ chức kinh tế trên địa bàn")."""
    heading = FOR_WHOM.match(text)
    if heading is None or not (
        LIST_MEMBER.match(heading.group("who")) or ROLE.match(heading.group("who"))
    ):
        return []  # "Đối với nội dung phối hợp tại điểm 1 ...": what, not whom
    if any(mention.start < heading.end() for mention in mentions(text[: heading.end()], gazetteer)):
        return []  # a body's name: found as any other ("Đối với các cơ quan, ban, ngành:")
    return [Mention(squash(heading.group("who")), heading.start("who"), heading.end("who"), None)]


def _one_group(text: str, members: list[Mention]) -> list[Mention]:
    """Kinds of body listed under one "Các", in lower case, as the one group they make
    ("Các cơ quan, đơn vị, trường học, doanh nghiệp, các cơ sở sản xuất kinh doanh"),
    then the people the list ends with ("nhân dân trong thị xã"). Nothing for a list that
    names bodies ("Tất cả các cơ quan Đảng, Đoàn thể, Nhà nước, ..., bệnh viện")."""
    people: list[Mention] = []
    while len(members) > 1 and THE_PEOPLE.match(members[-1].name):
        people.insert(0, members[-1])
        members = members[:-1]
    start, end = members[0].start, members[-1].end
    whole = text[start:end]
    if not DETERMINED.match(whole) or any(letter.isupper() for letter in whole[1:]):
        return []
    return [Mention(squash(whole), start, end, None), *people]


def actors(
    text: str,
    gazetteer: Gazetteer,
    *,
    exclude: tuple[int, int] | None = None,
    issuers: tuple[str, ...] = (),
    item: bool = False,
    plan: bool = False,
) -> list[AgencyRef]:
    """The agencies a task's text gives work to, lead or co-operating. A name joined to
    the one before it ("Sở Y tế, Sở Tài chính và UBND các huyện") takes its role. The
    document's `issuers` (its issuer and the body above it: "BHXH Việt Nam xây dựng chỉ
    tiêu ...", "Ban Thường trực Ủy ban MTTQ ... thành phố") give work rather than take it,
    unless named at the head of an `item`: one of their own `plan` ("1. Phòng GD&ĐT"), or
    one they share ("1. Phòng GD&ĐT và tất cả các đơn vị trường học ... treo cờ"). A
    verb after a name the sentence assigns to ("đề nghị Ban Thường trực ... thông báo đến
    xã") is its task, not the issuer speaking."""
    refs: list[AgencyRef] = []
    seen: set[str] = set()
    previous_end: int | None = None
    previous_role: str | None = None
    own = False  # the issuer heads the item of a document that is not its plan
    listed = _listed_subjects(text) if item else []
    if item and not listed:
        listed = _heading_for(text, gazetteer)
    for member in listed:
        seen.add(_one_name(member.name))
        refs.append(
            AgencyRef(
                member.name, "lead", None, kind_of(member.name), span=(member.start, member.end)
            )
        )
    listed_end = listed[-1].end if listed else 0
    subjects: set[int] = set()  # sentences whose subject after their grounds is found
    chain_start: int | None = None  # where the list of names joined to this one begins
    for mention in mentions(text, gazetteer):
        if exclude and exclude[0] <= mention.start < exclude[1]:
            continue
        if mention.start < listed_end:
            continue  # a member of the list that heads the item, or inside one
        before = text[max(0, mention.start - 40) : mention.start]
        after = text[mention.end : mention.end + 30]
        joined = previous_end is not None and bool(
            LIST_JOIN.match(text[previous_end : mention.start])
        )
        cooperating = bool(COOPERATE.search(before)) or (joined and previous_role == "cooperate")
        if cooperating and DIRECTED.search(text, max(0, mention.start - 200), mention.start):
            continue  # "UBND các huyện chỉ đạo Phòng GD&ĐT phối hợp với các nhà trường": theirs
        leading = (
            bool(LEAD_AFTER.match(after))
            or bool(SENT_TO.search(before) and TO_ACT_ON.match(after))
            or bool(FOR_HEAD.search(before) and after.lstrip().startswith(":"))
        )
        # After the grounds, the sentence's subject: its first name, not one further on
        # ("Căn cứ ..., Chủ tịch UBND tỉnh ủy quyền ... trước pháp luật, Tỉnh ủy, ...").
        introduced = _introduced(text, mention.start)
        if introduced is not None and introduced in subjects:
            introduced = None
        starts = (
            ACTOR_BEFORE.search(before)
            or _after_heading(text, mention.start)
            or introduced is not None
        )
        if not (cooperating or leading or joined or starts):
            continue
        if NOT_ACTOR_BEFORE.search(before) and not (cooperating or leading):
            continue
        if introduced is not None:
            subjects.add(introduced)
        if ISSUER_SPEAKING.match(after) and not (
            cooperating or joined or ASSIGNING.search(before)  # "giao cho X, Y thông báo"
        ):
            continue  # "UBND tỉnh ban hành Kế hoạch", "Sở Y tế đề nghị": the issuer speaks
        if NARRATED.match(after) and not cooperating:
            # "Sở Giao thông vận tải đã dự thảo ...", "Ủy ban Dân tộc và các bộ, ngành, địa
            # phương đã tổ chức ...": what was done, not asked, by the whole list
            if joined and chain_start is not None:
                dropped = [r for r in refs if r.span and r.span[0] >= chain_start]
                refs = [r for r in refs if r not in dropped]
                seen -= {_one_name(r.name) for r in dropped}
            continue
        if RECALLED_LETTER.search(text, clause_start(text, mention.start), mention.start):
            continue  # "Văn phòng Chính phủ đã có công văn ... đề nghị các Bộ": done before
        if NARRATED_ASSIGNING.search(text, clause_start(text, mention.start), mention.start):
            continue  # "đơn vị đã khắc dấu và giao cho Chi cục quản lý": done before
        if _in_brackets(text, mention.start):
            continue  # "(mời các Sở có liên quan: Sở Nội vụ, ...)": an aside
        issuing = _issuing(mention.name, issuers)
        at_head = item and not text[: mention.start].strip()
        if issuing and not at_head:
            continue  # the issuer, but for the head of an item
        own = own or (issuing and not plan)
        role = "cooperate" if cooperating and not leading else "lead"
        if not joined or chain_start is None:
            chain_start = mention.start
        previous_end, previous_role = mention.end, role
        key = _one_name(mention.name)
        if key not in seen and any(_begins(key, other) for other in seen):
            continue  # "đại biểu HĐND tỉnh", then "Đại biểu HĐND": the same, named shorter
        if key in seen:
            if role == "lead":  # co-operating first, leading further on: it leads
                refs = [replace(r, role="lead") if _one_name(r.name) == key else r for r in refs]
            continue
        seen.add(key)
        entry = mention.entry
        refs.append(
            AgencyRef(
                name=mention.name,
                role=role,
                code=entry.code or None if entry and entry.kind != "addressees" else None,
                kind=entry.kind if entry else kind_of(mention.name),
                span=(mention.start, mention.end),
            )
        )
    if own and sum(ref.role == "lead" for ref in refs) == 1:
        return refs[1:]  # "2. UBND xã tạm dừng tiếp công dân": the issuer says what it does
    return refs
