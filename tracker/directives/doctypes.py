"""Document types and their ND30 Appendix III abbreviations."""

from __future__ import annotations

from enum import StrEnum

from tracker.i18n import N_


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
    DocType.CONG_VAN: N_("Công văn"),
    DocType.THONG_BAO: N_("Thông báo"),
    DocType.KE_HOACH: N_("Kế hoạch"),
    DocType.CHI_THI: N_("Chỉ thị"),
    DocType.QUYET_DINH: N_("Quyết định"),
    DocType.NGHI_QUYET: N_("Nghị quyết"),
    DocType.HUONG_DAN: N_("Hướng dẫn"),
    DocType.CHUONG_TRINH: N_("Chương trình"),
    DocType.BAO_CAO: N_("Báo cáo"),
    DocType.TO_TRINH: N_("Tờ trình"),
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
