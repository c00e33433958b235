"""Labels of record fields in the viewer's language, shared by every page that shows fields.

Property labels come from FollowTheMoney's own translations (its gettext catalogues; ``pt`` is
Brazilian Portuguese there, and European Portuguese readers get the same); a property vinculo
adds, or a name that is not a property, is shown as it is.
"""

from __future__ import annotations

import gettext
from functools import cache

from followthemoney.util import i18n_path

from vinculo.model.schemata import get_model


@cache
def _ftm_translations(lang: str) -> gettext.NullTranslations:
    base = lang.split("-")[0]
    return gettext.translation(
        "followthemoney", i18n_path, [{"pt": "pt_BR"}.get(base, base)], fallback=True
    )


def prop_label(schema: str, prop: str, lang: str) -> str:
    """A property's label in the viewer's language (FtM's translations), or its name."""
    found = get_model().get(schema)
    item = found.properties.get(prop) if found is not None else None
    if item is None:
        return prop
    return _ftm_translations(lang).gettext(item._label or prop)


def prop_type(schema: str, prop: str) -> str:
    """The FtM type of a property (``country``, ``date``, ``entity``...), or ``string``."""
    found = get_model().get(schema)
    item = found.properties.get(prop) if found is not None else None
    return item.type.name if item is not None else "string"
