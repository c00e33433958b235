"""graph: named link-chart workspaces; indexes that tell the network snapshot the store changed

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 22:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "chart_workspace",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("agency_code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["agency_code"], ["agency.code"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("agency_code", "name", name="uq_chart_workspace_name"),
    )
    with op.batch_alter_table("chart_workspace", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_chart_workspace_agency_code"), ["agency_code"], unique=False
        )
    # vinculo.graph.store asks for the newest write before trusting its snapshot of the links:
    # an indexed maximum, not a scan of millions of rows.
    op.create_index("ix_entity_updated_at", "entity", ["updated_at"], unique=False)
    op.create_index("ix_hit_updated_at", "hit", ["updated_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_hit_updated_at", table_name="hit")
    op.drop_index("ix_entity_updated_at", table_name="entity")
    with op.batch_alter_table("chart_workspace", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chart_workspace_agency_code"))
    op.drop_table("chart_workspace")
