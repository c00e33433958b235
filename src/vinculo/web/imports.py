"""The import wizard: upload, column mapping, preview with problem rows, commit, report,
quarantine."""

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
