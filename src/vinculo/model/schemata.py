"""The vinculo entity model: FollowTheMoney's schemata plus vinculo's own, declared as YAML data.

vinculo's schemata (Firearm, CulturalObject, Seizure, ShippingContainer, Custody, Case) live beside
this module in ``schema/`` and are written in FtM's own schema language, so FtM tooling, proxies and
the lossless JSON-lines format work for them exactly as for FtM's built-in schemata.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from followthemoney.model import Model
from followthemoney.proxy import EntityProxy
from followthemoney.schema import Schema
from followthemoney.settings import MODEL_PATH

VINCULO_SCHEMA_PATH = Path(__file__).parent / "schema"

#: vinculo's own schemata, declared in ``schema/*.yaml``.
VINCULO_SCHEMATA = (
    "Firearm",
    "CulturalObject",
    "Seizure",
    "ShippingContainer",
    "Custody",
    "Case",
)


class VinculoModel(Model):
    """An FtM model loaded from FtM's schema directory and vinculo's own."""

    __slots__ = ()

    def __init__(self, *paths: str) -> None:
        self.path = paths[0]
        self.schemata = {}
        self.properties = set()
        self.qnames = {}
        for path in paths:
            for dirpath, _, filenames in sorted(os.walk(path)):
                for filename in sorted(filenames):
                    if filename.endswith(".yaml"):
                        self._load(os.path.join(dirpath, filename))
        self.generate()


@cache
def get_model() -> VinculoModel:
    """The process-wide model. FtM's singleton is pointed at it so that FtM helpers that look
    schemata up by name (``EntityProxy.from_dict``) also know vinculo's schemata."""
    model = VinculoModel(MODEL_PATH, str(VINCULO_SCHEMA_PATH))
    Model._instance = model
    return model


def get_schema(name: str) -> Schema:
    """The schema called ``name``; raises ``KeyError`` with the known names when unknown."""
    schema = get_model().get(name)
    if schema is None:
        raise KeyError(f"unknown schema {name!r}")
    return schema


def make_proxy(schema: str, entity_id: str | None = None) -> EntityProxy:
    proxy = get_model().make_entity(schema)
    if entity_id is not None:
        proxy.id = entity_id
    return proxy
