"""One unit of work (an organisation, a batch of background people, a pair of look-alikes) and
the bookkeeping every unit shares: writing records, entities, cases and the ground truth."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from vinculo.demo.agencies import AGENCY_BY_CODE, Agency
from vinculo.demo.chance import Weighted
from vinculo.demo.countries import COUNTRIES
from vinculo.demo.names import NamePool
from vinculo.demo.people import (
    REFERENCE_DATE,
    Individual,
    RecordMeta,
    render_record,
    surnames_text,
)
from vinculo.demo.writer import AgencyOutput, GroundTruth

_HANDLING = Weighted({"H0": 35, "H1": 35, "H2": 22, "H3": 8})
_RELIABILITY = Weighted({"A": 10, "B": 50, "C": 25, "X": 15})
_CREDIBILITY = Weighted({"1": 15, "2": 45, "3": 30, "4": 10})
_H3_TEXT = {
    "es": "No difundir a terceros países sin autorización escrita de la unidad de origen",
    "pt": "Não difundir a países terceiros sem autorização escrita da unidade de origem",
    "fr": "Ne pas diffuser à des pays tiers sans l'accord écrit du service d'origine",
    "it": "Non diffondere a paesi terzi senza autorizzazione scritta dell'ufficio di origine",
    "nl": "Niet verspreiden naar derde landen zonder schriftelijke toestemming van de eigenaar",
}

_FACILITY = {
    "es": (
        "Establecimiento Penitenciario de {city}",
        "Centro de Privación de Libertad {city} N.º {n}",
        "Centro Penitenciario {city} {n}",
    ),
    "pt": (
        "Penitenciária Estadual de {city}",
        "Estabelecimento Prisional de {city}",
        "Centro de Detenção Provisória {city} {n}",
    ),
}


@dataclass
class CaseFile:
    agency: str
    local_id: str
    reference: str
    market: str
    start: dt.date
    subjects: list[str] = field(default_factory=list)
    markets: set[str] = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class RecordRef:
    agency: str
    record_id: str
    ind: Individual
    phone: str | None
    passport: bool


class Run:
    """Run-wide state: outputs, ground truth, name pools and what has been seized so far."""

    def __init__(
        self,
        seed: int,
        outputs: dict[str, AgencyOutput],
        truth: GroundTruth,
        pools: dict[str, NamePool],
    ) -> None:
        self.seed = seed
        self.outputs = outputs
        self.truth = truth
        self.pools = pools
        self.seized_markets: dict[str, int] = {}
        self.people_records = 0


def clean_props(props: dict[str, Any]) -> dict[str, list[str]]:
    """Drop empty values and make every value a list of strings, as FtM expects."""
    out: dict[str, list[str]] = {}
    for key, value in props.items():
        values = value if isinstance(value, list | tuple) else [value]
        strings = [str(v) for v in values if v not in (None, "")]
        if strings:
            out[key] = strings
    return out


class Scene:
    def __init__(self, run: Run, rng: random.Random) -> None:
        self.run = run
        self.rng = rng
        self._cases: dict[tuple[str, str], CaseFile] = {}
        self._known: set[str] = set()  # true ids already in ground_truth/people.csv

    # -- metadata ---------------------------------------------------------------------------------

    def _meta(
        self,
        agency: Agency,
        markets: tuple[str, ...] | list[str],
        category: str | None,
        minor: bool,
        source_ref: str | None,
    ) -> tuple[str, str, dict[str, Any]]:
        rng = self.rng
        handling = _HANDLING.pick(rng)
        evaluation = _RELIABILITY.pick(rng) + _CREDIBILITY.pick(rng)
        meta = {
            "markets": list(markets),
            "handling_code": handling,
            "handling_text": _H3_TEXT[agency.habits.language] if handling == "H3" else None,
            "source_evaluation": evaluation,
            "subject_category": category,
            "minor": minor,
            "source_ref": source_ref,
        }
        return handling, evaluation, meta

    def date_between(self, start: dt.date, end: dt.date = REFERENCE_DATE) -> dt.date:
        days = max(1, (end - start).days)
        return start + dt.timedelta(days=self.rng.randrange(days))

    # -- cases ------------------------------------------------------------------------------------

    def case(self, agency_code: str, market: str, key: str = "") -> CaseFile:
        """The case file of this unit at ``agency_code`` under ``key``, opened on first use."""
        found = self._cases.get((agency_code, key))
        if found is None:
            out = self.run.outputs[agency_code]
            start = self.date_between(dt.date(2015, 1, 1), dt.date(2024, 6, 30))
            found = CaseFile(
                agency=agency_code,
                local_id=out.entity_id("Case"),
                reference=out.case_reference(start.year),
                market=market,
                start=start,
            )
            self._cases[(agency_code, key)] = found
        found.markets.add(market)
        return found

    # -- people -----------------------------------------------------------------------------------

    def record(
        self,
        ind: Individual,
        agency_code: str,
        category: str,
        markets: tuple[str, ...],
        case: CaseFile,
        org_id: str = "",
        role: str = "",
        affiliation: str = "",
    ) -> RecordRef:
        run, rng = self.run, self.rng
        agency = AGENCY_BY_CODE[agency_code]
        out = run.outputs[agency_code]
        recorded = self.date_between(case.start)
        record_id = out.record_id(recorded.year)
        handling, evaluation, _ = self._meta(agency, markets, category, ind.minor, None)
        meta = RecordMeta(
            record_id, category, markets, case.reference, handling, evaluation, recorded
        )
        rendered = render_record(ind, agency, meta, rng)
        out.person(rendered.row)
        run.people_records += 1
        run.truth.write("records", (agency_code, record_id, "Person", ind.true_id, org_id, role))
        if ind.true_id not in self._known:
            self._known.add(ind.true_id)
            run.truth.write("people", ind.truth_row)
        if rendered.id_kind:
            run.truth.write(
                "identifiers", (agency_code, record_id, rendered.id_kind, rendered.row[9])
            )
        case.subjects.append(record_id)
        ref = RecordRef(agency_code, record_id, ind, rendered.phone, rendered.passport)
        if agency.penitentiary:
            self._custody(ref, agency, case, markets, affiliation, recorded)
        if rendered.passport and ind.passport and rng.random() < 0.4:
            self.entity(
                agency_code,
                "Passport",
                {
                    "holder": record_id,
                    "number": ind.passport,
                    "country": ind.nationality.lower(),
                    "givenName": ind.given,
                    "surname": surnames_text(ind.naming, ind.paternal, ind.maternal),
                    "birthDate": ind.birth.isoformat(),
                    "gender": "female" if ind.female else "male",
                    "authority": "Ministry of Foreign Affairs" if rng.random() < 0.3 else None,
                },
                markets,
                case,
                true_id=f"D-{ind.nationality}-{ind.passport}",
            )
        return ref

    def _custody(
        self,
        ref: RecordRef,
        agency: Agency,
        case: CaseFile,
        markets: tuple[str, ...],
        affiliation: str,
        recorded: dt.date,
    ) -> None:
        rng = self.rng
        country = COUNTRIES[agency.country]
        pattern = rng.choice(_FACILITY["pt" if agency.habits.language == "pt" else "es"])
        facility = pattern.format(city=rng.choice(country.cities), n=rng.randint(1, 4))
        status = rng.choices(
            ("sentenced", "remanded", "released", "transferred", "escaped"), (55, 20, 18, 6, 1)
        )[0]
        end = self.date_between(recorded) if status in ("released", "transferred") else None
        self.entity(
            ref.agency,
            "Custody",
            {
                "person": ref.record_id,
                "facility": facility,
                "country": agency.country.lower(),
                "status": status,
                "securityLevel": rng.choice(("minimum", "medium", "maximum")),
                "affiliation": affiliation,
                "inmateNumber": ref.record_id.split("-")[-1],
                "startDate": recorded.isoformat(),
                "endDate": end.isoformat() if end else None,
            },
            markets,
            case,
        )

    # -- entities ---------------------------------------------------------------------------------

    def entity(
        self,
        agency_code: str,
        schema: str,
        props: dict[str, Any],
        markets: tuple[str, ...] | list[str],
        case: CaseFile | None = None,
        true_id: str | None = None,
        org_id: str = "",
        role: str = "",
        entity_id: str | None = None,
        in_case: bool = False,
    ) -> str:
        """Write one FtM line at ``agency_code``; ``true_id`` adds it to the ground truth."""
        out = self.run.outputs[agency_code]
        entity_id = entity_id or out.entity_id(schema)
        agency = AGENCY_BY_CODE[agency_code]
        _, _, meta = self._meta(agency, markets, None, False, case.reference if case else None)
        out.entity(entity_id, schema, clean_props(props), meta)
        if true_id:
            self.run.truth.write("records", (agency_code, entity_id, schema, true_id, org_id, role))
        if case is not None and in_case:
            case.subjects.append(entity_id)
        if schema == "Seizure":
            market = str(props.get("market", ""))
            self.run.seized_markets[market] = self.run.seized_markets.get(market, 0) + 1
        return entity_id

    def finish(self) -> None:
        """Write the case files opened by this unit, now that their subjects are known."""
        for (agency_code, _), case in self._cases.items():
            agency = AGENCY_BY_CODE[agency_code]
            status = self.rng.choices(("open", "suspended", "closed"), (60, 10, 30))[0]
            self.entity(
                agency_code,
                "Case",
                {
                    "reference": case.reference,
                    "name": f"{case.reference} ({case.market})",
                    "agency": agency.code,
                    "market": sorted(case.markets),
                    "status": status,
                    "startDate": case.start.isoformat(),
                    "subjects": case.subjects,
                    "country": agency.country.lower(),
                },
                sorted(case.markets),
                case,
                entity_id=case.local_id,
            )
