"""The hits inbox: triage, side-by-side comparison with the explanation, bulk actions."""

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
