"""The link chart: expand neighbours, filters, layouts, pin, export."""

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
