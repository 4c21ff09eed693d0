"""Document types and their ND30 Appendix III abbreviations."""

from __future__ import annotations

from enum import StrEnum

#: The context of the types' names in the translation catalog: "Thông báo" the type (a
#: notice) is not "Thông báo" the notifications of the interface.
CONTEXT = "document type"


def pgettext(context: str, text: str) -> str:
    """Marks a type's name for translation in its context (the catalog's tools read
    `pgettext`) without translating it here: pages translate it as they show it
    (`pgettext("document type", label)`), while documents keep the Vietnamese."""
    del context
    return text


class DocType(StrEnum):
    CONG_VAN = "cong_van"
    THONG_BAO = "thong_bao"
    KE_HOACH = "ke_hoach"
    CHI_THI = "chi_thi"
    QUYET_DINH = "quyet_dinh"
    NGHI_QUYET = "nghi_quyet"
    HUONG_DAN = "huong_dan"
    CHUONG_TRINH = "chuong_trinh"
    BAO_CAO = "bao_cao"
    TO_TRINH = "to_trinh"

    @property
    def label(self) -> str:
        """The type's name as written in Vietnamese, e.g. 'Công văn'."""
        return _LABELS[self]

    @property
    def abbreviation(self) -> str | None:
        """ND30 Appendix III abbreviation; a công văn has none."""
        return _ABBREVIATIONS[self]


_LABELS = {
    DocType.CONG_VAN: pgettext("document type", "Công văn"),
    DocType.THONG_BAO: pgettext("document type", "Thông báo"),
    DocType.KE_HOACH: pgettext("document type", "Kế hoạch"),
    DocType.CHI_THI: pgettext("document type", "Chỉ thị"),
    DocType.QUYET_DINH: pgettext("document type", "Quyết định"),
    DocType.NGHI_QUYET: pgettext("document type", "Nghị quyết"),
    DocType.HUONG_DAN: pgettext("document type", "Hướng dẫn"),
    DocType.CHUONG_TRINH: pgettext("document type", "Chương trình"),
    DocType.BAO_CAO: pgettext("document type", "Báo cáo"),
    DocType.TO_TRINH: pgettext("document type", "Tờ trình"),
}

_ABBREVIATIONS = {
    DocType.CONG_VAN: None,
    DocType.THONG_BAO: "TB",
    DocType.KE_HOACH: "KH",
    DocType.CHI_THI: "CT",
    DocType.QUYET_DINH: "QĐ",
    DocType.NGHI_QUYET: "NQ",
    DocType.HUONG_DAN: "HD",
    DocType.CHUONG_TRINH: "CTr",
    DocType.BAO_CAO: "BC",
    DocType.TO_TRINH: "TTr",
}
