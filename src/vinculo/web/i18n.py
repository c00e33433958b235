"""Languages of the web application: catalogues, negotiation, and localised dates and numbers.

A language's catalogue is every ``src/vinculo/locale/<lang>/LC_MESSAGES/*.po`` file: one per area
of the application (``messages.po`` for the frame and login, ``search.po``, ``hits.po``...), so
that people working on different pages never edit the same file. A message lives in exactly one
of them (a test checks). They are merged and compiled in memory the first time a language is used
(``babel.messages.mofile.write_mo``), so no binary ``.mo`` file is kept in the repository or
needs a build step. Extraction: ``babel.cfg``.
"""

import datetime as dt
import io
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.core import negotiate_locale
from babel.dates import format_date
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
#: The languages of the application, in the order the switcher shows them.
LANGUAGES: tuple[str, ...] = ("es", "pt", "en", "fr")
DEFAULT = "en"
#: Each language's own name, shown in the switcher whatever the page's language.
NATIVE_NAMES: Mapping[str, str] = {
    "es": "Español",
    "pt": "Português",
    "en": "English",
    "fr": "Français",
}
LANG_COOKIE = "vinculo_lang"


def catalogue_path(lang: str, area: str = "messages") -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{area}.po"


def catalogue_files(lang: str) -> list[Path]:
    """The catalogue files of a language, ``messages.po`` first."""
    folder = LOCALE_DIR / lang / "LC_MESSAGES"
    return sorted(folder.glob("*.po"), key=lambda p: (p.stem != "messages", p.stem))


def catalogue(lang: str) -> Catalog:
    """A language's messages from all its files, merged (the first file holding a message wins)."""
    merged = Catalog(locale=lang, domain="messages")
    for path in catalogue_files(lang):
        with path.open("rb") as po:
            part = read_po(po, locale=lang, domain="messages")
        for message in part:
            if message.id and message.id not in merged:
                merged[message.id] = message
    return merged


@lru_cache(maxsize=len(LANGUAGES))
def translations(lang: str) -> Translations:
    """The compiled catalogue of a language (fuzzy entries are left out, as by ``msgfmt``)."""
    catalog = catalogue(lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(fp=buffer, domain="messages")


def supported(value: str | None) -> str | None:
    """One of ``LANGUAGES`` for a language tag (``pt-BR``, ``pt_PT``, ``FR``), or None."""
    if not value:
        return None
    primary = value.strip().replace("_", "-").split("-", 1)[0].lower()
    return primary if primary in LANGUAGES else None


def from_accept_language(header: str | None) -> str | None:
    """The best of ``LANGUAGES`` for an ``Accept-Language`` header, by its quality values."""
    if not header:
        return None
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and tag != "*" and quality > 0:
            weighted.append((-quality, position, tag.strip().replace("-", "_")))
    preferred = [tag for _, _, tag in sorted(weighted)]
    found = negotiate_locale(preferred, list(LANGUAGES), sep="_")
    if found is None:
        # "pt_BR" is not "pt" to babel's exact match: fall back to primary subtags, in order.
        found = next((s for s in map(supported, preferred) if s), None)
    return supported(found)


def choose(user_locale: str | None, cookie: str | None, accept_language: str | None) -> str:
    """The user's setting, then the language chosen in this browser, then Accept-Language, then
    English."""
    return (
        supported(user_locale)
        or supported(cookie)
        or from_accept_language(accept_language)
        or DEFAULT
    )


def number(value: int | float, lang: str) -> str:
    return format_decimal(value, locale=lang)


def date(value: dt.date | dt.datetime, lang: str, form: str = "long") -> str:
    return format_date(value, format=form, locale=lang)


def locale_of(lang: str) -> Locale:
    try:
        return Locale.parse(lang)
    except UnknownLocaleError:  # pragma: no cover - LANGUAGES are all known to CLDR
        return Locale.parse(DEFAULT)
