"""Review of records: the agency's records whose review date has come, each kept for a stated
reason until a new date (at most three years away) or, by a supervisor, deleted with everything
made from it. The rules and their audit entries are those of ``vinculo.sharing.retention``."""

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, status
from fastapi.responses import RedirectResponse, Response

from vinculo import audit
from vinculo.api.deps import Conn, actor_of, refusals
from vinculo.sharing import retention
from vinculo.web.viewer import FormViewer, PageViewer, Viewer, render

router = APIRouter(include_in_schema=False)

#: What a failed extension or deletion says, by the service's reason (shown in the user's
#: language: the service's own words are English).
_ERRORS = {
    "say why the record is still needed": "reason",
    "say why the record is deleted": "reason",
    "the new review date must be in the future": "past",
    "a record is extended by at most three years at a time": "too_far",
    "the new review date is not a date": "date",
}


def _page(
    request: Request,
    conn: Conn,
    viewer: Viewer,
    *,
    done: str | None = None,
    error: tuple[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    with refusals(request, viewer.user, "review.list"):
        due = retention.due_for_review(conn, viewer.user)
    today = dt.date.today()
    return render(
        request,
        viewer,
        "review.html",
        due=due,
        may_delete=bool(retention.DELETERS & set(viewer.user.roles)),
        default_date=(today + dt.timedelta(days=365)).isoformat(),
        min_date=(today + dt.timedelta(days=1)).isoformat(),
        max_date=(today + retention.MAX_EXTENSION).isoformat(),
        done=done,
        error=error,
        status_code=status_code,
    )


@router.get("/review")
def review_page(
    request: Request,
    conn: Conn,
    viewer: PageViewer,
    done: Annotated[str | None, Query(max_length=16)] = None,
) -> Response:
    return _page(request, conn, viewer, done=done if done in ("extended", "deleted") else None)


def _after(done: str) -> Response:
    # Post/redirect/get: a reload does not send the form again.
    return RedirectResponse(f"/review?done={done}", status_code=status.HTTP_303_SEE_OTHER)


def _failed(
    request: Request, conn: Conn, viewer: Viewer, action: str, entity_id: str, reason: str
) -> Response:
    audit.record(
        conn,
        actor_of(request, viewer.user),
        action,
        object_type="entity",
        object_id=entity_id[:200],
        outcome="failed",
        details={"reason": reason, "channel": "web"},
    )
    return _page(
        request, conn, viewer, error=(entity_id, _ERRORS.get(reason, "other")), status_code=422
    )


@router.post("/review/{entity_id}/extend")
def extend(
    entity_id: str,
    request: Request,
    conn: Conn,
    viewer: FormViewer,
    review_by: Annotated[str, Form(max_length=10)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    action = "entity.review.extend"
    try:
        new_date = dt.date.fromisoformat(review_by)
    except ValueError:
        return _failed(
            request, conn, viewer, action, entity_id, "the new review date is not a date"
        )
    failure = None
    with refusals(request, viewer.user, action, "entity", entity_id[:200]):
        try:
            retention.extend_review(
                conn, viewer.user, actor_of(request, viewer.user), entity_id, new_date, reason
            )
        except retention.RetentionError as exc:
            failure = str(exc)
    if failure is not None:
        return _failed(request, conn, viewer, action, entity_id, failure)
    return _after("extended")


@router.post("/review/{entity_id}/delete")
def delete(
    entity_id: str,
    request: Request,
    conn: Conn,
    viewer: FormViewer,
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    action = "entity.delete"
    failure = None
    with refusals(request, viewer.user, action, "entity", entity_id[:200]):
        try:
            retention.delete_record(
                conn, viewer.user, actor_of(request, viewer.user), entity_id, reason
            )
        except retention.RetentionError as exc:
            failure = str(exc)
    if failure is not None:
        return _failed(request, conn, viewer, action, entity_id, failure)
    return _after("deleted")
