"""The words and the date of a picture of a chart (SVG, PNG), in the reader's language.

Shared by the chart page, the API and the CLI; it lives with the web application because its
words are in the web's translation catalogues, and apart from the chart page's routes so that
the other faces need not load them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from vinculo.graph import exports
from vinculo.sharing.directory import UserInfo
from vinculo.web import i18n


def picture_texts(lang: str) -> exports.PictureTexts:
    """The words of an SVG or PNG picture of a chart in ``lang`` (the page's language; the API
    and the CLI use the user's setting)."""
    gettext = i18n.translations(lang).gettext
    return exports.PictureTexts(
        title=gettext("Link chart"),
        codes=gettext("Handling codes: %(codes)s"),
        code_words={
            "H0": gettext("H0 — free for use in preventing and combating crime."),
            "H1": gettext(
                "H1 — not to be used in judicial proceedings without the owner's permission."
            ),
            "H2": gettext(
                "H2 — not to be passed on beyond your agency without the owner's permission."
            ),
            "H3": gettext("H3 — other restrictions set by the owner: see the handling conditions."),
        },
        exported=gettext("Exported by %(user)s (%(agency)s) on %(date)s"),
        legend=gettext("Legend"),
        placeholder=gettext("Placeholder: hit only, the content is held by the owner agency"),
        identifier=gettext("Shared identifier"),
        same_as=gettext("Confirmed hit (same person)"),
        links=gettext("Link (thicker: more links between the two)"),
        kinds={
            "Associate": gettext("Associates"),
            "Family": gettext("Family"),
            "Membership": gettext("Membership"),
            "Ownership": gettext("Ownership"),
            "Directorship": gettext("Directorship"),
            "Employment": gettext("Employment"),
            "Payment": gettext("Payments"),
            "Call": gettext("Calls"),
            "Event": gettext("Events and meetings"),
            "Seizure": gettext("Seizures"),
            "Custody": gettext("Custody"),
            "Case": gettext("Cases"),
            "identifier": gettext("Shared identifiers"),
            "same_as": gettext("Confirmed hits"),
        },
    )


def picture_for(
    user: UserInfo, lang: str | None = None, layout: dict[str, Any] | None = None
) -> exports.Picture:
    """How to draw a chart for ``user``: in ``lang`` (else their own setting, else English),
    dated today, with the page's positions and colours when it sent them."""
    lang = i18n.supported(lang) or i18n.supported(user.locale) or i18n.DEFAULT
    layout = layout or {}
    return exports.Picture(
        positions=layout.get("positions") or {},
        colours=layout.get("colours") or {},
        legend=layout.get("legend") or {},
        texts=picture_texts(lang),
        date=i18n.date(dt.datetime.now(dt.UTC).date(), lang),
    )
