"""Search: one box for names, identifiers, phones, plates and serials, with filters."""

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
