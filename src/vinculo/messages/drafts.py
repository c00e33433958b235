"""What a sender writes, checked before anything is stored."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from vinculo.messages.attachments import Upload
from vinculo.messages.errors import Invalid
from vinculo.model.metadata import HandlingCode, parse_evaluation

MAX_SUBJECT = 300
MAX_BODY = 100_000
MAX_RECIPIENTS = 50
MAX_HANDLING_TEXT = 2000
MAX_TRANSLATIONS = 10
PRIORITIES = ("routine", "urgent", "immediate")
#: BCP 47, loosely: a 2-3 letter language and optional subtags (``pt``, ``pt-BR``, ``es-419``).
LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8}){0,2}$")


def priority_rank(priority: str) -> int:
    return PRIORITIES.index(priority) if priority in PRIORITIES else 0


def language_tag(value: str | None) -> str | None:
    """A language tag in lower case (``pt-BR`` → ``pt-br``), or None when not one."""
    if not value:
        return None
    tag = value.strip().replace("_", "-").lower()
    return tag if LANGUAGE_RE.match(tag) else None


@dataclass(frozen=True, slots=True)
class Draft:
    """One message as written by its sender."""

    body: str
    handling_code: str = "H0"
    #: The owner's restriction; required with H3, refused with any other code.
    handling_text: str | None = None
    #: Source reliability A/B/C/X and information credibility 1-4, e.g. ``B2``.
    evaluation: str = "X4"
    priority: str = "routine"
    #: Language of the body (BCP 47).
    language: str | None = None
    #: The sender's own translations of the body, ``{"pt": "..."}``: shown beside the original.
    translations: Mapping[str, str] = field(default_factory=dict)
    entity_refs: Sequence[str] = ()
    hit_refs: Sequence[str] = ()
    attachments: Sequence[Upload] = ()


@dataclass(frozen=True, slots=True)
class CleanDraft:
    body: str
    handling_code: str
    handling_text: str | None
    source_reliability: str
    information_credibility: str
    priority: str
    language: str | None
    translations: dict[str, str]


def clean(draft: Draft, action: str) -> CleanDraft:
    def bad(message: str) -> Invalid:
        return Invalid(message, action=action)

    body = draft.body.strip()
    if not body:
        raise bad("the message has no text")
    if len(body) > MAX_BODY:
        raise bad(f"the message is longer than {MAX_BODY} characters")
    try:
        code = HandlingCode(draft.handling_code.strip().upper())
    except ValueError:
        raise bad(f"handling code {draft.handling_code!r}: one of H0, H1, H2, H3") from None
    text = (draft.handling_text or "").strip() or None
    if code == HandlingCode.H3 and not text:
        raise bad("handling code H3 needs the restriction text (handling_text)")
    if code != HandlingCode.H3 and text:
        raise bad("handling_text states an H3 restriction: give it only with handling code H3")
    if text and len(text) > MAX_HANDLING_TEXT:
        raise bad(f"handling text longer than {MAX_HANDLING_TEXT} characters")
    try:
        reliability, credibility = parse_evaluation(draft.evaluation)
    except ValueError as exc:
        raise bad(str(exc)) from None
    if draft.priority not in PRIORITIES:
        raise bad(f"priority {draft.priority!r}: one of {', '.join(PRIORITIES)}")
    language = language_tag(draft.language)
    if draft.language and language is None:
        raise bad(f"language {draft.language!r} is not a language tag such as es or pt-BR")
    if len(draft.translations) > MAX_TRANSLATIONS:
        raise bad(f"at most {MAX_TRANSLATIONS} translations")
    translations: dict[str, str] = {}
    for lang, translated in draft.translations.items():
        tag = language_tag(lang)
        if tag is None:
            raise bad(f"translation language {lang!r} is not a language tag such as es or pt-BR")
        translated = translated.strip()
        if not translated or len(translated) > MAX_BODY:
            raise bad(f"translation {tag}: 1 to {MAX_BODY} characters")
        translations[tag] = translated
    return CleanDraft(
        body=body,
        handling_code=code.value,
        handling_text=text,
        source_reliability=reliability.value,
        information_credibility=credibility.value,
        priority=draft.priority,
        language=language,
        translations=translations,
    )


def pick_translation(
    translations: Mapping[str, str], language: str | None, locale: str | None
) -> tuple[str, str] | None:
    """The translation for a reader's locale (``pt-BR``: ``pt-br``, else ``pt``), unless the
    original is already in that language."""
    tag = language_tag(locale)
    if tag is None:
        return None
    primary = tag.split("-")[0]
    if language and language.split("-")[0] == primary:
        return None
    for candidate in (tag, primary):
        if candidate in translations:
            return candidate, str(translations[candidate])
    # ``pt`` reader, ``pt-br`` translation: the same language is better than none.
    for key in sorted(translations):
        if key.split("-")[0] == primary:
            return key, str(translations[key])
    return None
