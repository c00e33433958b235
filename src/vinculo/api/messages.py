"""Secure messages between agencies: threads, replies, receipts, attachments, search.

Sending takes the message and its attachments in one request, and stores them in one
transaction: either ``application/json`` (the message alone), or ``multipart/form-data`` with a
``message`` part holding the same JSON and one ``files`` part per attachment. A message never
changes once sent — recipients acknowledge what they read — so there is no adding attachments
afterwards.

A thread of other agencies is "404 no such thread", exactly like one that does not exist.
"""

import datetime as dt
from collections.abc import Sequence
from typing import Annotated, Any, Literal, NoReturn, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response, status
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError
from starlette.datastructures import UploadFile

from vinculo import messages
from vinculo.api.deps import Conn, CurrentUser, actor_of, deny
from vinculo.api.entities import EntityOut
from vinculo.messages.attachments import MAX_PER_MESSAGE, max_bytes
from vinculo.messages.drafts import MAX_BODY, MAX_HANDLING_TEXT, MAX_RECIPIENTS, MAX_SUBJECT
from vinculo.messages.refs import MAX_ENTITY_REFS, HitRef
from vinculo.sharing.directory import UserInfo

router = APIRouter(prefix="/messages", tags=["messages"])

#: The JSON of one message, translations included, at most (UTF-8, generous).
MAX_MESSAGE_BYTES = 8 * 1024 * 1024
#: Headers of every attachment download: never sniffed, never rendered as a page, never cached.
DOWNLOAD_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Cache-Control": "no-store",
}

Id = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Language = Annotated[str, StringConstraints(min_length=2, max_length=35)]


class MessageIn(BaseModel):
    """One message. Kept flat (no nested models) so that its JSON schema can be given for both
    request content types."""

    model_config = ConfigDict(extra="forbid")

    body: str = Field(min_length=1, max_length=MAX_BODY)
    language: Language | None = Field(default=None, description="Language of the body (BCP 47)")
    handling_code: Literal["H0", "H1", "H2", "H3"] = "H0"
    handling_text: str | None = Field(
        default=None, max_length=MAX_HANDLING_TEXT, description="The H3 restriction (H3 only)"
    )
    evaluation: str = Field(
        default="X4",
        min_length=2,
        max_length=5,
        description="Source reliability A/B/C/X and information credibility 1-4, e.g. B2",
    )
    priority: Literal["routine", "urgent", "immediate"] = "routine"
    translations: dict[Language, Annotated[str, StringConstraints(max_length=MAX_BODY)]] = Field(
        default_factory=dict,
        max_length=10,
        description="The sender's own translations of the body: {language: text}",
    )
    refs: dict[
        Literal["entities", "hits"], Annotated[list[Id], Field(max_length=MAX_ENTITY_REFS)]
    ] = Field(default_factory=dict, description="Record and hit ids the message is about")

    def draft(self, files: Sequence[messages.Upload]) -> messages.Draft:
        return messages.Draft(
            body=self.body,
            handling_code=self.handling_code,
            handling_text=self.handling_text,
            evaluation=self.evaluation,
            priority=self.priority,
            language=self.language,
            translations=self.translations,
            entity_refs=self.refs.get("entities", []),
            hit_refs=self.refs.get("hits", []),
            attachments=files,
        )


class NewThreadIn(MessageIn):
    subject: str = Field(min_length=1, max_length=MAX_SUBJECT)
    recipients: list[Annotated[str, StringConstraints(min_length=1, max_length=32)]] = Field(
        min_length=1, max_length=MAX_RECIPIENTS, description="Agency codes"
    )
    hit_id: str | None = Field(
        default=None,
        max_length=40,
        description="A thread about a hit: between the hit's two agencies, one per hit",
    )


M = TypeVar("M", bound=MessageIn)


def _request_body(model: type[MessageIn]) -> dict[str, Any]:
    schema = model.model_json_schema()
    assert "$defs" not in schema, "message models must stay flat (see MessageIn)"
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": schema},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["message"],
                        "properties": {
                            "message": {
                                "type": "string",
                                "contentMediaType": "application/json",
                                "description": f"The {model.__name__} JSON",
                            },
                            "files": {
                                "type": "array",
                                "maxItems": MAX_PER_MESSAGE,
                                "items": {"type": "string", "format": "binary"},
                            },
                        },
                    }
                },
            },
        }
    }


async def _submission(
    request: Request, user: UserInfo, model: type[M]
) -> tuple[M, list[messages.Upload]]:
    """The message and its files, from JSON or multipart. Files are read up to the size limit
    plus one byte: enough for the service to refuse them, never more into memory."""
    limit = max_bytes()
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_PER_MESSAGE * limit + MAX_MESSAGE_BYTES:
        deny(
            request,
            user,
            "message.send",
            status.HTTP_413_CONTENT_TOO_LARGE,
            f"request too large: at most {MAX_PER_MESSAGE} attachments of {limit} bytes each",
            outcome="failed",
            details={"reason": "request over the size limit"},
        )
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    files: list[messages.Upload] = []
    raw: str | bytes
    if content_type == "multipart/form-data":
        async with request.form(
            max_files=MAX_PER_MESSAGE, max_fields=4, max_part_size=MAX_MESSAGE_BYTES
        ) as form:
            message = form.get("message")
            if not isinstance(message, str):
                raise RequestValidationError(
                    [{"type": "missing", "loc": ("body", "message"), "msg": "Field required"}]
                )
            raw = message
            for item in form.getlist("files"):
                if not isinstance(item, UploadFile):
                    raise RequestValidationError(
                        [{"type": "value_error", "loc": ("body", "files"), "msg": "not a file"}]
                    )
                files.append(messages.Upload(item.filename, await item.read(limit + 1)))
    elif content_type == "application/json":
        raw = await request.body()
    else:
        raise HTTPException(
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            "send application/json, or multipart/form-data with a 'message' part and 'files'",
        )
    try:
        return model.model_validate_json(raw), files
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_context=False, include_input=False)
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in errors]) from None


async def new_thread_submission(
    request: Request, user: CurrentUser
) -> tuple[NewThreadIn, list[messages.Upload]]:
    return await _submission(request, user, NewThreadIn)


async def reply_submission(
    request: Request, user: CurrentUser
) -> tuple[MessageIn, list[messages.Upload]]:
    return await _submission(request, user, MessageIn)


def _refuse(request: Request, user: UserInfo, exc: messages.MessageError) -> NoReturn:
    deny(request, user, exc.action, exc.status, exc.detail, **exc.audit_fields())


class AttachmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    filename: str
    mime: str = Field(description="Sniffed from the content, never the sender's claim")
    size: int
    sha256: str
    executable: bool
    inline_allowed: bool


class SentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    thread_id: str
    message_id: str
    created: bool = Field(description="False: the message went into the hit's existing thread")
    participants: list[str]
    attachments: list[AttachmentOut]


class ThreadSummaryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    subject: str
    hit_id: str | None = None
    participants: list[str]
    created_by: str
    created_agency: str
    handling_code: str
    handling_text: str | None = None
    priority: str
    created_at: dt.datetime
    updated_at: dt.datetime
    messages: int
    unread: int


class ReceiptOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    username: str
    agency: str
    read_at: dt.datetime | None = None
    acknowledged_at: dt.datetime | None = None


class TranslationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    language: str
    text: str


class HitRefOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    schema_: str | None = Field(default=None, alias="schema")
    status: str | None = None
    score: float | None = None
    agencies: list[str] | None = None

    @classmethod
    def of(cls, ref: HitRef) -> "HitRefOut":
        return cls(
            id=ref.id, schema=ref.schema, status=ref.status, score=ref.score, agencies=ref.agencies
        )


class MessageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    thread_id: str
    sender: str
    sender_agency: str
    created_at: dt.datetime
    body: str = Field(description="The original text, always")
    language: str | None = None
    translation: TranslationOut | None = Field(
        default=None, description="The sender's translation into the reader's language"
    )
    translations_available: list[str]
    handling_code: str
    handling_text: str | None = None
    evaluation: str
    priority: str
    incoming: bool
    entities: list[EntityOut] = Field(description="Records referenced, as the policy shows them")
    unavailable_entities: list[str]
    hits: list[HitRefOut]
    attachments: list[AttachmentOut]
    receipts: list[ReceiptOut]


class ThreadOut(BaseModel):
    thread: ThreadSummaryOut
    messages: list[MessageOut]


class FoundOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    thread_id: str
    subject: str
    message_id: str
    sender: str
    sender_agency: str
    created_at: dt.datetime
    priority: str
    handling_code: str
    hit_id: str | None = None
    unread: bool
    excerpt: str


def _message_out(view: messages.MessageView) -> MessageOut:
    return MessageOut(
        id=view.id,
        thread_id=view.thread_id,
        sender=view.sender,
        sender_agency=view.sender_agency,
        created_at=view.created_at,
        body=view.body,
        language=view.language,
        translation=TranslationOut.model_validate(view.translation) if view.translation else None,
        translations_available=view.translations_available,
        handling_code=view.handling_code,
        handling_text=view.handling_text,
        evaluation=view.evaluation,
        priority=view.priority,
        incoming=view.incoming,
        entities=[EntityOut.model_validate(e) for e in view.entities],
        unavailable_entities=view.unavailable_entities,
        hits=[HitRefOut.of(h) for h in view.hits],
        attachments=[AttachmentOut.model_validate(a) for a in view.attachments],
        receipts=[ReceiptOut.model_validate(r) for r in view.receipts],
    )


@router.post(
    "/threads",
    status_code=201,
    response_model=SentOut,
    openapi_extra=_request_body(NewThreadIn),
    responses={
        400: {"description": "Unknown recipient, record or hit; bad handling code or evaluation"},
        403: {"description": "Role without records, or a record that may not go to a recipient"},
        413: {"description": "An attachment over the size limit: nothing was sent"},
    },
)
def new_thread(
    request: Request,
    conn: Conn,
    user: CurrentUser,
    submission: Annotated[
        tuple[NewThreadIn, list[messages.Upload]], Depends(new_thread_submission)
    ],
) -> SentOut:
    """Open a thread with other agencies (or, about a hit, write in the hit's thread)."""
    body, files = submission
    try:
        sent = messages.create_thread(
            conn,
            user,
            actor_of(request, user),
            body.subject,
            body.recipients,
            body.draft(files),
            hit_id=body.hit_id,
        )
    except messages.MessageError as exc:
        _refuse(request, user, exc)
    return SentOut.model_validate(sent)


@router.get("/threads", response_model=list[ThreadSummaryOut])
def threads(
    request: Request,
    conn: Conn,
    user: CurrentUser,
    unread_only: bool = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[ThreadSummaryOut]:
    """Threads of the user's agency, most recently active first, with the user's unread counts."""
    try:
        found = messages.list_threads(
            conn, user, actor_of(request, user), unread_only=unread_only, limit=limit, offset=offset
        )
    except messages.MessageError as exc:
        _refuse(request, user, exc)
    return [ThreadSummaryOut.model_validate(t) for t in found]


@router.get(
    "/threads/{thread_id}",
    response_model=ThreadOut,
    response_model_by_alias=True,
    response_model_exclude_none=True,
    responses={404: {"description": "No such thread, or not one of the user's agency"}},
)
def thread(thread_id: str, request: Request, conn: Conn, user: CurrentUser) -> ThreadOut:
    """A thread with its messages; marks the incoming ones read for the user."""
    try:
        view = messages.open_thread(conn, user, actor_of(request, user), thread_id)
    except messages.MessageError as exc:
        _refuse(request, user, exc)
    return ThreadOut(
        thread=ThreadSummaryOut.model_validate(view.thread),
        messages=[_message_out(m) for m in view.messages],
    )


@router.post(
    "/threads/{thread_id}/messages",
    status_code=201,
    response_model=SentOut,
    openapi_extra=_request_body(MessageIn),
    responses={
        404: {"description": "No such thread, or not one of the user's agency"},
        413: {"description": "An attachment over the size limit: nothing was sent"},
    },
)
def reply(
    thread_id: str,
    request: Request,
    conn: Conn,
    user: CurrentUser,
    submission: Annotated[tuple[MessageIn, list[messages.Upload]], Depends(reply_submission)],
) -> SentOut:
    """Reply in a thread, with attachments if sent as multipart."""
    body, files = submission
    try:
        sent = messages.reply(conn, user, actor_of(request, user), thread_id, body.draft(files))
    except messages.MessageError as exc:
        _refuse(request, user, exc)
    return SentOut.model_validate(sent)


@router.post(
    "/threads/{thread_id}/messages/{message_id}/ack",
    response_model=ReceiptOut,
    responses={404: {"description": "No such thread or message"}},
)
def acknowledge(
    thread_id: str, message_id: str, request: Request, conn: Conn, user: CurrentUser
) -> ReceiptOut:
    """Acknowledge a message of another agency (idempotent: the first time is kept)."""
    try:
        receipt = messages.acknowledge(conn, user, actor_of(request, user), thread_id, message_id)
    except messages.MessageError as exc:
        _refuse(request, user, exc)
    return ReceiptOut.model_validate(receipt)


@router.get(
    "/attachments/{attachment_id}",
    response_class=Response,
    responses={
        200: {"description": "The file, as a download unless an image asked inline"},
        404: {"description": "No such attachment, or not in a thread of the user's agency"},
    },
)
def attachment(
    attachment_id: int,
    request: Request,
    conn: Conn,
    user: CurrentUser,
    inline: Annotated[
        bool, Query(description="Show PNG, JPEG, GIF or WebP inline; ignored for other types")
    ] = False,
) -> Response:
    try:
        found = messages.download(conn, user, actor_of(request, user), attachment_id, inline)
    except messages.MessageError as exc:
        _refuse(request, user, exc)
    return Response(
        content=found.data,
        media_type=found.content_type,
        headers={**DOWNLOAD_HEADERS, "Content-Disposition": found.content_disposition},
    )


@router.get("/search", response_model=list[FoundOut])
def search(
    request: Request,
    conn: Conn,
    user: CurrentUser,
    q: Annotated[
        str | None, Query(max_length=200, description="Words of a subject or text")
    ] = None,
    priority: Literal["routine", "urgent", "immediate"] | None = None,
    handling_code: Literal["H0", "H1", "H2", "H3"] | None = None,
    hit_id: Annotated[str | None, Query(max_length=40)] = None,
    unread_only: bool = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[FoundOut]:
    """Messages of the user's agency's threads whose subject or text contains ``q``."""
    filters = messages.Filters(priority, handling_code, hit_id, unread_only)
    try:
        found = messages.search(
            conn, user, actor_of(request, user), q, filters, limit=limit, offset=offset
        )
    except messages.MessageError as exc:
        _refuse(request, user, exc)
    return [FoundOut.model_validate(f) for f in found]
