"""Secure messages: threads, composing with recipients, handling code and attachments."""

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
