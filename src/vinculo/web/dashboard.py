"""The dashboard: counts and trends by market, country and agency; a choropleth."""

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
