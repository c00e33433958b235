"""Languages of the web application: catalogues, negotiation, and localised dates and numbers.

A language's catalogue is every ``src/vinculo/locale/<lang>/LC_MESSAGES/*.po`` file: one per area
of the application (``messages.po`` for the frame and login, ``search.po``, ``hits.po``...), so
that people working on different pages never edit the same file. A message used by several areas
may sit in several files, with the same translation in each (a test checks). The files are merged
and compiled in memory the first time a language is used (``babel.messages.mofile.write_mo``), so
no binary ``.mo`` file is kept in the repository or needs a build step. Extraction:
``babel.cfg``. Regional variants (``pt_PT``) hold only the messages that differ from their base
language and fall back to it.
"""

import datetime as dt
import io
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
#: The languages of the application: each has a complete catalogue.
LANGUAGES: tuple[str, ...] = ("es", "pt", "en", "fr")
#: Regional variants: a catalogue holding only the messages that differ from the base language's
#: (``locale/pt_PT``: European Portuguese where it differs from the Brazilian ``pt``).
VARIANTS: Mapping[str, str] = {"pt-PT": "pt"}
#: What the switcher offers, in its order.
CHOICES: tuple[str, ...] = ("es", "pt", "pt-PT", "en", "fr")
DEFAULT = "en"
#: Each language's own name, shown in the switcher whatever the page's language.
NATIVE_NAMES: Mapping[str, str] = {
    "es": "Español",
    "pt": "Português (Brasil)",
    "pt-PT": "Português (Portugal)",
    "en": "English",
    "fr": "Français",
}
LANG_COOKIE = "vinculo_lang"


def babel_code(lang: str) -> str:
    """``pt-PT`` (the tag pages and the switcher use) as babel and the folders spell it."""
    return lang.replace("-", "_")


def catalogue_path(lang: str, area: str = "messages") -> Path:
    return LOCALE_DIR / babel_code(lang) / "LC_MESSAGES" / f"{area}.po"


def catalogue_files(lang: str) -> list[Path]:
    """The catalogue files of a language, ``messages.po`` first."""
    folder = LOCALE_DIR / babel_code(lang) / "LC_MESSAGES"
    return sorted(folder.glob("*.po"), key=lambda p: (p.stem != "messages", p.stem))


def catalogue(lang: str) -> Catalog:
    """A language's messages from all its files, merged (the first file holding a message wins)."""
    merged = Catalog(locale=babel_code(lang), domain="messages")
    for path in catalogue_files(lang):
        with path.open("rb") as po:
            part = read_po(po, locale=babel_code(lang), domain="messages")
        for message in part:
            if message.id and message.id not in merged:
                merged[message.id] = message
    return merged


@lru_cache(maxsize=len(CHOICES))
def translations(lang: str) -> Translations:
    """The compiled catalogue of a language (fuzzy entries are left out, as by ``msgfmt``); a
    variant's falls back to its base language's for the messages it does not change."""
    catalog = catalogue(lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    compiled = Translations(fp=buffer, domain="messages")
    base = VARIANTS.get(lang)
    if base is not None:
        compiled.add_fallback(translations(base))
    return compiled


def supported(value: str | None) -> str | None:
    """One of ``CHOICES`` for a language tag (``pt-BR`` → ``pt``, ``pt_PT`` → ``pt-PT``, ``FR``
    → ``fr``), or None."""
    if not value:
        return None
    parts = value.strip().replace("_", "-").split("-")
    primary = parts[0].lower()
    if len(parts) > 1:
        variant = f"{primary}-{parts[1].upper()}"
        if variant in VARIANTS:
            return variant
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
    # The first tag, by quality, that names one of ours: "fr-CA, en" is French (a region we do not
    # have falls back to its language before the next language is tried), "pt-PT" European
    # Portuguese, "pt-BR" or "pt" Brazilian.
    return next((s for s in map(supported, preferred) if s), None)


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
    return format_decimal(value, locale=babel_code(lang))


def date(value: dt.date | dt.datetime, lang: str, form: str = "long") -> str:
    return format_date(value, format=form, locale=babel_code(lang))


def locale_of(lang: str) -> Locale:
    try:
        return Locale.parse(babel_code(lang))
    except UnknownLocaleError:  # pragma: no cover - LANGUAGES are all known to CLDR
        return Locale.parse(DEFAULT)
