"""The background population (people known to one agency, a few to two) and the stand-alone
look-alike pairs."""

from __future__ import annotations

import random

from vinculo.demo import assets
from vinculo.demo.agencies import AGENCIES, AGENCY_BY_CODE, POPULATION
from vinculo.demo.chance import Weighted
from vinculo.demo.countries import COUNTRIES
from vinculo.demo.lookalikes import derive_lookalike
from vinculo.demo.names import GENDER_PAIRS
from vinculo.demo.organisations import AGENCIES_IN
from vinculo.demo.people import Individual, make_individual
from vinculo.demo.scene import CaseFile, RecordRef, Scene

_CATEGORIES = (
    "suspect",
    "contact",
    "convicted",
    "victim",
    "witness",
    "informant",
    "possible_future_offender",
)
_CATEGORY_W = (55, 22, 8, 7, 5, 1, 2)
_ALL_MARKETS = tuple(assets.SEIZURE_GOODS)
_CATEGORY = Weighted(dict(zip(_CATEGORIES, _CATEGORY_W, strict=True)))
_POPULATION = {country: Weighted(weights) for country, weights in POPULATION.items()}


def _nationality(rng: random.Random, agency_country: str) -> str:
    return _POPULATION[agency_country].pick(rng)


def _category(rng: random.Random, agency_code: str, minor: bool) -> str:
    kind = AGENCY_BY_CODE[agency_code].kind
    if kind == "penitentiary":
        return "convicted" if rng.random() < 0.85 else "suspect"
    if minor:
        return "victim" if rng.random() < 0.7 else "suspect"
    return _CATEGORY.pick(rng)


def _market(rng: random.Random, agency_code: str) -> str:
    if rng.random() < 0.15:
        return rng.choice(_ALL_MARKETS)
    return rng.choice(AGENCY_BY_CODE[agency_code].contact_markets).value


def _second_agency(rng: random.Random, agency_code: str) -> str:
    country = AGENCY_BY_CODE[agency_code].country
    same = [a for a in AGENCIES_IN[country] if a != agency_code]
    if same and rng.random() < 0.7:
        return rng.choice(same)
    return rng.choice([a.code for a in AGENCIES if a.code != agency_code])


def run_background(scene: Scene, agency_code: str, chunk: int, people: int, extra: int) -> None:
    """``people`` individuals recorded at ``agency_code``; ``extra`` of them also at a second
    agency (the same country's prosecution or prison, or a neighbour's police)."""
    rng, run = scene.rng, scene.run
    agency = AGENCY_BY_CODE[agency_code]
    with_second = set(rng.sample(range(people), min(extra, people)))
    case: CaseFile | None = None
    case_refs: list[RecordRef] = []
    left_in_case = 0
    case_no = 0
    for i in range(people):
        if left_in_case == 0:
            if case is not None:
                _case_story(scene, agency_code, case, case_refs)
            case_no += 1
            case = scene.case(agency_code, _market(rng, agency_code), key=str(case_no))
            case_refs = []
            left_in_case = rng.choice((1, 1, 2, 2, 3, 4, 6, 8))
        left_in_case -= 1
        assert case is not None
        minor = not agency.penitentiary and rng.random() < 0.015
        nationality = _nationality(rng, agency.country)
        residence = agency.country if rng.random() < 0.85 else nationality
        ind = make_individual(
            rng,
            run.pools,
            f"P-B{chunk:05d}-{i:04d}",
            nationality,
            residence,
            minor=minor,
            criminal=rng.random() < 0.2,
        )
        market = case.market
        ref = scene.record(ind, agency_code, _category(rng, agency_code, minor), (market,), case)
        case_refs.append(ref)
        if i in with_second:
            second = _second_agency(rng, agency_code)
            other_case = scene.case(second, market, key=f"x{i}")
            scene.record(ind, second, _category(rng, second, minor), (market,), other_case)
    if case is not None:
        _case_story(scene, agency_code, case, case_refs)


def _case_story(scene: Scene, code: str, case: CaseFile, refs: list[RecordRef]) -> None:
    """The few relations and objects of a small case: calls, a vehicle, a seizure."""
    rng = scene.rng
    agency = AGENCY_BY_CODE[code]
    markets = (case.market,)
    for ref in refs:
        if rng.random() < 0.06:
            props = assets.vehicle_props(rng, agency.country, ref.record_id)
            scene.entity(
                code,
                "Vehicle",
                props,
                markets,
                case,
                true_id=f"A-{ref.ind.true_id}-VEH",
                in_case=True,
            )
        if rng.random() < 0.02:
            local = scene.entity(
                code,
                "BankAccount",
                assets.account_props(rng, agency.country),
                markets,
                case,
                true_id=f"A-{ref.ind.true_id}-ACC",
                in_case=True,
            )
            scene.entity(code, "Ownership", {"owner": ref.record_id, "asset": local}, markets, case)
    if len(refs) >= 2:
        if rng.random() < 0.4:
            a, b = rng.sample(refs, 2)
            scene.entity(
                code,
                "Associate",
                {"person": a.record_id, "associate": b.record_id, "relationship": "co-accused"},
                markets,
                case,
            )
        phones = [r for r in refs if r.phone]
        if len(phones) >= 2 and rng.random() < 0.5:
            for _ in range(rng.randint(1, 4)):
                a, b = rng.sample(phones, 2)
                when = scene.date_between(case.start)
                scene.entity(
                    code,
                    "Call",
                    {
                        "caller": a.record_id,
                        "receiver": b.record_id,
                        "callerNumber": a.phone,
                        "receiverNumber": b.phone,
                        "date": when.isoformat(),
                        "duration": rng.randint(5, 900),
                    },
                    markets,
                    case,
                )
    seized_from = [rng.choice(refs).record_id] if refs else []
    if case.market == "cultural_goods" and rng.random() < 0.6:
        props = assets.cultural_props(rng, agency.country)
        seized_from = [
            scene.entity(code, "CulturalObject", props, markets, case, in_case=True,
                         true_id=f"A-{case.local_id}-OBJ")
        ]  # fmt: skip
    elif case.market == "firearms" and refs and rng.random() < 0.5:
        holder = rng.choice(refs).record_id
        seized_from = [
            scene.entity(code, "Firearm", assets.firearm_props(rng, holder), markets, case,
                         in_case=True, true_id=f"A-{case.local_id}-ARM")
        ]  # fmt: skip
    if agency.kind in ("police", "customs") and refs and rng.random() < 0.35:
        when = scene.date_between(case.start)
        props = assets.seizure_props(rng, case.market, when, code, agency.country, seized_from)
        scene.entity(code, "Seizure", props, markets, case)


def lookalike_agencies(rng: random.Random, base: Individual) -> tuple[str, str]:
    country = (
        base.residence
        if base.residence in AGENCIES_IN
        else rng.choice([c for c in AGENCIES_IN if c in POPULATION])
    )
    first = rng.choice(AGENCIES_IN[country])
    second = first if rng.random() < 0.5 else rng.choice(AGENCIES_IN[country])
    return first, second


def run_lookalike(scene: Scene, kind: str, unit: int, records: tuple[int, int]) -> None:
    """A stand-alone pair of look-alikes; ``records`` says how many records each one has."""
    rng, run = scene.rng, scene.run
    home = rng.choice(tuple(POPULATION))
    nationality = _nationality(rng, home)
    if COUNTRIES[nationality].naming == "single" and kind == "cousins_swapped":
        nationality = rng.choice(("CO", "MX", "ES", "BR", "PE"))
    given = None
    if kind == "juan_juana":
        given = rng.choice(GENDER_PAIRS)[0]
    base = make_individual(
        rng,
        run.pools,
        f"P-L{unit:05d}-A",
        nationality,
        home,
        given=given,
        female=False if given else None,
    )
    other = derive_lookalike(kind, base, rng, run.pools, f"P-L{unit:05d}-B")
    first, second = lookalike_agencies(rng, base)
    market = _market(rng, first)
    left: list[RecordRef] = []
    right: list[RecordRef] = []
    for ind, count, refs in ((base, records[0], left), (other, records[1], right)):
        codes = (
            [first, second, _second_agency(rng, first)][:count]
            if ind is base
            else [second, first, _second_agency(rng, second)][:count]
        )
        for n, code in enumerate(codes):
            case = scene.case(code, market, key=f"{ind.true_id}:{n}")
            refs.append(scene.record(ind, code, _category(rng, code, False), (market,), case))
    for a in left:
        for b in right:
            run.truth.write("lookalikes", (a.agency, a.record_id, b.agency, b.record_id, kind))
    family = {
        "father_son": "father",
        "siblings": "sibling",
        "cousins_swapped": "cousin",
        "juan_juana": "sibling",
    }.get(kind)
    if family:
        for a in left:
            same = next((r for r in right if r.agency == a.agency), None)
            if same is not None:
                scene.entity(
                    a.agency,
                    "Family",
                    {"person": a.record_id, "relative": same.record_id, "relationship": family},
                    (market,),
                )
                break
