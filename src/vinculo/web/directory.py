"""The agencies directory: agencies, networks, contact points per market."""

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
