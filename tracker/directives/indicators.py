"""Defining a task's indicators (chỉ tiêu): from a directive's data file, a parsed draft
or the office's form, through one checked path."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from tracker.audit import record_event
from tracker.auth.models import User
from tracker.directives.models import Indicator, IndicatorKind, Task

CODE = re.compile(r"[a-z][a-z0-9_]{0,39}")


class IndicatorError(ValueError):
    """A refused indicator definition; the message is in the user's language."""


def _text(spec: dict[str, Any], key: str, limit: int) -> str:
    value = spec.get(key)
    text = unicodedata.normalize("NFC", str(value)).strip() if value is not None else ""
    if len(text) > limit:
        raise IndicatorError(_("“%(field)s” dài quá %(limit)d ký tự.", field=key, limit=limit))
    return text


def _whole(spec: dict[str, Any], key: str, *, positive: bool = False) -> int | None:
    value = spec.get(key)
    if value is None or value == "":
        return None
    if type(value) is not int or value < (1 if positive else 0):
        raise IndicatorError(
            _("“%(field)s” phải là số nguyên dương.", field=key)
            if positive
            else _("“%(field)s” phải là số nguyên không âm.", field=key)
        )
    return value


def build_indicator(spec: dict[str, Any]) -> Indicator:
    """An Indicator from its definition: code, name, kind (count or ratio), unit,
    numerator and denominator labels, target, allow_over, denominator_value with
    denominator_source, and a baseline {numerator, date, source}. `target_percent` is
    read as `target` (the older data files' key)."""
    code = _text(spec, "code", 40)
    if not CODE.fullmatch(code):
        raise IndicatorError(
            _("Mã chỉ tiêu chỉ gồm chữ thường không dấu, chữ số và “_”, bắt đầu bằng chữ.")
        )
    name = _text(spec, "name", 255)
    if not name:
        raise IndicatorError(_("Hãy nhập tên chỉ tiêu."))
    try:
        kind = IndicatorKind(spec.get("kind", IndicatorKind.RATIO.value))
    except ValueError:
        raise IndicatorError(_("Loại chỉ tiêu phải là số lượng hoặc tỷ lệ.")) from None
    unit = _text(spec, "unit", 60)
    if not unit:
        raise IndicatorError(_("Chỉ tiêu “%(name)s” phải có đơn vị tính.", name=name))
    numerator = _text(spec, "numerator", 120) or name
    denominator = _text(spec, "denominator", 120)
    fixed = _whole(spec, "denominator_value", positive=True)
    source = _text(spec, "denominator_source", 500)
    if kind == IndicatorKind.COUNT and (denominator or fixed is not None):
        raise IndicatorError(_("Chỉ tiêu số lượng không có mẫu số."))
    if kind == IndicatorKind.RATIO and not denominator:
        raise IndicatorError(_("Chỉ tiêu tỷ lệ phải có tên mẫu số."))
    if fixed is not None and not source:
        raise IndicatorError(_("Mẫu số cố định phải ghi rõ nguồn số liệu."))
    target = _target(spec, kind)
    baseline = spec.get("baseline") or {}
    if not isinstance(baseline, dict):
        raise IndicatorError(_("Số liệu ban đầu không hợp lệ."))
    stated = _whole(baseline, "numerator")
    stated_on = baseline.get("date")
    stated_source = _text(baseline, "source", 500)
    given = stated is not None or stated_on or stated_source
    if given and (stated is None or not isinstance(stated_on, date) or not stated_source):
        raise IndicatorError(_("Số liệu ban đầu phải có đủ con số, ngày và nguồn số liệu."))
    indicator = Indicator(
        code=code,
        name=name,
        kind=kind,
        unit=unit,
        numerator_label=numerator,
        denominator_label=denominator,
        target=target,
        allow_over=bool(spec.get("allow_over", False)),
        denominator_value=fixed,
        denominator_source=source,
        baseline_numerator=stated,
        baseline_date=stated_on if stated is not None else None,
        baseline_source=stated_source,
    )
    if stated is not None and fixed is not None and stated > fixed and not indicator.allow_over:
        raise IndicatorError(_("Số liệu ban đầu lớn hơn mẫu số."))
    return indicator


def _target(spec: dict[str, Any], kind: IndicatorKind) -> Decimal | None:
    raw = spec.get("target", spec.get("target_percent"))
    if raw is None or raw == "":
        return None
    try:
        target = Decimal(str(raw))
    except InvalidOperation:
        raise IndicatorError(_("Mục tiêu phải là một số.")) from None
    if not target.is_finite() or target < 0:
        raise IndicatorError(_("Mục tiêu phải là một số không âm."))
    if kind == IndicatorKind.RATIO and target > 100:
        raise IndicatorError(_("Mục tiêu của chỉ tiêu tỷ lệ tính bằng %, không quá 100."))
    if target >= Decimal(10) ** 12:
        raise IndicatorError(_("Mục tiêu quá lớn."))
    return target.quantize(Decimal("0.01"))


def attach(task: Task, spec: dict[str, Any]) -> Indicator:
    """`build_indicator`, then added to `task` unless it has one with that code."""
    indicator = build_indicator(spec)
    if any(existing.code == indicator.code for existing in task.indicators):
        raise IndicatorError(_("Nhiệm vụ đã có chỉ tiêu mã “%(code)s”.", code=indicator.code))
    task.indicators.append(indicator)
    return indicator


def add_indicator(
    session: Session, actor: User | None, task: Task, spec: dict[str, Any]
) -> Indicator:
    """The office adds an indicator to a task of a directive not closed: checked,
    recorded."""
    if task.directive.is_closed:
        raise IndicatorError(_("Văn bản đã kết thúc: không thêm chỉ tiêu."))
    indicator = attach(task, spec)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="indicator.create",
        subject_type="directive",
        subject_id=task.directive_id,
        after={"task": task.number, "indicator": indicator.code, "name": indicator.name},
    )
    return indicator
