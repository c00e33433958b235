"""Administration: users, roles, agencies, sharing groups, exclusions; the DPO's audit and review
pages."""

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
