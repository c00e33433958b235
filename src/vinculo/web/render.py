"""Rendering pages: one Jinja2 environment per language, autoescaped, with the catalogue's
gettext installed (``{% trans %}``, ``_()``) and localised ``number`` and ``date`` filters."""

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from vinculo.identifiers.countries import country_name
from vinculo.model.metadata import Role
from vinculo.sharing import policy
from vinculo.sharing.directory import UserInfo
from vinculo.web import i18n, labels

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"


@lru_cache(maxsize=len(i18n.CHOICES))
def environment(lang: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(  # type: ignore[attr-defined]
        i18n.translations(lang), newstyle=True
    )

    def number(value: int | float) -> str:
        return i18n.number(value, lang)

    def date(value: dt.date | dt.datetime, form: str = "long") -> str:
        return i18n.date(value, lang, form)

    def country(code: str) -> str:
        return country_name(code, i18n.babel_code(lang))

    def field_label(schema: str, prop: str) -> str:
        return labels.prop_label(schema, prop, lang)

    env.filters.update(number=number, date=date, country=country)
    env.globals.update(field_label=field_label)
    env.globals.update(
        lang=lang,
        languages=i18n.CHOICES,
        native_names=i18n.NATIVE_NAMES,
    )
    return env


@dataclass(frozen=True, slots=True)
class Access:
    """What the menu offers: records (the record-working roles), administration, the DPO's pages.
    Only for showing links: every page checks its own access."""

    records: bool = False
    admin: bool = False
    dpo: bool = False


def access_of(user: UserInfo | None) -> Access:
    if user is None or not user.is_active:
        return Access()
    return Access(
        records=policy.works_with_records(user),
        admin=Role.ADMINISTRATOR in user.roles,
        dpo=Role.DPO in user.roles,
    )


def language(request: Request, user: UserInfo | None) -> str:
    return i18n.choose(
        user.locale if user is not None else None,
        request.cookies.get(i18n.LANG_COOKIE),
        request.headers.get("accept-language"),
    )


def page(
    request: Request,
    template: str,
    lang: str,
    *,
    user: UserInfo | None = None,
    csrf_token: str | None = None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """A rendered page. ``csrf_token`` is the session's (for the logout and language forms)."""
    here = request.url.path
    if request.url.query:
        here += "?" + request.url.query
    html = (
        environment(lang)
        .get_template(template)
        .render(
            user=user,
            csrf_token=csrf_token,
            here=here,
            today=dt.date.today(),
            access=access_of(user),
            **context,
        )
    )
    response = HTMLResponse(html, status_code=status_code)
    response.headers["Content-Language"] = lang
    return response
