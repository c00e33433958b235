"""Disclosure requests, incoming and outgoing: decisions with field-level release, deadlines.

Every step goes through ``vinculo.sharing.disclosure`` (which writes the events, notifies the other
side and audits); the record shown with a request is what ``sharing.policy`` lets the viewer see
now. A request of other agencies, or a record the viewer may not know of, is the not-found page,
exactly as one that does not exist.
"""

import datetime as dt
from typing import Annotated, Any

from babel.dates import format_datetime
from fastapi import APIRouter, Form, Query, Request, status
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Connection

from vinculo import audit
from vinculo.api.deps import Conn, actor_of, deny
from vinculo.model.metadata import Role
from vinculo.sharing import disclosure, policy
from vinculo.sharing.directory import UserInfo
from vinculo.store.entities import StoredEntity
from vinculo.store.tables import utcnow
from vinculo.web.viewer import FormViewer, PageViewer, Viewer, render, require_records

router = APIRouter(include_in_schema=False)

DIRECTIONS = ("incoming", "outgoing")
STATUSES = tuple(s.value for s in disclosure.Status)
URGENCIES = tuple(u.value for u in disclosure.Urgency)
Text = Annotated[str, Form(max_length=5000)]
Fields = Annotated[list[str], Form(max_length=200)]

#: The service's refusals (English, for the audit log) -> the key of the page's translated text.
_REASONS = (
    ("the record belongs to your own agency", "own_record"),
    ("your agency already sees this record in full", "full_view"),
    ("a purpose and a legal basis are required", "purpose_basis"),
    ("unknown fields", "unknown_fields"),
    ("the hit does not connect", "bad_hit"),
    ("your agency already has an open request", "already_open"),
    ("say what information is needed", "info_needed"),
    ("a declined request needs a reason", "reason_needed"),
    ("the record concerns a victim", "protected"),
    ("choose the fields to release", "choose_fields"),
    ("the request is already", "closed"),
    ("not possible: the request is", "closed"),
    ("the record no longer exists", "record_gone"),
    ("the answer is empty", "empty_answer"),
    ("choose a decision", "choose_decision"),
)


def reason_key(message: str) -> str:
    """The page's key for a refusal of the service (``failed`` when it is not a known one)."""
    return next((key for start, key in _REASONS if message.startswith(start)), "failed")


def when(lang: str) -> Any:
    """A formatter of UTC times in the viewer's language (for templates)."""

    def fmt(value: dt.datetime | str | None) -> str:
        if value is None or value == "":
            return ""
        if isinstance(value, str):  # the services give some times as ISO-8601 text
            value = dt.datetime.fromisoformat(value)
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        # pt-PT is the page's tag; babel spells it pt_PT.
        shown = format_datetime(value, "medium", tzinfo=dt.UTC, locale=lang.replace("-", "_"))
        return str(shown) + " UTC"

    return fmt


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def is_overdue(info: disclosure.RequestInfo, now: dt.datetime | None = None) -> bool:
    return info.is_open and _aware(info.due_at) < _aware(now or utcnow())


def _read(
    conn: Connection, user: UserInfo, entity_id: str | None
) -> tuple[policy.Visible | None, StoredEntity | None]:
    """The record as the policy shows it to the user now (None: nothing to show)."""
    if not entity_id:
        return None, None
    records, ctx = policy.read_records(conn, user, [entity_id])
    if not records:
        return None, None
    shown = policy.present(user, records[0], ctx)
    return (None, None) if shown.view is policy.View.NONE else (shown, records[0])


#: Fields worth offering first for a kind of record (besides its featured ones); the others of
#: its schema, of which FtM has many, are offered folded away.
COMMON_FIELDS = frozenset(
    {
        "name", "firstName", "lastName", "alias", "birthDate", "birthPlace", "nationality",
        "gender", "idNumber", "passportNumber", "phone", "email", "address", "registrationNumber",
        "taxNumber", "country", "jurisdiction", "imoNumber", "registrationDate", "model", "type",
    }
)  # fmt: skip


def _releasable(
    entity: StoredEntity | None, first: set[str] | None = None
) -> tuple[list[str], list[str]]:
    """The fields that can be released (properties, then releasable metadata): those to offer
    first (``first``, or the schema's featured and common ones) and the rest."""
    if entity is None:
        return [], []
    schema = entity.proxy.schema
    names = sorted(schema.properties) + sorted(policy.RELEASABLE_META)
    if first is None:
        first = set(schema.featured) | (COMMON_FIELDS & set(schema.properties))
    return [n for n in names if n in first], [n for n in names if n not in first]


def _audit_read(
    request: Request, conn: Connection, user: UserInfo, shown: policy.Visible | None
) -> None:
    """A record shown with a request is a read of it, on the record as the API's."""
    if shown is None:
        return
    audit.record(
        conn,
        actor_of(request, user),
        "entity.read",
        object_type="entity",
        object_id=str(shown.data["id"]),
        details={"view": shown.view.value, "owner": shown.data["agency"], "channel": "web"},
    )


def _failed(
    request: Request, conn: Connection, viewer: Viewer, action: str, object_id: str, exc: Exception
) -> str:
    """A request the service would not carry out: on the audit record, and the page's key."""
    audit.record(
        conn,
        actor_of(request, viewer.user),
        action,
        outcome="failed",
        object_type="disclosure_request",
        object_id=object_id[:200],
        details={"reason": str(exc), "channel": "web"},
    )
    return reason_key(str(exc))


# --- list -------------------------------------------------------------------------------------


@router.get("/requests")
def requests_index(
    request: Request,
    conn: Conn,
    viewer: PageViewer,
    direction: Annotated[str, Query(max_length=16)] = "incoming",
    status_filter: Annotated[str, Query(alias="status", max_length=24)] = "",
) -> Response:
    require_records(request, viewer, "disclosure.list")
    direction = direction if direction in DIRECTIONS else "incoming"
    status_filter = status_filter if status_filter in STATUSES else ""
    found = disclosure.list_requests(conn, viewer.user, direction, status_filter or None, 200)
    # Each record's caption where the policy shows it to the viewer (the owner's own records,
    # released ones); one read for the whole list, as the API's.
    records, ctx = policy.read_records(
        conn, viewer.user, [r.entity_id for r in found if r.entity_id]
    )
    captions = {
        e.id: str(shown.data["caption"])
        for e in records
        if (shown := policy.present(viewer.user, e, ctx)).data.get("caption")
    }
    now = utcnow()
    return render(
        request,
        viewer,
        "requests.html",
        direction=direction,
        status_filter=status_filter,
        statuses=STATUSES,
        requests=found,
        captions=captions,
        overdue={r.id for r in found if is_overdue(r, now)},
        when=when(viewer.lang),
    )


# --- new request ------------------------------------------------------------------------------


def _new_form(
    request: Request,
    conn: Connection,
    viewer: Viewer,
    entity_id: str,
    hit_id: str,
    *,
    error: str | None = None,
    values: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    shown, entity = _read(conn, viewer.user, entity_id)
    if shown is None:
        deny(
            request,
            viewer.user,
            "disclosure.request",
            status.HTTP_404_NOT_FOUND,
            "not found",
            object_type="entity",
            object_id=entity_id[:200],
        )
    _audit_read(request, conn, viewer.user, shown)
    now = utcnow()
    return render(
        request,
        viewer,
        "requests_new.html",
        status_code=status_code,
        record=shown.data,
        view=shown.view.value,
        entity_id=entity_id,
        hit_id=hit_id,
        fields=_releasable(entity),
        urgencies=URGENCIES,
        deadlines={u.value: now + d for u, d in disclosure.DEADLINES.items()},
        error=error,
        values=values or {"purpose": "", "legal_basis": "", "urgency": "routine", "fields": []},
        when=when(viewer.lang),
    )


@router.get("/requests/new")
def new_request_form(
    request: Request,
    conn: Conn,
    viewer: PageViewer,
    entity: Annotated[str, Query(max_length=64)] = "",
    hit: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    require_records(request, viewer, "disclosure.request")
    return _new_form(request, conn, viewer, entity, hit)


@router.post("/requests/new")
def new_request(
    request: Request,
    conn: Conn,
    viewer: FormViewer,
    entity: Annotated[str, Form(max_length=64)] = "",
    hit: Annotated[str, Form(max_length=40)] = "",
    purpose: Text = "",
    legal_basis: Annotated[str, Form(max_length=2000)] = "",
    urgency: Annotated[str, Form(max_length=16)] = "routine",
    fields: Fields = [],  # noqa: B006 - FastAPI copies defaults
) -> Response:
    require_records(request, viewer, "disclosure.request")
    values = {"purpose": purpose, "legal_basis": legal_basis, "urgency": urgency, "fields": fields}
    user = viewer.user
    try:
        info = disclosure.request_disclosure(
            conn,
            user,
            actor_of(request, user),
            entity,
            purpose=purpose,
            legal_basis=legal_basis,
            urgency=urgency if urgency in URGENCIES else "routine",
            fields=fields,
            hit_id=hit or None,
        )
    except LookupError:
        deny(
            request, user, "disclosure.request", 404, "not found",
            object_type="entity", object_id=entity[:200],
        )  # fmt: skip
    except PermissionError as exc:
        deny(request, user, "disclosure.request", 403, str(exc), details={"reason": str(exc)})
    except ValueError as exc:
        key = _failed(request, conn, viewer, "disclosure.request", entity, exc)
        return _new_form(
            request, conn, viewer, entity, hit, error=key, values=values, status_code=422
        )
    return RedirectResponse(f"/requests/{info.id}", status_code=status.HTTP_303_SEE_OTHER)


# --- one request ------------------------------------------------------------------------------


def _get(request: Request, conn: Connection, viewer: Viewer, request_id: str) -> Any:
    try:
        return disclosure.get_request(conn, viewer.user, request_id)
    except LookupError:
        deny(
            request, viewer.user, "disclosure.read", 404, "not found",
            object_type="disclosure_request", object_id=request_id[:200],
        )  # fmt: skip


def _detail(
    request: Request,
    conn: Connection,
    viewer: Viewer,
    info: disclosure.RequestInfo,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    user = viewer.user
    owner = info.owner_agency == user.agency
    shown, entity = _read(conn, user, info.entity_id)
    _audit_read(request, conn, user, shown)
    may_decide = owner and info.is_open and Role.SUPERVISOR in user.roles and user.is_active
    # The owner sees its record in full: the fields it holds, and those asked for, come first.
    held = set(shown.data.get("properties", {})) if shown and may_decide else set()
    return render(
        request,
        viewer,
        "requests_detail.html",
        status_code=status_code,
        req=info,
        owner=owner,
        requester=info.requesting_agency == user.agency,
        record=shown.data if shown else None,
        view=shown.view.value if shown else None,
        may_decide=may_decide,
        field_choices=_releasable(entity, held | set(info.fields_requested))
        if may_decide
        else ([], []),
        overdue=is_overdue(info),
        error=error,
        when=when(viewer.lang),
    )


@router.get("/requests/{request_id}")
def request_detail(request_id: str, request: Request, conn: Conn, viewer: PageViewer) -> Response:
    require_records(request, viewer, "disclosure.read")
    info = _get(request, conn, viewer, request_id)
    return _detail(request, conn, viewer, info)


def _step(
    request: Request,
    conn: Connection,
    viewer: Viewer,
    request_id: str,
    action: str,
    run: Any,
) -> Response:
    """Run one step of the service; refusals as the API maps them, a step the service will not
    take back on the page with its reason."""
    user = viewer.user
    where: dict[str, Any] = {"object_type": "disclosure_request", "object_id": request_id[:200]}
    try:
        run()
    except LookupError:
        deny(request, user, action, 404, "not found", **where)
    except PermissionError as exc:
        deny(request, user, action, 403, str(exc), details={"reason": str(exc)}, **where)
    except ValueError as exc:
        key = _failed(request, conn, viewer, action, request_id, exc)
        info = _get(request, conn, viewer, request_id)
        return _detail(request, conn, viewer, info, error=key, status_code=422)
    return RedirectResponse(f"/requests/{request_id}", status_code=status.HTTP_303_SEE_OTHER)


@router.post("/requests/{request_id}/decision")
def decide(
    request_id: str,
    request: Request,
    conn: Conn,
    viewer: FormViewer,
    decision: Annotated[str, Form(max_length=24)] = "",
    fields: Fields = [],  # noqa: B006 - FastAPI copies defaults
    reason: Text = "",
    judicial_use: Annotated[bool, Form()] = False,
) -> Response:
    require_records(request, viewer, "disclosure.decide")
    user = viewer.user
    if decision not in {d.value for d in disclosure.Decision}:
        decision = ""

    def run() -> None:
        if not decision:
            raise disclosure.DisclosureError("choose a decision")
        disclosure.decide(
            conn,
            user,
            actor_of(request, user),
            request_id,
            decision,
            fields=fields,
            reason=reason,
            judicial_use=judicial_use,
        )

    return _step(request, conn, viewer, request_id, "disclosure.decide", run)


@router.post("/requests/{request_id}/info")
def provide_info(
    request_id: str, request: Request, conn: Conn, viewer: FormViewer, text: Text = ""
) -> Response:
    require_records(request, viewer, "disclosure.info_provided")
    user = viewer.user
    return _step(
        request, conn, viewer, request_id, "disclosure.info_provided",
        lambda: disclosure.provide_info(conn, user, actor_of(request, user), request_id, text),
    )  # fmt: skip


@router.post("/requests/{request_id}/withdraw")
def withdraw(
    request_id: str, request: Request, conn: Conn, viewer: FormViewer, reason: Text = ""
) -> Response:
    require_records(request, viewer, "disclosure.withdrawn")
    user = viewer.user
    return _step(
        request, conn, viewer, request_id, "disclosure.withdrawn",
        lambda: disclosure.withdraw(conn, user, actor_of(request, user), request_id, reason),
    )  # fmt: skip
