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
def test_a_message_in_several_files_reads_the_same_in_each(lang: str) -> None:
    """Areas may share a message ("Delete", "Status"), but then with one translation: the merge
    keeps the first file's, and a different text elsewhere would be silently ignored. Every
    language has the same files."""
    seen: dict[str, tuple[str, object]] = {}
    differing = []
    for path in i18n.catalogue_files(lang):
        with path.open("rb") as po:
            for message in read_po(po, locale=lang):
                if message.id:
                    key = message.id if isinstance(message.id, str) else message.id[0]
                    if key in seen and seen[key][1] != message.string:
                        differing.append(f"{key!r}: {seen[key][0]} and {path.name} differ")
                    seen.setdefault(key, (path.name, message.string))
    assert not differing, differing
    names = [p.name for p in i18n.catalogue_files(lang)]
    assert names[0] == "messages.po"
    assert names == [p.name for p in i18n.catalogue_files(i18n.DEFAULT)]


def _placeholders(text: str) -> list[str]:
    return re.findall(r"%\(\w+\)s", text)


def test_compiled_catalogue_is_used() -> None:
    assert i18n.translations("pt").gettext("Password") == "Senha"
    assert i18n.translations("fr").gettext("Log out") == "Se déconnecter"


@pytest.mark.parametrize("variant", sorted(i18n.VARIANTS))
def test_a_variant_holds_only_real_differences(variant: str) -> None:
    """pt-PT's catalogue: messages in use, translated, each different from the base language's
    (a copy would hide a later correction of the base), placeholders kept, in files the base has."""
    base = i18n.VARIANTS[variant]
    base_files = {p.name for p in i18n.catalogue_files(base)}
    assert {p.name for p in i18n.catalogue_files(variant)} <= base_files
    used = extracted()
    base_catalog = i18n.catalogue(base)
    messages = [m for m in i18n.catalogue(variant) if m.id]
    assert messages
    for message in messages:
        assert message.id in used, message.id
        assert isinstance(message.string, str) and message.string.strip(), message.id
        assert message.string != base_catalog[message.id].string, message.id
        assert sorted(_placeholders(message.id)) == sorted(_placeholders(message.string))


def test_european_portuguese_where_it_differs_and_brazilian_elsewhere() -> None:
    pt_pt = i18n.translations("pt-PT")
    assert pt_pt.gettext("Password") == "Palavra-passe"
    assert i18n.translations("pt").gettext("Password") == "Senha"
    # Not in the variant's catalogue: the Brazilian text, which is the same in Portugal.
    assert pt_pt.gettext("Continue") == "Continuar"


@pytest.mark.parametrize(
    ("tag", "expected"),
    [("pt-PT", "pt-PT"), ("pt_pt", "pt-PT"), ("pt-BR", "pt"), ("pt", "pt"), ("es-MX", "es")],
)
def test_language_tags_map_to_the_choices(tag: str, expected: str) -> None:
    assert i18n.supported(tag) == expected


def test_accept_language_prefers_the_regional_variant_asked_for() -> None:
    assert i18n.from_accept_language("pt-PT,pt;q=0.9,en;q=0.8") == "pt-PT"
    assert i18n.from_accept_language("pt-BR,pt;q=0.9") == "pt"
    assert i18n.from_accept_language("en;q=0.9,pt-PT;q=0.5") == "en"


def test_a_region_we_lack_falls_back_to_its_language_before_the_next_language() -> None:
    assert i18n.from_accept_language("fr-CA,en;q=0.8") == "fr"
    assert i18n.from_accept_language("de-DE,es;q=0.7,en;q=0.6") == "es"
    assert i18n.from_accept_language("de-DE") is None
