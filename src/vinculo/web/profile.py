"""The entity profile: properties with their sources, hits, links, a small chart, timeline, map."""

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
