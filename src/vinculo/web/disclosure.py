"""Disclosure requests, incoming and outgoing: decisions with field-level release, deadlines."""

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
