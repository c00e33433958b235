"""E-mail addresses."""

from __future__ import annotations

import re

from vinculo.identifiers.text import nfc
from vinculo.identifiers.types import Identifier

_MAILTO = re.compile(r"^\s*(?:mailto:)?\s*<?\s*|\s*>?\s*$", re.I)
# Deliberately simpler than RFC 5322: quoted local parts and IP-literal
# domains do not occur in our sources and accepting them admits garbage.
_LOCAL = re.compile(r"^[\w!#$%&'*+/=?^`{|}~-]+(?:\.[\w!#$%&'*+/=?^`{|}~-]+)*$")
_LABEL = re.compile(r"^(?!-)[\w-]{1,63}(?<!-)$")
_TLD = re.compile(r"^(?:[^\W\d_]{2,63}|xn--[a-z0-9-]{1,59})$")


def normalise_email(value: str) -> Identifier:
    """Lower-cased e-mail address; ``mailto:`` and angle brackets removed.

    The local part is lower-cased too: in principle it is case-sensitive,
    but no mainstream provider treats it so, and matching must not miss
    ``Juan.Perez@`` vs ``juan.perez@``.  Provider-specific rewriting (dots
    or ``+tags`` in Gmail) is not done: that would be guessing.
    """
    text = nfc(_MAILTO.sub("", value))
    if not text:
        return Identifier("email", value, None, False, reason="empty")
    local, at, domain = text.rpartition("@")
    if not at:
        return Identifier("email", value, None, False, reason="missing @")
    canonical = f"{local}@{domain}".lower()
    if not local or len(local) > 64 or not _LOCAL.match(local):
        return Identifier("email", value, canonical, False, reason="invalid local part")
    labels = domain.rstrip(".").lower().split(".")
    if (
        len(labels) < 2
        or len(domain) > 253
        or not all(_LABEL.match(label) for label in labels)
        or not _TLD.match(labels[-1])
    ):
        return Identifier("email", value, canonical, False, reason="invalid domain")
    canonical = f"{local}@{'.'.join(labels)}".lower()
    return Identifier("email", value, canonical, True)
