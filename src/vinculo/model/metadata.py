"""Intelligence metadata kept beside every entity: who owns it, how it may be handled, how far it
can be trusted, and whom it is about.

The vocabularies follow Europol's practice (handling codes H0-H3, the 4x4 evaluation, data-subject
categories) because that is what EU and Latin American liaison officers already use.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from enum import StrEnum

DEFAULT_REVIEW_YEARS = 3


class CriminalMarket(StrEnum):
    DRUGS = "drugs"
    HUMAN_TRAFFICKING = "human_trafficking"
    MIGRANT_SMUGGLING = "migrant_smuggling"
    FIREARMS = "firearms"
    CULTURAL_GOODS = "cultural_goods"
    CYBERCRIME = "cybercrime"
    ENVIRONMENTAL_CRIME = "environmental_crime"
    MONEY_LAUNDERING = "money_laundering"
    CORRUPTION = "corruption"
    OTHER = "other"


class HandlingCode(StrEnum):
    """Europol handling codes."""

    #: Free for use in crime prevention and combating.
    H0 = "H0"
    #: Not to be used in judicial proceedings without the owner's permission.
    H1 = "H1"
    #: No dissemination beyond the recipient without the owner's permission.
    H2 = "H2"
    #: The owner's own restriction, stated in the record's handling text.
    H3 = "H3"


class SourceReliability(StrEnum):
    """First half of the 4x4 evaluation: how reliable is the source."""

    A = "A"  # no doubt of authenticity, trustworthiness and competence
    B = "B"  # mostly reliable
    C = "C"  # mostly not reliable
    X = "X"  # cannot be assessed


class InformationCredibility(StrEnum):
    """Second half of the 4x4 evaluation: how credible is the information itself."""

    ONE = "1"  # known to be true without reservation
    TWO = "2"  # known personally to the source but not to the official passing it on
    THREE = "3"  # not known personally to the source but corroborated
    FOUR = "4"  # cannot be judged


class SubjectCategory(StrEnum):
    SUSPECT = "suspect"
    CONVICTED = "convicted"
    POSSIBLE_FUTURE_OFFENDER = "possible_future_offender"
    CONTACT = "contact"
    VICTIM = "victim"
    WITNESS = "witness"
    INFORMANT = "informant"


#: Categories that other agencies may only ever see as a hit, whatever the distribution.
PROTECTED_SUBJECT_CATEGORIES = frozenset(
    {SubjectCategory.VICTIM, SubjectCategory.WITNESS, SubjectCategory.INFORMANT}
)


class AgencyKind(StrEnum):
    POLICE = "police"
    PROSECUTION = "prosecution"
    JUDICIARY = "judiciary"
    PENITENTIARY = "penitentiary"
    CUSTOMS = "customs"
    FIU = "fiu"
    MINISTRY = "ministry"
    REGIONAL_BODY = "regional_body"


class Network(StrEnum):
    AMERIPOL = "AMERIPOL"
    CLASI = "CLASI"
    EUROPOL = "EUROPOL"
    EUROJUST = "EUROJUST"
    IBERRED = "IBERRED"
    INTERPOL = "INTERPOL"
    EL_PACCTO = "EL_PACCTO"
    GAFILAT = "GAFILAT"
    AIAMP = "AIAMP"
    COMJIB = "COMJIB"


class Role(StrEnum):
    ANALYST = "analyst"
    INVESTIGATOR = "investigator"
    PROSECUTOR = "prosecutor"
    PRISON_OFFICER = "prison_officer"
    LIAISON_OFFICER = "liaison_officer"
    SUPERVISOR = "supervisor"
    ADMINISTRATOR = "administrator"
    DPO = "dpo"


def parse_evaluation(value: str) -> tuple[SourceReliability, InformationCredibility]:
    """Parse a 4x4 evaluation written as ``B2``, ``b-2`` or ``B/2``."""
    compact = "".join(ch for ch in value.strip().upper() if ch.isalnum())
    if len(compact) != 2:
        raise ValueError(f"evaluation {value!r} is not a source letter A/B/C/X and a digit 1-4")
    try:
        return SourceReliability(compact[0]), InformationCredibility(compact[1])
    except ValueError:
        raise ValueError(
            f"evaluation {value!r} is not a source letter A/B/C/X and a digit 1-4"
        ) from None


def default_review_by(entered: dt.date, years: int = DEFAULT_REVIEW_YEARS) -> dt.date:
    try:
        return entered.replace(year=entered.year + years)
    except ValueError:  # 29 February
        return entered.replace(year=entered.year + years, day=28)


@dataclass(frozen=True, slots=True)
class IntelligenceMeta:
    """Everything vinculo knows about a record that is not a property of the entity itself."""

    agency: str
    markets: tuple[CriminalMarket, ...] = ()
    handling_code: HandlingCode = HandlingCode.H0
    handling_text: str | None = None
    source_reliability: SourceReliability = SourceReliability.X
    information_credibility: InformationCredibility = InformationCredibility.FOUR
    subject_category: SubjectCategory | None = None
    minor: bool = False
    review_by: dt.date | None = None
    #: The review date is the default (entry + N years), not one the owner set: an unchanged
    #: record imported again keeps the review date it already has.
    review_by_default: bool = False
    #: Who besides the owner sees the content: ``agency`` (nobody), ``country``, ``network``,
    #: ``all`` or ``group``; ``distribution_ref`` names the network or sharing group.
    distribution: str = "agency"
    distribution_ref: str | None = None
    source_ref: str | None = None
    source_key: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def distribution_label(self) -> str:
        """As written in files: ``network:AMERIPOL``, ``group:<id>``, or the bare kind."""
        if self.distribution_ref:
            return f"{self.distribution}:{self.distribution_ref}"
        return self.distribution

    @property
    def evaluation(self) -> str:
        return f"{self.source_reliability.value}{self.information_credibility.value}"

    def with_changes(self, **changes: object) -> IntelligenceMeta:
        return replace(self, **changes)  # type: ignore[arg-type]
