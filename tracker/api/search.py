"""Search, as on the page: ranked, filtered, and never past what the user may see."""

from __future__ import annotations

from flask_login import current_user

from tracker import db
from tracker.api import blueprint, schemas
from tracker.api.problems import Problem
from tracker.api.spec import operation
from tracker.search.queries import SearchError, checked_filters, search


@operation(
    blueprint,
    "/search",
    summary="Directives, tasks, reports, files and agencies matching every word",
    tag="search",
    query=schemas.SearchQuery,
    response=schemas.SearchResults,
    problems=(422,),
)
def search_all(query: schemas.SearchQuery) -> schemas.SearchResults:
    """Words match as prefixes, with or without diacritics (`cong van` finds "công
    văn"). An agency finds the directives and tasks it has work in or reviews, and the
    reports and files of that work; the office and leaders find everything."""
    try:
        filters = checked_filters(
            kind=query.kind,
            agency=query.agency,
            status=query.status,
            day_from=query.day_from,
            day_to=query.day_to,
        )
        found = search(db.session, current_user, query.q, filters)
    except SearchError as error:
        raise Problem(422, str(error)) from None
    return schemas.SearchResults(
        items=[
            schemas.SearchHitOut(
                kind=hit.kind,
                object_id=hit.object_id,
                directive_id=hit.directive_id,
                assignment_id=hit.assignment_id,
                agency_code=hit.agency_code,
                status=hit.status,
                day=hit.day,
                title=hit.title.striptags(),
                excerpt=hit.excerpt.striptags(),
                directive_title=hit.directive_title,
            )
            for hit in found.hits
        ],
        total=found.total,
        more=found.more,
    )
