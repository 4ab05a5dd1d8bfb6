"""Reviewers approve or reject pending figures (PUBLISH_MODE=review)."""

from __future__ import annotations

from fastapi import APIRouter

from app.api.auth import ReviewerKey
from app.api.deps import UnitOfWorkDep
from app.api.exact_json import ExactJSONRoute
from app.schemas.common import ERROR_RESPONSES, ErrorBody
from app.schemas.review import ReviewDecision, ReviewResult
from app.services import review

router = APIRouter(responses=ERROR_RESPONSES, route_class=ExactJSONRoute)


@router.post(
    "/observations/review",
    summary="Approve or reject pending figures, all or none",
    responses={
        400: {"model": ErrorBody, "description": "the body could not be read (not UTF-8 JSON)"},
        401: {"model": ErrorBody, "description": "no key, or an unknown or revoked key"},
        403: {
            "model": ErrorBody,
            "description": "not a reviewer or admin (`forbidden`), a figure outside the "
            "key's regions (`region_forbidden`), or one the key posted (`own_figures`)",
        },
        409: {"model": ErrorBody, "description": "a figure is not pending (any more)"},
        413: {"model": ErrorBody, "description": "a body over 5 MB"},
    },
)
def review_observations(
    decision: ReviewDecision, uow: UnitOfWorkDep, key: ReviewerKey
) -> ReviewResult:
    return review.decide(uow, decision, key)
