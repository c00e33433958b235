"""Secure messages (threads, composing with recipients, handling code and attachments,
acknowledgements) and the user's notifications.

Everything goes through ``vinculo.messages`` (which checks, stores in one transaction, notifies and
audits) and ``vinculo.sharing.notify``. A thread of other agencies is the not-found page, exactly
as one that does not exist. Attachments are downloaded through the API's route
(``/api/v1/messages/attachments/{id}``), which the session cookie authenticates and which serves
them with the service's safe headers.
"""

from typing import Annotated, Any, NoReturn

from fastapi import APIRouter, Form, Query, Request, status
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Connection
from starlette.datastructures import UploadFile

from vinculo import audit, messages
from vinculo.api.deps import Conn, actor_of, deny
from vinculo.messages.attachments import MAX_PER_MESSAGE, max_bytes
from vinculo.messages.drafts import MAX_BODY, MAX_HANDLING_TEXT, MAX_SUBJECT, PRIORITIES
from vinculo.sharing import notify
from vinculo.sharing.directory import list_agencies
from vinculo.web.disclosure import when
from vinculo.web.viewer import FormViewer, PageViewer, Viewer, is_htmx, render, require_records

router = APIRouter(include_in_schema=False)

HANDLING_CODES = ("H0", "H1", "H2", "H3")
RELIABILITY = ("A", "B", "C", "X")
CREDIBILITY = ("1", "2", "3", "4")
#: The form of one message with its files, at most (the files' own limit is the service's).
MAX_FORM_FIELDS = 16

#: The service's refusals (English, for the audit log) -> the key of the page's translated text.
_REASONS = (
    ("name at least one recipient", "no_recipient"),
    ("at most", "too_many"),
    ("unknown agency", "unknown_agency"),
    ("the thread needs a subject", "no_subject"),
    ("subject longer", "too_long"),
    ("the message has no text", "no_body"),
    ("the message is longer", "too_long"),
    ("handling code H3 needs", "h3_text"),
    ("handling_text states", "text_not_h3"),
    ("handling text longer", "too_long"),
    ("handling code", "bad_code"),
    ("priority", "bad_priority"),
    ("unknown record", "unknown_record"),
    ("unknown hit", "bad_hit"),
    ("a thread about a hit", "bad_hit"),
    ("this role cannot", "role"),
)


def reason_key(exc: messages.MessageError) -> str:
    if isinstance(exc, messages.TooLarge):
        return "too_large"
    if exc.detail.startswith("attachment") and exc.detail.endswith("is empty"):
        return "empty_file"
    if isinstance(exc, messages.Forbidden) and "role" not in exc.reason:
        return "may_not_pass"
    found = next((key for start, key in _REASONS if exc.detail.startswith(start)), None)
    if found is None and "evaluation" in exc.detail.lower():
        return "bad_evaluation"
    return found or "failed"


def _refuse(request: Request, viewer: Viewer, exc: messages.MessageError) -> NoReturn:
    deny(request, viewer.user, exc.action, exc.status, exc.detail, **exc.audit_fields())


# --- thread list and search -------------------------------------------------------------------


@router.get("/messages")
def messages_index(
    request: Request,
    conn: Conn,
    viewer: PageViewer,
    q: Annotated[str, Query(max_length=200)] = "",
    unread: Annotated[bool, Query()] = False,
) -> Response:
    require_records(request, viewer, messages.access.LIST)
    actor = actor_of(request, viewer.user)
    try:
        if q.strip():
            found = messages.search(
                conn, viewer.user, actor, q, messages.Filters(unread_only=unread), limit=100
            )
            threads: list[messages.ThreadSummary] = []
        else:
            found = []
            threads = messages.list_threads(conn, viewer.user, actor, unread_only=unread, limit=100)
    except messages.MessageError as exc:
        _refuse(request, viewer, exc)
    return render(
        request,
        viewer,
        "messages.html",
        q=q,
        unread=unread,
        threads=threads,
        found=found,
        when=when(viewer.lang),
    )


# --- composing --------------------------------------------------------------------------------


def _compose(
    request: Request,
    conn: Connection,
    viewer: Viewer,
    values: dict[str, Any],
    *,
    thread: messages.ThreadView | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    agencies = [a for a in list_agencies(conn) if a.code != viewer.user.agency]
    return render(
        request,
        viewer,
        "messages_new.html",
        status_code=status_code,
        agencies=agencies,
        values=values,
        error=error,
        max_subject=MAX_SUBJECT,
        **_form_choices(),
    )


def _form_choices() -> dict[str, Any]:
    """What the message form offers and allows, the same in a new message and in a reply."""
    return {
        "handling_codes": HANDLING_CODES,
        "reliability": RELIABILITY,
        "credibility": CREDIBILITY,
        "priorities": PRIORITIES,
        "max_files": MAX_PER_MESSAGE,
        "max_bytes": max_bytes(),
        "max_body": MAX_BODY,
        "max_handling_text": MAX_HANDLING_TEXT,
    }


def _blank(to: list[str], entity: str = "", hit: str = "") -> dict[str, Any]:
    return {
        "to": to,
        "subject": "",
        "body": "",
        "handling_code": "H0",
        "handling_text": "",
        "reliability": "X",
        "credibility": "4",
        "priority": "routine",
        "entity": entity,
        "hit": hit,
    }


@router.get("/messages/new")
def new_message_form(
    request: Request,
    conn: Conn,
    viewer: PageViewer,
    to: Annotated[str, Query(max_length=400)] = "",
    entity: Annotated[str, Query(max_length=64)] = "",
    hit: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    require_records(request, viewer, messages.access.SEND)
    recipients = [c.strip().upper() for c in to.split(",") if c.strip()]
    return _compose(request, conn, viewer, _blank(recipients, entity, hit))


async def _form(request: Request) -> tuple[dict[str, Any], list[messages.Upload]]:
    """The message form and its files. Files are read up to the size limit plus one byte: enough
    for the service to refuse them, never more into memory."""
    limit = max_bytes()
    values: dict[str, Any] = {"to": []}
    files: list[messages.Upload] = []
    async with request.form(
        max_files=MAX_PER_MESSAGE + 1, max_fields=MAX_FORM_FIELDS + 60, max_part_size=MAX_BODY * 4
    ) as form:
        for key, item in form.multi_items():
            if isinstance(item, UploadFile):
                if key == "files" and item.filename:
                    files.append(messages.Upload(item.filename, await item.read(limit + 1)))
            elif key == "to":
                values["to"].append(item[:32])
            else:
                values[key] = item
    return values, files


def _draft(values: dict[str, Any], files: list[messages.Upload]) -> messages.Draft:
    entity = str(values.get("entity", "")).strip()
    hit = str(values.get("hit", "")).strip()
    return messages.Draft(
        body=str(values.get("body", "")),
        handling_code=str(values.get("handling_code", "H0")),
        handling_text=str(values.get("handling_text", "")) or None,
        evaluation=str(values.get("reliability", "X")) + str(values.get("credibility", "4")),
        priority=str(values.get("priority", "routine")),
        language=None,
        entity_refs=[entity] if entity else [],
        hit_refs=[hit] if hit else [],
        attachments=files,
    )


def _failed(request: Request, conn: Connection, viewer: Viewer, exc: messages.MessageError) -> str:
    """A message the service would not send (nothing of it was written): on the audit record,
    and the page's key for the reason."""
    audit.record(conn, actor_of(request, viewer.user), exc.action, **exc.audit_fields())
    return reason_key(exc)


async def _length_ok(request: Request) -> bool:
    length = request.headers.get("content-length", "")
    return not (
        length.isdigit() and int(length) > (MAX_PER_MESSAGE + 1) * max_bytes() + MAX_BODY * 8
    )


@router.post("/messages/new")
async def send_new(request: Request, conn: Conn, viewer: FormViewer) -> Response:
    require_records(request, viewer, messages.access.SEND)
    if not await _length_ok(request):
        deny(
            request, viewer.user, messages.access.SEND, 413, "request too large",
            outcome="failed", details={"reason": "request over the size limit"},
        )  # fmt: skip
    values, files = await _form(request)
    hit = str(values.get("hit", "")).strip()
    try:
        sent = messages.create_thread(
            conn,
            viewer.user,
            actor_of(request, viewer.user),
            str(values.get("subject", ""))[: MAX_SUBJECT * 2],
            values["to"],
            _draft(values, files),
            hit_id=hit or None,
        )
    except messages.MessageError as exc:
        key = _failed(request, conn, viewer, exc)
        return _compose(
            request, conn, viewer, {**_blank([]), **values}, error=key, status_code=exc.status
        )
    return RedirectResponse(f"/messages/{sent.thread_id}", status_code=status.HTTP_303_SEE_OTHER)


# --- one thread -------------------------------------------------------------------------------


def _thread_page(
    request: Request,
    conn: Connection,
    viewer: Viewer,
    thread_id: str,
    *,
    values: dict[str, Any] | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    try:
        view = messages.open_thread(conn, viewer.user, actor_of(request, viewer.user), thread_id)
    except messages.MessageError as exc:
        _refuse(request, viewer, exc)
    return render(
        request,
        viewer,
        "messages_thread.html",
        status_code=status_code,
        view=view,
        values=values or _blank([]),
        error=error,
        when=when(viewer.lang),
        **_form_choices(),
    )


@router.get("/messages/{thread_id}")
def thread_page(thread_id: str, request: Request, conn: Conn, viewer: PageViewer) -> Response:
    require_records(request, viewer, messages.access.READ)
    return _thread_page(request, conn, viewer, thread_id[:64])


@router.post("/messages/{thread_id}/reply")
async def send_reply(thread_id: str, request: Request, conn: Conn, viewer: FormViewer) -> Response:
    require_records(request, viewer, messages.access.SEND)
    if not await _length_ok(request):
        deny(
            request, viewer.user, messages.access.SEND, 413, "request too large",
            outcome="failed", details={"reason": "request over the size limit"},
        )  # fmt: skip
    values, files = await _form(request)
    values["entity"] = values["hit"] = ""  # a reply refers to what its thread is about
    try:
        messages.reply(
            conn, viewer.user, actor_of(request, viewer.user), thread_id[:64], _draft(values, files)
        )
    except messages.NotFound as exc:
        _refuse(request, viewer, exc)
    except messages.MessageError as exc:
        key = _failed(request, conn, viewer, exc)
        return _thread_page(
            request, conn, viewer, thread_id[:64], values={**_blank([]), **values},
            error=key, status_code=exc.status,
        )  # fmt: skip
    return RedirectResponse(f"/messages/{thread_id}#latest", status_code=status.HTTP_303_SEE_OTHER)


@router.post("/messages/{thread_id}/ack/{message_id}")
def acknowledge(
    thread_id: str, message_id: str, request: Request, conn: Conn, viewer: FormViewer
) -> Response:
    require_records(request, viewer, messages.access.ACK)
    try:
        receipt = messages.acknowledge(
            conn, viewer.user, actor_of(request, viewer.user), thread_id[:64], message_id[:64]
        )
    except messages.MessageError as exc:
        _refuse(request, viewer, exc)
    if is_htmx(request):
        return render(
            request,
            viewer,
            "_messages_receipt.html",
            receipt=receipt,
            message_id=message_id,
            when=when(viewer.lang),
        )
    return RedirectResponse(
        f"/messages/{thread_id}#message-{message_id}", status_code=status.HTTP_303_SEE_OTHER
    )


# --- notifications ----------------------------------------------------------------------------

#: What a notification is about -> the page it links to.
_TARGETS = {
    "disclosure_request": "/requests/{}",
    "message_thread": "/messages/{}",
    "hit": "/hits/{}",
    "entity": "/entities/{}",
    "import_job": "/imports/{}",
}


def link_of(item: notify.NotificationInfo) -> str | None:
    pattern = _TARGETS.get(item.ref_type)
    return pattern.format(item.ref_id) if pattern else None


def _notifications(
    request: Request, conn: Connection, viewer: Viewer, show_all: bool, template: str
) -> Response:
    items = notify.for_user(conn, viewer.user.agency, viewer.user.username, not show_all, 200)
    return render(
        request,
        viewer,
        template,
        items=items,
        links={n.id: link_of(n) for n in items},
        show_all=show_all,
        unread_count=notify.count_unread(conn, viewer.user.agency, viewer.user.username),
        when=when(viewer.lang),
    )


@router.get("/notifications")
def notifications_page(
    request: Request,
    conn: Conn,
    viewer: PageViewer,
    show: Annotated[str, Query(max_length=8)] = "unread",
) -> Response:
    return _notifications(request, conn, viewer, show == "all", "notifications.html")


@router.post("/notifications/read")
def mark_read(
    request: Request,
    conn: Conn,
    viewer: FormViewer,
    ids: Annotated[list[int], Form(max_length=1000)] = [],  # noqa: B006 - FastAPI copies defaults
    show: Annotated[str, Form(max_length=8)] = "unread",
) -> Response:
    """Mark notifications read: only the user's own and their agency's (``notify.mark_read``)."""
    if ids:
        notify.mark_read(conn, viewer.user.agency, viewer.user.username, ids)
    if is_htmx(request):
        return _notifications(request, conn, viewer, show == "all", "_messages_notifications.html")
    target = "/notifications?show=all" if show == "all" else "/notifications"
    return RedirectResponse(target, status_code=status.HTTP_303_SEE_OTHER)
