"""sharing: distribution, groups, requests, releases, audit, messages, sessions

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 18:38:22.117821
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "attachment_blob",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256"),
    )
    op.create_table(
        "audit_entry",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("username", sa.String(length=120), nullable=True),
        sa.Column("agency_code", sa.String(length=32), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("object_type", sa.String(length=32), nullable=True),
        sa.Column("object_id", sa.String(length=200), nullable=True),
        sa.Column("purpose", sa.Text(), nullable=True),
        sa.Column("outcome", sa.String(length=8), nullable=False),
        sa.Column("origin", sa.String(length=200), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("entry_hash"),
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_entry_action"), ["action"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_audit_entry_agency_code"), ["agency_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_audit_entry_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_entry_object_id"), ["object_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_entry_username"), ["username"], unique=False)

    op.create_table(
        "export_item",
        sa.Column("export_id", sa.String(length=36), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("agency_code", sa.String(length=32), nullable=False),
        sa.Column("username", sa.String(length=120), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("export_id", "entity_id"),
    )
    with op.batch_alter_table("export_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_export_item_entity_id"), ["entity_id"], unique=False)

    op.create_table(
        "disclosure_request",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=True),
        sa.Column("hit_id", sa.String(length=40), nullable=True),
        sa.Column("schema", sa.String(length=64), nullable=False),
        sa.Column("owner_agency", sa.String(length=32), nullable=False),
        sa.Column("requesting_agency", sa.String(length=32), nullable=False),
        sa.Column("requested_by", sa.String(length=120), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("urgency", sa.String(length=16), nullable=False),
        sa.Column("fields_requested", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=120), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_agency"],
            ["agency.code"],
        ),
        sa.ForeignKeyConstraint(
            ["requesting_agency"],
            ["agency.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("disclosure_request", schema=None) as batch_op:
        batch_op.create_index(
            "ix_disclosure_owner_status", ["owner_agency", "status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_disclosure_request_entity_id"), ["entity_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_disclosure_request_hit_id"), ["hit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_disclosure_request_status"), ["status"], unique=False)
        batch_op.create_index(
            "ix_disclosure_requester_status", ["requesting_agency", "status"], unique=False
        )

    op.create_table(
        "message_thread",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_agency", sa.String(length=32), nullable=False),
        sa.Column("hit_id", sa.String(length=40), nullable=True),
        sa.Column("request_id", sa.String(length=36), nullable=True),
        sa.Column("handling_code", sa.String(length=2), nullable=False),
        sa.Column("handling_text", sa.Text(), nullable=True),
        sa.Column("priority", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_agency"],
            ["agency.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("message_thread", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_message_thread_hit_id"), ["hit_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_message_thread_request_id"), ["request_id"], unique=False
        )

    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("agency_code", sa.String(length=32), nullable=False),
        sa.Column("username", sa.String(length=120), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("ref_type", sa.String(length=32), nullable=False),
        sa.Column("ref_id", sa.String(length=64), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_code"],
            ["agency.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.create_index(
            "ix_notification_agency_read", ["agency_code", "read_at"], unique=False
        )

    op.create_table(
        "sharing_group",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("owner_agency", sa.String(length=32), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_agency"],
            ["agency.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("sharing_group", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sharing_group_owner_agency"), ["owner_agency"], unique=False
        )

    op.create_table(
        "disclosure_event",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("request_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("username", sa.String(length=120), nullable=True),
        sa.Column("agency_code", sa.String(length=32), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["request_id"], ["disclosure_request.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("disclosure_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_disclosure_event_request_id"), ["request_id"], unique=False
        )

    op.create_table(
        "message",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("thread_id", sa.String(length=36), nullable=False),
        sa.Column("sender", sa.String(length=120), nullable=False),
        sa.Column("sender_agency", sa.String(length=32), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=True),
        sa.Column("translations", sa.JSON(), nullable=False),
        sa.Column("handling_code", sa.String(length=2), nullable=False),
        sa.Column("handling_text", sa.Text(), nullable=True),
        sa.Column("source_reliability", sa.String(length=1), nullable=False),
        sa.Column("information_credibility", sa.String(length=1), nullable=False),
        sa.Column("priority", sa.String(length=16), nullable=False),
        sa.Column("refs", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["sender_agency"],
            ["agency.code"],
        ),
        sa.ForeignKeyConstraint(["thread_id"], ["message_thread.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_message_thread_id"), ["thread_id"], unique=False)

    op.create_table(
        "record_release",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("agency_code", sa.String(length=32), nullable=False),
        sa.Column("request_id", sa.String(length=36), nullable=True),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("judicial_use", sa.Boolean(), nullable=False),
        sa.Column("granted_by", sa.String(length=120), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_code"],
            ["agency.code"],
        ),
        sa.ForeignKeyConstraint(["entity_id"], ["entity.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("record_release", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_record_release_agency_code"), ["agency_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_record_release_request_id"), ["request_id"], unique=False
        )
        batch_op.create_index(
            "ix_release_entity_agency", ["entity_id", "agency_code"], unique=False
        )

    op.create_table(
        "sharing_group_member",
        sa.Column("group_id", sa.String(length=36), nullable=False),
        sa.Column("agency_code", sa.String(length=32), nullable=False),
        sa.Column("can_extend", sa.Boolean(), nullable=False),
        sa.Column("added_by", sa.String(length=120), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_code"],
            ["agency.code"],
        ),
        sa.ForeignKeyConstraint(["group_id"], ["sharing_group.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("group_id", "agency_code"),
    )
    op.create_table(
        "thread_participant",
        sa.Column("thread_id", sa.String(length=36), nullable=False),
        sa.Column("agency_code", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_code"],
            ["agency.code"],
        ),
        sa.ForeignKeyConstraint(["thread_id"], ["message_thread.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("thread_id", "agency_code"),
    )
    with op.batch_alter_table("thread_participant", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_thread_participant_agency_code"), ["agency_code"], unique=False
        )

    op.create_table(
        "web_session",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("pending_totp", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("origin", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id_hash"),
    )
    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_web_session_user_id"), ["user_id"], unique=False)

    op.create_table(
        "attachment",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("message_id", sa.String(length=36), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("mime", sa.String(length=127), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["message_id"], ["message.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["sha256"],
            ["attachment_blob.sha256"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attachment_message_id"), ["message_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_attachment_sha256"), ["sha256"], unique=False)

    op.create_table(
        "message_receipt",
        sa.Column("message_id", sa.String(length=36), nullable=False),
        sa.Column("username", sa.String(length=120), nullable=False),
        sa.Column("agency_code", sa.String(length=32), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["message_id"], ["message.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("message_id", "username"),
    )
    with op.batch_alter_table("message_receipt", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_message_receipt_agency_code"), ["agency_code"], unique=False
        )

    # Plain ADD COLUMN (no batch copy): SQLite's entity table carries FTS triggers.
    op.add_column("api_token", sa.Column("scopes", sa.JSON(), nullable=False, server_default="[]"))
    op.add_column("api_token", sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("app_user", sa.Column("totp_secret", sa.String(length=64), nullable=True))
    op.add_column(
        "app_user", sa.Column("totp_confirmed_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("app_user", sa.Column("oidc_subject", sa.String(length=400), nullable=True))
    op.create_index("uq_app_user_oidc_subject", "app_user", ["oidc_subject"], unique=True)
    op.add_column(
        "entity",
        sa.Column("distribution", sa.String(length=16), nullable=False, server_default="agency"),
    )
    op.add_column("entity", sa.Column("distribution_ref", sa.String(length=64), nullable=True))

    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute("INSERT INTO audit_head (id, seq, entry_hash) VALUES (1, 0, '" + "0" * 64 + "')")
    _audit_append_only()


#: The audit log is append-only in the database itself, not only in vinculo's code: an UPDATE or
#: DELETE fails. Someone with the database's owner rights can still drop the trigger, which is
#: why the log is also hash-chained (``vinculo audit verify``).
def _audit_append_only() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION vinculo_audit_append_only() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'the audit log is append-only';
            END;
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            "CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry "
            "FOR EACH ROW EXECUTE FUNCTION vinculo_audit_append_only()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_entry_no_{event.lower()} BEFORE {event} ON audit_entry "
                "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
            )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_entry")
        op.execute("DROP FUNCTION IF EXISTS vinculo_audit_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_entry_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_entry_no_delete")
    op.drop_column("entity", "distribution_ref")
    op.drop_column("entity", "distribution")
    op.drop_index("uq_app_user_oidc_subject", table_name="app_user")
    for column in ("oidc_subject", "totp_confirmed_at", "totp_secret"):
        op.drop_column("app_user", column)
    op.drop_column("api_token", "revoked_at")
    op.drop_column("api_token", "scopes")

    with op.batch_alter_table("message_receipt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_message_receipt_agency_code"))

    op.drop_table("message_receipt")
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attachment_sha256"))
        batch_op.drop_index(batch_op.f("ix_attachment_message_id"))

    op.drop_table("attachment")
    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_session_user_id"))

    op.drop_table("web_session")
    with op.batch_alter_table("thread_participant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_thread_participant_agency_code"))

    op.drop_table("thread_participant")
    op.drop_table("sharing_group_member")
    with op.batch_alter_table("record_release", schema=None) as batch_op:
        batch_op.drop_index("ix_release_entity_agency")
        batch_op.drop_index(batch_op.f("ix_record_release_request_id"))
        batch_op.drop_index(batch_op.f("ix_record_release_agency_code"))

    op.drop_table("record_release")
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_message_thread_id"))

    op.drop_table("message")
    with op.batch_alter_table("disclosure_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_disclosure_event_request_id"))

    op.drop_table("disclosure_event")
    with op.batch_alter_table("sharing_group", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sharing_group_owner_agency"))

    op.drop_table("sharing_group")
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_index("ix_notification_agency_read")

    op.drop_table("notification")
    with op.batch_alter_table("message_thread", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_message_thread_request_id"))
        batch_op.drop_index(batch_op.f("ix_message_thread_hit_id"))

    op.drop_table("message_thread")
    with op.batch_alter_table("disclosure_request", schema=None) as batch_op:
        batch_op.drop_index("ix_disclosure_requester_status")
        batch_op.drop_index(batch_op.f("ix_disclosure_request_status"))
        batch_op.drop_index(batch_op.f("ix_disclosure_request_hit_id"))
        batch_op.drop_index(batch_op.f("ix_disclosure_request_entity_id"))
        batch_op.drop_index("ix_disclosure_owner_status")

    op.drop_table("disclosure_request")
    with op.batch_alter_table("export_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_export_item_entity_id"))

    op.drop_table("export_item")
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_entry_username"))
        batch_op.drop_index(batch_op.f("ix_audit_entry_object_id"))
        batch_op.drop_index(batch_op.f("ix_audit_entry_at"))
        batch_op.drop_index(batch_op.f("ix_audit_entry_agency_code"))
        batch_op.drop_index(batch_op.f("ix_audit_entry_action"))

    op.drop_table("audit_head")
    op.drop_table("audit_entry")
    op.drop_table("attachment_blob")
