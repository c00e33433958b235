"""Entity search and read, always through the sharing policy, always on the audit record."""

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, status
from pydantic import BaseModel, Field

from vinculo import audit
from vinculo.api.deps import Conn, CurrentUser, actor_of, deny
from vinculo.identifiers import detect
from vinculo.sharing import policy
from vinculo.store.entities import search_ids

router = APIRouter(tags=["entities"])

Purpose = Annotated[
    str | None,
    Header(
        alias="X-Purpose",
        max_length=500,
        description="Why the data is consulted (case number, task); kept in the audit log",
    ),
]


class EntityOut(BaseModel):
    id: str
    schema_: str = Field(alias="schema")
    agency: str
    agency_country: str | None = None
    markets: list[str]
    view: str
    contact_point: str | None = None
    caption: str | None = None
    properties: dict[str, list[str]] | None = None
    released_fields: list[str] | None = None
    handling_code: str | None = None
    handling_text: str | None = None
    source_evaluation: str | None = None
    subject_category: str | None = None
    minor: bool | None = None
    review_by: str | None = None
    distribution: str | None = None
    distribution_ref: str | None = None
    source_ref: str | None = None
    flags: list[dict[str, Any]] | None = None
    created_at: str | None = None
    updated_at: str | None = None

    model_config = {"populate_by_name": True}


class SearchOut(BaseModel):
    query: str
    results: list[EntityOut]


@router.get(
    "/entities",
    response_model=SearchOut,
    response_model_by_alias=True,
    response_model_exclude_none=True,
)
def search(
    request: Request,
    conn: Conn,
    user: CurrentUser,
    q: Annotated[str, Query(min_length=1, max_length=200, description="Names or identifiers")],
    purpose: Purpose = None,
    schema: Annotated[str | None, Query(max_length=64)] = None,
    agency: Annotated[str | None, Query(max_length=32)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> SearchOut:
    """Records matching names or identifiers, each as the policy shows it to the user (other
    agencies' records usually as hits: that they exist, whose they are, whom to contact)."""
    if not policy.works_with_records(user):
        deny(request, user, "entity.search", status.HTTP_403_FORBIDDEN, "role cannot search")
    ident = detect(q)
    found = search_ids(
        conn,
        q,
        limit=limit,
        schema=schema,
        agency=agency,
        identifier=ident.value if ident and ident.valid else None,
    )
    entities, ctx = policy.read_records(conn, user, found)
    results = []
    views: dict[str, int] = {}
    for entity in entities:
        shown = policy.present(user, entity, ctx)
        if shown.view is not policy.View.NONE:
            results.append(EntityOut.model_validate(shown.data))
            views[shown.view.value] = views.get(shown.view.value, 0) + 1
    # Oversight needs the terms of a search: who looked for whom is what misuse looks like.
    audit.record(
        conn,
        actor_of(request, user),
        "entity.search",
        purpose=purpose,
        details={"query": q, "schema": schema, "agency": agency, "results": views},
    )
    return SearchOut(query=q, results=results)


@router.get(
    "/entities/{entity_id}",
    response_model=EntityOut,
    response_model_by_alias=True,
    response_model_exclude_none=True,
    responses={404: {"description": "No such entity, or none the user may see"}},
)
def read(
    entity_id: str, request: Request, conn: Conn, user: CurrentUser, purpose: Purpose = None
) -> EntityOut:
    found, ctx = policy.read_records(conn, user, [entity_id])
    entity = found[0] if found else None
    if entity is None:
        deny(
            request,
            user,
            "entity.read",
            404,
            "no such entity",
            object_type="entity",
            object_id=entity_id[:200],
            purpose=purpose,
            details={"reason": "not found"},
        )
    shown = policy.present(user, entity, ctx)
    if shown.view is policy.View.NONE:
        # The same answer as for a missing record: a refusal must not confirm existence.
        deny(
            request,
            user,
            "entity.read",
            404,
            "no such entity",
            object_type="entity",
            object_id=entity.id,
            purpose=purpose,
            details={"reason": policy.decide(user, entity, ctx).reason},
        )
    audit.record(
        conn,
        actor_of(request, user),
        "entity.read",
        object_type="entity",
        object_id=entity.id,
        purpose=purpose,
        details={"view": shown.view.value, "owner": entity.meta.agency},
    )
    return EntityOut.model_validate(shown.data)
