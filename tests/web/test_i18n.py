"""Every message of the web application has a translation in es, pt, en and fr, and the
catalogues hold nothing else (a stale or misspelt msgid is an error too)."""

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from vinculo.web import i18n

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "src" / "vinculo" / "web"


def extracted() -> dict[str, list[str]]:
    """msgid -> where it is used, by the extraction ``babel.cfg`` describes (Python and the
    Jinja2 templates, with the i18n extension)."""
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found: dict[str, list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        WEB, method_map, options_map
    ):
        ids = message if isinstance(message, tuple) else (message,)
        for msgid in ids:
            if msgid:
                found.setdefault(msgid, []).append(f"{filename}:{lineno}")
    return found


def test_extraction_finds_the_messages() -> None:
    found = extracted()
    # Both template syntaxes are seen: _() calls and {% trans %} blocks with variables.
    assert "Log in" in found
    assert "Welcome, %(name)s" in found
    assert len(found) >= 30


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_every_message_is_translated(lang: str) -> None:
    catalog = i18n.catalogue(lang)
    used = extracted()
    untranslated = []
    for msgid, where in sorted(used.items()):
        message = catalog.get(msgid)
        strings = (
            message.string
            if message is not None and isinstance(message.string, tuple)
            else (message.string,)
            if message is not None
            else ("",)
        )
        if message is None or message.fuzzy or not all(s.strip() for s in strings):
            untranslated.append(f"{msgid!r} ({', '.join(where)})")
    assert not untranslated, f"{lang}: no translation for " + "; ".join(untranslated)
    stale = sorted(m.id for m in catalog if m.id and m.id not in used)
    assert not stale, f"{lang}: messages no longer used: {stale}"


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_placeholders_are_kept(lang: str) -> None:
    for message in i18n.catalogue(lang):
        if message.id and isinstance(message.id, str) and isinstance(message.string, str):
            assert sorted(_placeholders(message.id)) == sorted(_placeholders(message.string)), (
                lang,
                message.id,
            )


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_each_message_lives_in_one_file(lang: str) -> None:
    """The area files of a language never hold the same message twice (one would hide the other),
    and every language has the same files."""
    seen: dict[str, str] = {}
    twice = []
    for path in i18n.catalogue_files(lang):
        with path.open("rb") as po:
            for message in read_po(po, locale=lang):
                if message.id:
                    key = message.id if isinstance(message.id, str) else message.id[0]
                    if key in seen:
                        twice.append(f"{key!r} in {seen[key]} and {path.name}")
                    seen[key] = path.name
    assert not twice, twice
    names = [p.name for p in i18n.catalogue_files(lang)]
    assert names[0] == "messages.po"
    assert names == [p.name for p in i18n.catalogue_files(i18n.DEFAULT)]


def _placeholders(text: str) -> list[str]:
    return re.findall(r"%\(\w+\)s", text)


def test_compiled_catalogue_is_used() -> None:
    assert i18n.translations("pt").gettext("Password") == "Senha"
    assert i18n.translations("fr").gettext("Log out") == "Se déconnecter"
