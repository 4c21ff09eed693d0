"""An indicator and its values: each agency's latest figure as of a day, ranked, and
the province-wide value by the one rule of `reports.indicators.ProvinceFigure`. Like
the indicator's page, for the office and leaders only (it ranks every agency)."""

from __future__ import annotations

from flask_login import current_user

from tracker import db
from tracker.api import blueprint, schemas
from tracker.api.problems import Problem
from tracker.api.resources import as_of_day
from tracker.api.spec import operation
from tracker.reports import trends


@operation(
    blueprint,
    "/indicators/<int:indicator_id>",
    summary="An indicator with every agency's value as of a day, and the province's",
    tag="indicators",
    query=schemas.AsOfQuery,
    response=schemas.IndicatorDetail,
    problems=(404, 422),
)
def show_indicator(indicator_id: int, query: schemas.AsOfQuery) -> schemas.IndicatorDetail:
    """Values are what agencies reported with their submissions (`figures`): by the
    end of the day, the report accepted, else the one awaiting review. For the office
    and leaders; an agency gets 404, as on the page."""
    if not current_user.reads_everything:
        raise Problem(404)
    as_of = as_of_day(query.as_of)
    page = trends.indicator_page(db.session, indicator_id, as_of)
    if page is None:
        raise Problem(404)
    indicator, province = page.ranking.indicator, page.ranking.province
    return schemas.IndicatorDetail(
        id=indicator.id,
        code=indicator.code,
        name=indicator.name,
        unit=indicator.unit,
        numerator_label=indicator.numerator_label,
        denominator_label=indicator.denominator_label,
        task_id=page.task.id,
        directive_id=page.task.directive_id,
        kind=indicator.kind,
        target=float(indicator.target) if indicator.target is not None else None,
        as_of=as_of,
        province=schemas.ProvinceValueOut(
            numerator=province.numerator,
            denominator=province.denominator,
            rate=province.rate,
            day=province.day,
            stated=province.stated,
            reporting=province.reporting,
            owing=province.owing,
        ),
        values=[
            schemas.IndicatorValueOut(
                agency_code=line.agency_code,
                agency_name=line.agency_name,
                numerator=line.numerator,
                denominator=line.denominator,
                rate=line.rate,
                score=line.score,
                rank=line.rank,
                gap=line.gap,
                change_in_week=page.change(line.agency_code, line.score),
            )
            for line in page.ranking.lines
        ],
    )
