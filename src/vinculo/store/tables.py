"""Tables of the vinculo store. One metadata for SQLite and PostgreSQL; dialect-specific search
structures (FTS5, tsvector/pg_trgm) are created by the migrations, not declared here."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timestamps stored in UTC and always returned timezone-aware, whatever the dialect."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dict[str, Any]: JSON,
        list[Any]: JSON,
        dt.datetime: UTCDateTime,
    }


class Agency(Base):
    __tablename__ = "agency"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    networks: Mapped[list[Any]] = mapped_column(default=list)
    #: criminal market -> contact point (office, e-mail or phone) for hits in that market.
    contact_points: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class User(Base):
    __tablename__ = "app_user"
    __table_args__ = (Index("uq_app_user_oidc_subject", "oidc_subject", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(120), unique=True)
    agency_code: Mapped[str] = mapped_column(ForeignKey("agency.code"), index=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str | None] = mapped_column(String(320))
    password_hash: Mapped[str] = mapped_column(String(255))
    roles: Mapped[list[Any]] = mapped_column(default=list)
    locale: Mapped[str | None] = mapped_column(String(10))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column()
    #: Base32 TOTP secret (RFC 6238); the second factor is required once it is confirmed.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_confirmed_at: Mapped[dt.datetime | None] = mapped_column()
    #: ``issuer|sub`` of an OpenID Connect identity linked to this account.
    oidc_subject: Mapped[str | None] = mapped_column(String(400))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ApiToken(Base):
    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    #: SHA-256 of the token: a stolen database does not yield usable tokens.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(120), default="")
    #: Roles this token may act with (a subset of its user's roles); empty means all of them.
    scopes: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column()
    last_used_at: Mapped[dt.datetime | None] = mapped_column()
    revoked_at: Mapped[dt.datetime | None] = mapped_column()


class WebSession(Base):
    """A browser session, kept server-side: the cookie carries only a random id."""

    __tablename__ = "web_session"

    #: SHA-256 of the cookie value.
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    #: ``password``, ``password+totp`` or ``oidc``.
    method: Mapped[str] = mapped_column(String(16))
    #: True between a correct password and the TOTP code it still needs.
    pending_totp: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column()
    last_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    origin: Mapped[str | None] = mapped_column(String(200))


class Entity(Base):
    """One record of one agency: an FtM entity plus the intelligence metadata beside it."""

    __tablename__ = "entity"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    schema: Mapped[str] = mapped_column(String(64), index=True)
    agency_code: Mapped[str] = mapped_column(ForeignKey("agency.code"), index=True)
    caption: Mapped[str] = mapped_column(Text, default="")
    #: FtM properties exactly as given (original values), ``{prop: [values]}``.
    properties: Mapped[dict[str, Any]] = mapped_column()
    #: Hash of schema + properties + metadata: an unchanged re-import writes nothing.
    content_hash: Mapped[str] = mapped_column(String(40))
    markets: Mapped[list[Any]] = mapped_column(default=list)
    handling_code: Mapped[str] = mapped_column(String(2), default="H0")
    handling_text: Mapped[str | None] = mapped_column(Text)
    source_reliability: Mapped[str] = mapped_column(String(1), default="X")
    information_credibility: Mapped[str] = mapped_column(String(1), default="4")
    subject_category: Mapped[str | None] = mapped_column(String(32))
    minor: Mapped[bool] = mapped_column(Boolean, default=False)
    review_by: Mapped[dt.date | None] = mapped_column(Date, index=True)
    #: Who may see the content: ``agency``, ``country``, ``network``, ``all`` or ``group``.
    distribution: Mapped[str] = mapped_column(String(16), default="agency")
    #: The network (``AMERIPOL``) or sharing group id the distribution names.
    distribution_ref: Mapped[str | None] = mapped_column(String(64))
    source_ref: Mapped[str | None] = mapped_column(Text)
    source_key: Mapped[str | None] = mapped_column(Text)
    #: Validation problems kept with the record (a flagged value is stored, never dropped).
    flags: Mapped[list[Any]] = mapped_column(default=list)
    import_job_id: Mapped[str | None] = mapped_column(String(36), index=True)
    source_line: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    #: Indexed (migration 0004): the network snapshot asks for the newest write.
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)


class EntityValue(Base):
    """Normalised values of an entity (names, identifiers, dates) for search and matching."""

    __tablename__ = "entity_value"
    __table_args__ = (Index("ix_entity_value_kind_value", "kind", "value"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entity_id: Mapped[str] = mapped_column(ForeignKey("entity.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    prop: Mapped[str] = mapped_column(String(64))
    original: Mapped[str] = mapped_column(Text)
    value: Mapped[str] = mapped_column(Text)
    valid: Mapped[bool] = mapped_column(Boolean, default=True)
    scheme: Mapped[str | None] = mapped_column(String(32))


class EntityLink(Base):
    """A reference from one record to another (a membership's member, a call's caller, a case's
    subjects), kept beside the properties so that "which records refer to this one" is one index
    read instead of a scan of every link record's properties."""

    __tablename__ = "entity_link"
    __table_args__ = (Index("ix_entity_link_target_id", "target_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("entity.id", ondelete="CASCADE"), index=True)
    prop: Mapped[str] = mapped_column(String(64))
    #: Not a foreign key: the record referred to may be imported later, or be another agency's.
    target_id: Mapped[str] = mapped_column(String(64))


class EntityText(Base):
    """The text a person would search an entity by; indexed with FTS5 or tsvector/pg_trgm."""

    __tablename__ = "entity_text"

    entity_id: Mapped[str] = mapped_column(
        ForeignKey("entity.id", ondelete="CASCADE"), primary_key=True
    )
    text: Mapped[str] = mapped_column(Text)


class ImportJob(Base):
    __tablename__ = "import_job"
    __table_args__ = (UniqueConstraint("job_key", name="uq_import_job_key"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    #: agency + file digest + schema + mapping digest: the same import is the same job.
    job_key: Mapped[str] = mapped_column(String(64))
    agency_code: Mapped[str] = mapped_column(ForeignKey("agency.code"), index=True)
    source_name: Mapped[str] = mapped_column(Text)
    source_sha256: Mapped[str] = mapped_column(String(64))
    file_format: Mapped[str] = mapped_column(String(16))
    schema: Mapped[str | None] = mapped_column(String(64))
    mapping: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="running")
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    #: Last source line whose batch is committed: where a resumed import starts again.
    line_committed: Mapped[int] = mapped_column(Integer, default=0)
    entities_written: Mapped[int] = mapped_column(Integer, default=0)
    rows_rejected: Mapped[int] = mapped_column(Integer, default=0)
    rows_flagged: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column()
    created_by: Mapped[str | None] = mapped_column(String(120))


class ImportProblem(Base):
    __tablename__ = "import_problem"
    __table_args__ = (Index("ix_import_problem_job_line", "job_id", "line"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("import_job.id", ondelete="CASCADE"))
    line: Mapped[int] = mapped_column(Integer)
    column: Mapped[str | None] = mapped_column(String(200))
    value: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(String(8))


class QuarantineRow(Base):
    """A rejected row, kept as read so that it can be corrected and imported again."""

    __tablename__ = "quarantine_row"
    __table_args__ = (UniqueConstraint("job_id", "line", name="uq_quarantine_job_line"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("import_job.id", ondelete="CASCADE"), index=True)
    agency_code: Mapped[str] = mapped_column(ForeignKey("agency.code"), index=True)
    line: Mapped[int] = mapped_column(Integer)
    #: The row as read, column -> text (or ``{"_raw": text}`` when it could not be split).
    raw: Mapped[dict[str, Any]] = mapped_column()
    #: The entity id the row would have produced, when one could be derived.
    entity_key: Mapped[str | None] = mapped_column(String(64), index=True)
    reasons: Mapped[list[Any]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[dt.datetime | None] = mapped_column()


class MatchProfile(Base):
    """What matching compares of an entity, kept so that candidates need no re-reading."""

    __tablename__ = "match_profile"

    entity_id: Mapped[str] = mapped_column(
        ForeignKey("entity.id", ondelete="CASCADE"), primary_key=True
    )
    agency_code: Mapped[str] = mapped_column(String(32), index=True)
    schema: Mapped[str] = mapped_column(String(64))
    content_hash: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict[str, Any]] = mapped_column()
    #: False when indexed only (others can find it) but not yet checked against the others.
    scored: Mapped[bool] = mapped_column(Boolean, default=True)


class MatchKey(Base):
    """Blocking keys of each entity: the persisted form of the resident candidate index."""

    __tablename__ = "match_key"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    entity_id: Mapped[str] = mapped_column(
        ForeignKey("entity.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class KeyExclusion(Base):
    """A value too common to say anything (placeholder phone, "SIN NOMBRE"): never a candidate."""

    __tablename__ = "key_exclusion"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    #: ``auto`` (held by too many records) or ``manual`` (an administrator's decision).
    source: Mapped[str] = mapped_column(String(8))
    holders: Mapped[int] = mapped_column(Integer, default=0)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(120))


class Hit(Base):
    """Two agencies hold data on the same person or object."""

    __tablename__ = "hit"
    __table_args__ = (Index("ix_hit_agencies", "left_agency", "right_agency", "status"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    left_id: Mapped[str] = mapped_column(ForeignKey("entity.id", ondelete="CASCADE"), index=True)
    right_id: Mapped[str] = mapped_column(ForeignKey("entity.id", ondelete="CASCADE"), index=True)
    left_agency: Mapped[str] = mapped_column(String(32))
    right_agency: Mapped[str] = mapped_column(String(32))
    schema: Mapped[str] = mapped_column(String(64))
    score: Mapped[float] = mapped_column()
    #: Per-feature explanation, strongest first ("surnames agree, ...: +7.5").
    explanation: Mapped[list[Any]] = mapped_column(default=list)
    levels: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: new, needs_review, confirmed, rejected
    status: Mapped[str] = mapped_column(String(16), index=True)
    #: Content hashes of both records when last scored or judged: a rejected pair is raised
    #: again only when one of them changes.
    left_hash: Mapped[str] = mapped_column(String(40))
    right_hash: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)


class HitJudgement(Base):
    """Every human judgement on a hit, kept: who decided what, when and why."""

    __tablename__ = "hit_judgement"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    hit_id: Mapped[str] = mapped_column(ForeignKey("hit.id", ondelete="CASCADE"), index=True)
    username: Mapped[str] = mapped_column(String(120))
    agency_code: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class SharingGroup(Base):
    """Agencies an owner names to share with; members with ``can_extend`` may add others (MISP)."""

    __tablename__ = "sharing_group"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    owner_agency: Mapped[str] = mapped_column(ForeignKey("agency.code"), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class SharingGroupMember(Base):
    __tablename__ = "sharing_group_member"

    group_id: Mapped[str] = mapped_column(
        ForeignKey("sharing_group.id", ondelete="CASCADE"), primary_key=True
    )
    agency_code: Mapped[str] = mapped_column(ForeignKey("agency.code"), primary_key=True)
    can_extend: Mapped[bool] = mapped_column(Boolean, default=False)
    added_by: Mapped[str | None] = mapped_column(String(120))
    added_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class DisclosureRequest(Base):
    """An agency asks the owner of a record to disclose it: purpose, legal basis, urgency."""

    __tablename__ = "disclosure_request"
    __table_args__ = (
        Index("ix_disclosure_owner_status", "owner_agency", "status"),
        Index("ix_disclosure_requester_status", "requesting_agency", "status"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    #: No foreign key: the request outlives the record (deletion closes it, keeps its history).
    entity_id: Mapped[str | None] = mapped_column(String(64), index=True)
    hit_id: Mapped[str | None] = mapped_column(String(40), index=True)
    schema: Mapped[str] = mapped_column(String(64))
    owner_agency: Mapped[str] = mapped_column(ForeignKey("agency.code"))
    requesting_agency: Mapped[str] = mapped_column(ForeignKey("agency.code"))
    requested_by: Mapped[str] = mapped_column(String(120))
    purpose: Mapped[str] = mapped_column(Text)
    legal_basis: Mapped[str] = mapped_column(Text)
    #: ``routine``, ``urgent`` or ``immediate``: sets the deadline and the reminders.
    urgency: Mapped[str] = mapped_column(String(16))
    fields_requested: Mapped[list[Any]] = mapped_column(default=list)
    #: pending, info_requested, approved, partially_approved, declined, withdrawn, closed
    status: Mapped[str] = mapped_column(String(24), index=True)
    due_at: Mapped[dt.datetime] = mapped_column()
    reminded_at: Mapped[dt.datetime | None] = mapped_column()
    decided_by: Mapped[str | None] = mapped_column(String(120))
    decided_at: Mapped[dt.datetime | None] = mapped_column()
    decision_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class DisclosureEvent(Base):
    """Each step of a request (asked, more information asked and given, decided, reminded)."""

    __tablename__ = "disclosure_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(
        ForeignKey("disclosure_request.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(24))
    username: Mapped[str | None] = mapped_column(String(120))
    agency_code: Mapped[str | None] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Release(Base):
    """What an owner released of one record to one agency: some fields, or all (``["*"]``)."""

    __tablename__ = "record_release"
    __table_args__ = (Index("ix_release_entity_agency", "entity_id", "agency_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entity_id: Mapped[str] = mapped_column(ForeignKey("entity.id", ondelete="CASCADE"))
    agency_code: Mapped[str] = mapped_column(ForeignKey("agency.code"), index=True)
    request_id: Mapped[str | None] = mapped_column(String(36), index=True)
    fields: Mapped[list[Any]] = mapped_column(default=list)
    #: H1: whether the owner allowed use in judicial proceedings (an export to a judicial package).
    judicial_use: Mapped[bool] = mapped_column(Boolean, default=False)
    granted_by: Mapped[str] = mapped_column(String(120))
    granted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column()


class Notification(Base):
    """Something a user or a whole agency should know about; never carries personal data."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_agency_read", "agency_code", "read_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agency_code: Mapped[str] = mapped_column(ForeignKey("agency.code"))
    #: None: for everyone of the agency who may act on it.
    username: Mapped[str | None] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(40))
    ref_type: Mapped[str] = mapped_column(String(32))
    ref_id: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    read_at: Mapped[dt.datetime | None] = mapped_column()


class AuditEntry(Base):
    """One entry of the append-only, hash-chained audit log."""

    __tablename__ = "audit_entry"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime] = mapped_column(index=True)
    username: Mapped[str | None] = mapped_column(String(120), index=True)
    agency_code: Mapped[str | None] = mapped_column(String(32), index=True)
    action: Mapped[str] = mapped_column(String(40), index=True)
    object_type: Mapped[str | None] = mapped_column(String(32))
    object_id: Mapped[str | None] = mapped_column(String(200), index=True)
    purpose: Mapped[str | None] = mapped_column(Text)
    #: ``ok``, ``denied`` or ``failed``.
    outcome: Mapped[str] = mapped_column(String(8))
    #: Client address for HTTP, ``cli`` for the command line.
    origin: Mapped[str | None] = mapped_column(String(200))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditHead(Base):
    """The newest entry's number and hash (one row). Appending updates it first, which makes
    concurrent writers of the log queue up on SQLite and PostgreSQL alike."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    entry_hash: Mapped[str] = mapped_column(String(64))


class ExportLog(Base):
    """Which records went into which export, so that a deletion can reach the export's maker."""

    __tablename__ = "export_item"

    export_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    entity_id: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    agency_code: Mapped[str] = mapped_column(String(32))
    username: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class MessageThread(Base):
    """A conversation between agencies, possibly about a hit or a disclosure request."""

    __tablename__ = "message_thread"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    subject: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(120))
    created_agency: Mapped[str] = mapped_column(ForeignKey("agency.code"))
    hit_id: Mapped[str | None] = mapped_column(String(40), index=True)
    request_id: Mapped[str | None] = mapped_column(String(36), index=True)
    handling_code: Mapped[str] = mapped_column(String(2), default="H0")
    handling_text: Mapped[str | None] = mapped_column(Text)
    #: ``routine``, ``urgent`` or ``immediate``.
    priority: Mapped[str] = mapped_column(String(16), default="routine")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ThreadParticipant(Base):
    __tablename__ = "thread_participant"

    thread_id: Mapped[str] = mapped_column(
        ForeignKey("message_thread.id", ondelete="CASCADE"), primary_key=True
    )
    agency_code: Mapped[str] = mapped_column(
        ForeignKey("agency.code"), primary_key=True, index=True
    )


class Message(Base):
    __tablename__ = "message"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    thread_id: Mapped[str] = mapped_column(
        ForeignKey("message_thread.id", ondelete="CASCADE"), index=True
    )
    sender: Mapped[str] = mapped_column(String(120))
    sender_agency: Mapped[str] = mapped_column(ForeignKey("agency.code"))
    body: Mapped[str] = mapped_column(Text)
    #: Language of ``body`` (BCP 47), and the sender's own translations: ``{"pt": "..."}``.
    language: Mapped[str | None] = mapped_column(String(10))
    translations: Mapped[dict[str, Any]] = mapped_column(default=dict)
    handling_code: Mapped[str] = mapped_column(String(2), default="H0")
    handling_text: Mapped[str | None] = mapped_column(Text)
    source_reliability: Mapped[str] = mapped_column(String(1), default="X")
    information_credibility: Mapped[str] = mapped_column(String(1), default="4")
    priority: Mapped[str] = mapped_column(String(16), default="routine")
    #: ``{"entities": [ids], "hits": [ids]}`` referenced by the message.
    refs: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class MessageReceipt(Base):
    """When a user of a recipient agency read, and when they acknowledged, a message."""

    __tablename__ = "message_receipt"

    message_id: Mapped[str] = mapped_column(
        ForeignKey("message.id", ondelete="CASCADE"), primary_key=True
    )
    username: Mapped[str] = mapped_column(String(120), primary_key=True)
    agency_code: Mapped[str] = mapped_column(String(32), index=True)
    read_at: Mapped[dt.datetime | None] = mapped_column()
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column()


class AttachmentBlob(Base):
    """Attachment content, stored once per SHA-256 whatever the number of messages citing it."""

    __tablename__ = "attachment_blob"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Attachment(Base):
    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    message_id: Mapped[str] = mapped_column(
        ForeignKey("message.id", ondelete="CASCADE"), index=True
    )
    sha256: Mapped[str] = mapped_column(ForeignKey("attachment_blob.sha256"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    #: Sniffed from the content, never taken from the sender's claim.
    mime: Mapped[str] = mapped_column(String(127))
    size: Mapped[int] = mapped_column(Integer)
