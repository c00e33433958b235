"""entity links: each reference from one record to another, indexed by the record referred to

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 23:00:00

The records that refer to a given one (its memberships, calls, payments, cases) were found by
scanning the properties of an agency's link records: hundreds of milliseconds at a million
records. The references are now kept in ``entity_link`` when records are written; this migration
fills it from the records already stored.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5000


def upgrade() -> None:
    op.create_table(
        "entity_link",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=False),
        sa.Column("prop", sa.String(length=64), nullable=False),
        sa.Column("target_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["source_id"], ["entity.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_entity_link_source_id", "entity_link", ["source_id"], unique=False)
    op.create_index("ix_entity_link_target_id", "entity_link", ["target_id"], unique=False)
    _fill()


def _fill() -> None:
    # The application's own rule for what a reference is, so that old and new rows agree.
    from vinculo.model.schemata import get_model
    from vinculo.store.entities import references

    schemata = sorted(
        name
        for name, schema in get_model().schemata.items()
        if any(p.type.name == "entity" for p in schema.properties.values())
    )
    if not schemata:
        return
    entity = sa.table(
        "entity",
        sa.column("id", sa.String()),
        sa.column("schema", sa.String()),
        sa.column("properties", sa.JSON()),
    )
    link = sa.table(
        "entity_link",
        sa.column("source_id", sa.String()),
        sa.column("prop", sa.String()),
        sa.column("target_id", sa.String()),
    )
    conn = op.get_bind()
    after = ""
    while True:
        rows = conn.execute(
            sa.select(entity.c.id, entity.c.schema, entity.c.properties)
            .where(entity.c.schema.in_(schemata), entity.c.id > after)
            .order_by(entity.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        found = [
            {"source_id": row.id, "prop": prop, "target_id": target}
            for row in rows
            for prop, target in references(row.schema, row.properties or {})
        ]
        if found:
            conn.execute(sa.insert(link), found)
        after = rows[-1].id


def downgrade() -> None:
    op.drop_index("ix_entity_link_target_id", table_name="entity_link")
    op.drop_index("ix_entity_link_source_id", table_name="entity_link")
    op.drop_table("entity_link")
