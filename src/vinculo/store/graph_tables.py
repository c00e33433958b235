"""Tables of network analysis: named link-chart workspaces. Same ``Base`` and metadata as
``vinculo.store.tables`` (migration 0004)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from vinculo.store.tables import Base, utcnow


class ChartWorkspace(Base):
    """A saved link chart, shared with the colleagues of its agency: which records are on it,
    which are pinned where, and the analysts' notes. Only ids are kept: whoever opens it sees the
    records as the policy shows them to them, at that moment."""

    __tablename__ = "chart_workspace"
    __table_args__ = (UniqueConstraint("agency_code", "name", name="uq_chart_workspace_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agency_code: Mapped[str] = mapped_column(ForeignKey("agency.code"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    #: ``{"ids": [...], "pinned": {id: [x, y]}, "notes": {id: text}, "filters": {...}}``
    state: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_by: Mapped[str] = mapped_column(String(120))
    updated_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
