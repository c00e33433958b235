"""Criminal organisations: planned up front (so record counts and broker links are known), then
played out one at a time as units that write their members' records, relations and assets in
every agency that knows them."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from vinculo.demo import assets
from vinculo.demo.agencies import AGENCIES, AGENCY_BY_CODE
from vinculo.demo.countries import COUNTRIES, EU, LAC
from vinculo.demo.identifiers import container_number
from vinculo.demo.lookalikes import derive_lookalike
from vinculo.demo.people import Individual, make_individual
from vinculo.demo.scene import CaseFile, RecordRef, Scene

#: market -> (origin countries, transit countries, destination countries)
ROUTES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "drugs": (("CO", "PE", "MX"), ("EC", "BR", "VE", "AR", "CL"), ("ES", "NL", "PT", "FR", "IT")),
    "human_trafficking": (("CO", "VE", "BR", "PE"), ("MX",), ("ES", "PT", "FR", "IT", "NL")),
    "migrant_smuggling": (("VE", "CO", "EC", "PE"), ("MX", "CL"), ("ES", "CL", "MX")),
    "firearms": (("BR", "AR", "MX"), ("CO", "EC"), ("IT", "NL", "ES")),
    "cultural_goods": (("PE", "MX", "CO", "EC"), ("ES",), ("ES", "FR", "IT", "NL")),
    "cybercrime": (("BR", "MX", "AR", "CL"), ("PT",), ("NL", "ES", "PT", "FR")),
    "environmental_crime": (("BR", "PE", "CO"), ("EC",), ("ES", "PT", "NL", "IT")),
    "money_laundering": (("CO", "MX", "AR", "BR"), ("PT",), ("ES", "NL", "PT")),
    "corruption": (("MX", "CO", "PE", "EC"), ("AR",), ("ES", "PT")),
    "other": (("CO", "BR", "MX"), ("EC",), ("ES", "IT")),
}
_PRIMARY = tuple(ROUTES)
_PRIMARY_W = (40, 8, 8, 6, 5, 6, 9, 7, 6, 5)

_NOUNS = (
    "Caracoles",
    "Halcones",
    "Gavilanes",
    "Cóndores",
    "Alacranes",
    "Cuervos",
    "Tucanes",
    "Delfines",
    "Jaguares Negros",
    "Toros",
    "Colibríes",
    "Cangrejos",
    "Mapaches",
    "Murciélagos",
    "Guacamayos",
    "Piranhas",
)
_PLACES = (
    "del Pacífico",
    "del Puerto",
    "de la Frontera",
    "del Valle",
    "del Sur",
    "del Litoral",
    "de la Sierra",
    "del Río",
    "del Norte",
    "de la Costa",
    "del Altiplano",
)
_PT_NOUNS = (
    "Comando Litoral",
    "Facção do Porto",
    "Grupo Nordeste",
    "Irmandade da Serra",
    "Bonde do Cais",
    "Família do Rio",
    "Tropa da Fronteira",
)

AGENCIES_IN: dict[str, tuple[str, ...]] = {}
for _a in AGENCIES:
    AGENCIES_IN[_a.country] = (*AGENCIES_IN.get(_a.country, ()), _a.code)

ROLES = ("leader", "broker", "logistics", "finance", "member")
_EXTRA_AGENCIES = {
    "leader": (1, 2, 2, 3),
    "broker": (1, 2, 2, 3),
    "finance": (0, 1, 1, 2),
    "logistics": (0, 1, 1, 2),
    "member": (0, 0, 1),
}
LOOKALIKE_KINDS = ("father_son", "siblings", "cousins_swapped", "namesake", "juan_juana")


@dataclass(slots=True)
class MemberPlan:
    role: str
    country: str  # where they operate
    nationality: str
    agencies: tuple[str, ...]
    lookalike: str | None = None


@dataclass
class OrgPlan:
    org_id: str
    name: str
    aliases: tuple[str, ...]
    markets: tuple[str, ...]
    countries: tuple[str, ...]
    agencies: tuple[str, ...]
    known_by: tuple[str, ...]  # agencies with an Organization line for it
    members: list[MemberPlan] = field(default_factory=list)
    partner: str | None = None
    local_ids: dict[str, str] = field(default_factory=dict)

    @property
    def records(self) -> int:
        return sum(len(m.agencies) + (1 if m.lookalike else 0) for m in self.members)

    def true_id(self, index: int) -> str:
        return f"P-{self.org_id}-{index:03d}"


def _org_name(rng: random.Random, origin: str, surname: str) -> tuple[str, tuple[str, ...]]:
    if COUNTRIES[origin].naming == "pt":
        name = rng.choice(_PT_NOUNS)
        short = "".join(w[0] for w in name.split() if w[0].isupper())
        return name, (short, f"Família {surname}")
    style = rng.random()
    if style < 0.4:
        noun = rng.choice(_NOUNS)
        name = f"Los {noun} {rng.choice(_PLACES)}"
        return name, (f"Los {noun}", "".join(w[0] for w in name.split() if w[0].isupper()))
    if style < 0.75:
        name = f"Clan {surname}"
        return name, (f"Los {surname}", f"Organización {surname}")
    name = f"Cartel {rng.choice(_PLACES)}"
    return name, (f"Gente {rng.choice(_PLACES)}", f"Oficina {rng.choice(_PLACES)}")


def plan_organisations(rng: random.Random, count: int, surnames: tuple[str, ...]) -> list[OrgPlan]:
    plans: list[OrgPlan] = []
    for i in range(count):
        primary = rng.choices(_PRIMARY, _PRIMARY_W)[0]
        markets = [primary]
        if primary != "money_laundering" and rng.random() < 0.5:
            markets.append("money_laundering")
        if primary == "drugs" and rng.random() < 0.25:
            markets.append(rng.choice(("firearms", "corruption", "environmental_crime")))
        origins, transits, destinations = ROUTES[primary]
        origin = rng.choice(origins)
        countries = [origin]
        if rng.random() < 0.6:
            countries.append(rng.choice(transits))
        for dest in rng.sample(destinations, rng.choice((1, 1, 2))):
            countries.append(dest)
        countries = list(dict.fromkeys(c for c in countries if c in AGENCIES_IN))
        agencies = tuple(
            a
            for c in countries
            for a in AGENCIES_IN[c]
            if AGENCY_BY_CODE[a].kind != "fiu"
            or "money_laundering" in markets
            or "corruption" in markets
        )
        known_by = tuple(
            a for a in agencies if not AGENCY_BY_CODE[a].penitentiary or rng.random() < 0.5
        )
        name, aliases = _org_name(rng, origin, rng.choice(surnames))
        plan = OrgPlan(
            org_id=f"ORG-{i + 1:04d}",
            name=name,
            aliases=aliases,
            markets=tuple(markets),
            countries=tuple(countries),
            agencies=agencies,
            known_by=known_by,
        )
        _plan_members(rng, plan)
        plans.append(plan)
    # Brokers link each organisation to another one that shares a country with it, and appear
    # in an agency that knows both, so the link is visible in that agency's own data.
    by_country: dict[str, list[OrgPlan]] = {}
    for plan in plans:
        for country in plan.countries:
            by_country.setdefault(country, []).append(plan)
    for plan in plans:
        sharing = [p for p in by_country[rng.choice(plan.countries)] if p is not plan]
        if not sharing:
            continue
        partner = rng.choice(sharing)
        plan.partner = partner.org_id
        both = [a for a in plan.known_by if a in partner.known_by]
        for member in plan.members:
            if member.role == "broker" and both and not set(member.agencies) & set(both):
                member.agencies = (*member.agencies, rng.choice(both))
    return plans


def _plan_members(rng: random.Random, plan: OrgPlan) -> None:
    size = int(rng.triangular(10, 60, 22))
    roles = ["leader"] * rng.choice((1, 1, 2)) + ["broker"] * rng.choice((1, 1, 2))
    roles += ["finance"] * max(1, size // 7) + ["logistics"] * max(2, size // 4)
    roles += ["member"] * max(0, size - len(roles))
    origin = plan.countries[0]
    eu_countries = [c for c in plan.countries if c in EU]
    for role in roles:
        r = rng.random()
        if role == "leader" or r < 0.55 or len(plan.countries) == 1:
            country = origin
        else:
            country = rng.choice(plan.countries[1:])
        if country in LAC or rng.random() < 0.45:
            nationality = country if country in LAC and rng.random() < 0.9 else origin
        else:
            nationality = country
        home = [a for a in plan.agencies if AGENCY_BY_CODE[a].country == country] or list(
            plan.agencies
        )
        chosen = [rng.choice(home)]
        others = [a for a in plan.agencies if a not in chosen]
        if role == "finance" and eu_countries:
            # Money moves through the destination's banks: the FIU or the police there see it.
            others = [a for a in others if AGENCY_BY_CODE[a].country in eu_countries] or others
        for _ in range(rng.choice(_EXTRA_AGENCIES[role])):
            if not others:
                break
            pick = rng.choice(others)
            chosen.append(pick)
            others.remove(pick)
        lookalike = None
        if rng.random() < 0.06:
            lookalike = rng.choice(LOOKALIKE_KINDS)
        plan.members.append(MemberPlan(role, country, nationality, tuple(chosen), lookalike))


def _category(rng: random.Random, agency_code: str, role: str) -> str:
    kind = AGENCY_BY_CODE[agency_code].kind
    if kind == "penitentiary":
        return "convicted"
    if kind == "prosecution":
        return "suspect" if rng.random() < 0.7 else "convicted"
    r = rng.random()
    if role == "member" and r < 0.25:
        return "contact"
    if r < 0.05:
        return "possible_future_offender"
    return "suspect" if r < 0.93 else "convicted"


_ROLE_LABEL = {
    "es": {
        "leader": "cabecilla",
        "broker": "enlace",
        "logistics": "logística",
        "finance": "finanzas",
        "member": "integrante",
    },
    "pt": {
        "leader": "líder",
        "broker": "intermediário",
        "logistics": "logística",
        "finance": "financeiro",
        "member": "integrante",
    },
}


def run_organisation(scene: Scene, plan: OrgPlan, partner: OrgPlan | None) -> None:
    rng, run = scene.rng, scene.run
    markets = plan.markets
    primary = markets[0]
    people: list[Individual] = []
    for i, member in enumerate(plan.members):
        people.append(
            make_individual(
                rng,
                run.pools,
                plan.true_id(i),
                member.nationality,
                member.country,
                criminal=True,
            )
        )
    rosters: dict[str, list[tuple[int, RecordRef]]] = {}
    for i, member in enumerate(plan.members):
        ind = people[i]
        partner_ind = None
        if member.lookalike:
            partner_ind = derive_lookalike(
                member.lookalike, ind, rng, run.pools, f"{plan.true_id(i)}-L"
            )
        refs: list[RecordRef] = []
        for code in member.agencies:
            case = scene.case(code, primary)
            affiliation = plan.aliases[0] if rng.random() < 0.6 else plan.name
            ref = scene.record(
                ind,
                code,
                _category(rng, code, member.role),
                markets,
                case,
                plan.org_id,
                member.role,
                affiliation,
            )
            refs.append(ref)
            rosters.setdefault(code, []).append((i, ref))
        if partner_ind is not None:
            code = member.agencies[0]
            category = rng.choice(("contact", "contact", "witness", "suspect"))
            other = scene.record(partner_ind, code, category, (primary,), scene.case(code, primary))
            for ref in refs:
                run.truth.write(
                    "lookalikes",
                    (
                        ref.agency,
                        ref.record_id,
                        other.agency,
                        other.record_id,
                        member.lookalike or "",
                    ),
                )
            if member.lookalike in ("father_son", "siblings", "juan_juana", "cousins_swapped"):
                relation = {"father_son": "father", "cousins_swapped": "cousin"}.get(
                    member.lookalike, "sibling"
                )
                scene.entity(
                    code,
                    "Family",
                    {
                        "person": refs[0].record_id,
                        "relative": other.record_id,
                        "relationship": relation,
                    },
                    (primary,),
                    None,
                )
    for code, roster in rosters.items():
        _relations(scene, plan, partner, code, roster)
    _assets(scene, plan, people, rosters)


def _relations(
    scene: Scene,
    plan: OrgPlan,
    partner: OrgPlan | None,
    code: str,
    roster: list[tuple[int, RecordRef]],
) -> None:
    rng = scene.rng
    agency = AGENCY_BY_CODE[code]
    markets = plan.markets
    case = scene.case(code, markets[0])
    labels = _ROLE_LABEL["pt" if agency.habits.language == "pt" else "es"]
    org_local = plan.local_ids.get(code)
    if org_local:
        case.subjects.append(org_local)
    for i, ref in roster:
        role = plan.members[i].role
        if org_local and rng.random() < 0.85:
            scene.entity(
                code,
                "Membership",
                {
                    "member": ref.record_id,
                    "organization": org_local,
                    "role": labels[role] if rng.random() < 0.8 else None,
                    "startDate": str(rng.randint(2008, 2022)),
                },
                markets,
                case,
            )
        if role == "broker" and partner is not None and code in partner.local_ids:
            scene.entity(
                code,
                "Membership",
                {
                    "member": ref.record_id,
                    "organization": partner.local_ids[code],
                    "role": labels["broker"],
                    "description": "enlace entre organizaciones",
                },
                markets,
                case,
            )
    ids = [ref for _, ref in roster]
    if len(ids) < 2:
        return
    for _ in range(max(1, len(ids) // 3)):
        a, b = rng.sample(ids, 2)
        scene.entity(
            code,
            "Associate",
            {"person": a.record_id, "associate": b.record_id, "relationship": "associate"},
            markets,
            case,
        )
    with_phone = [r for r in ids if r.phone]
    if len(with_phone) >= 2:
        for _ in range(len(with_phone) * 2):
            a, b = rng.sample(with_phone, 2)
            when = scene.date_between(case.start)
            scene.entity(
                code,
                "Call",
                {
                    "caller": a.record_id,
                    "receiver": b.record_id,
                    "callerNumber": a.phone,
                    "receiverNumber": b.phone,
                    "date": f"{when.isoformat()}T{rng.randint(0, 23):02d}:"
                    f"{rng.randint(0, 59):02d}:00",
                    "duration": rng.randint(5, 1800),
                },
                markets,
                case,
            )
    if len(ids) >= 3 and agency.kind != "penitentiary":
        involved = rng.sample(ids, min(len(ids), rng.randint(3, 6)))
        when = scene.date_between(case.start)
        city = rng.choice(COUNTRIES[agency.country].cities)
        scene.entity(
            code,
            "Event",
            {
                "name": f"Reunión {city} {when.isoformat()}",
                "date": when.isoformat(),
                "location": city,
                "country": agency.country.lower(),
                "involved": [r.record_id for r in involved],
                "organizer": involved[0].record_id,
                "summary": "Meeting observed during surveillance",
            },
            markets,
            case,
        )


def _holders(rosters: dict[str, list[tuple[int, RecordRef]]], index: int) -> list[RecordRef]:
    return [ref for roster in rosters.values() for i, ref in roster if i == index]


def _assets(
    scene: Scene,
    plan: OrgPlan,
    people: list[Individual],
    rosters: dict[str, list[tuple[int, RecordRef]]],
) -> None:
    rng = scene.rng
    markets = plan.markets
    primary = markets[0]
    org = plan.org_id
    by_role: dict[str, list[int]] = {}
    for i, m in enumerate(plan.members):
        by_role.setdefault(m.role, []).append(i)

    def case_of(code: str) -> CaseFile:
        return scene.case(code, primary)

    def shared(
        schema: str,
        true_id: str,
        holder: int,
        build: object,
        max_agencies: int = 2,
        holder_prop: str | None = None,
    ) -> dict[str, str]:
        """One object seen by up to ``max_agencies`` of the holder's agencies, same true id."""
        locals_: dict[str, str] = {}
        props = build  # built once so every agency describes the same object
        assert isinstance(props, dict)
        for ref in _holders(rosters, holder)[:max_agencies]:
            p = dict(props)
            if holder_prop:
                p[holder_prop] = ref.record_id
            locals_[ref.agency] = scene.entity(
                ref.agency,
                schema,
                p,
                markets,
                case_of(ref.agency),
                true_id=true_id,
                org_id=org,
                in_case=True,
            )
        return locals_

    # Vehicles of the leaders and the logistics people.
    for n, i in enumerate(by_role.get("leader", []) + by_role.get("logistics", [])):
        if rng.random() < 0.4:
            props = assets.vehicle_props(rng, plan.members[i].country, "")
            props.pop("owner")
            shared("Vehicle", f"A-{org}-VEH{n}", i, props, holder_prop="owner")
    # Firearms.
    n_arms = (
        rng.randint(2, 6)
        if "firearms" in markets
        else (rng.randint(1, 2) if rng.random() < 0.3 else 0)
    )
    for n in range(n_arms):
        i = rng.randrange(len(plan.members))
        props = assets.firearm_props(rng, "")
        props.pop("holder")
        shared("Firearm", f"A-{org}-ARM{n}", i, props, holder_prop="holder")
    # Accounts and wallets of the finance people; front companies.
    finance = by_role.get("finance", []) + by_role.get("leader", [])[:1]
    accounts: dict[str, list[str]] = {}
    for n, i in enumerate(finance):
        country = plan.members[i].country
        props = assets.account_props(rng, country)
        acc_locals = shared("BankAccount", f"A-{org}-ACC{n}", i, props, max_agencies=3)
        for code, local in acc_locals.items():
            holder = next(r for r in _holders(rosters, i) if r.agency == code)
            scene.entity(
                code,
                "Ownership",
                {"owner": holder.record_id, "asset": local, "role": "account holder"},
                markets,
                case_of(code),
            )
            accounts.setdefault(code, []).append(local)
        if "cybercrime" in markets or ("money_laundering" in markets and rng.random() < 0.5):
            props = assets.wallet_props(rng, "")
            props.pop("holder")
            shared(
                "CryptoWallet", f"A-{org}-WAL{n}", i, props, max_agencies=3, holder_prop="holder"
            )
    for code, roster in rosters.items():
        payers = [ref for i, ref in roster if plan.members[i].role in ("finance", "leader")]
        if not payers or len(roster) < 2:
            continue
        for _ in range(rng.randint(1, 4)):
            payer = rng.choice(payers)
            payee = rng.choice([ref for _, ref in roster if ref is not payer])
            when = scene.date_between(case_of(code).start)
            props = {
                "payer": payer.record_id,
                "beneficiary": payee.record_id,
                "amount": rng.randint(1, 500) * 1000,
                "date": when.isoformat(),
                "currency": COUNTRIES[AGENCY_BY_CODE[code].country].currency,
                "purpose": rng.choice(
                    ("préstamo", "pago de mercancía", "honorarios", "transferencia")
                ),
            }
            if code in accounts:
                props["payerAccount"] = rng.choice(accounts[code])
            scene.entity(code, "Payment", props, markets, case_of(code))
    companies: dict[str, list[str]] = {}
    for n in range(rng.randint(1, 2)):
        director = rng.choice(finance or [0])
        country = plan.members[director].country
        props = assets.company_props(rng, country)
        comp_locals = shared("Company", f"A-{org}-COM{n}", director, props, max_agencies=3)
        for code, local in comp_locals.items():
            holder = next(r for r in _holders(rosters, director) if r.agency == code)
            scene.entity(
                code,
                "Directorship",
                {"director": holder.record_id, "organization": local, "role": "administrador"},
                markets,
                case_of(code),
            )
            companies.setdefault(code, []).append(local)
            workers = [ref for i, ref in rosters[code] if plan.members[i].role == "logistics"]
            if workers:
                scene.entity(
                    code,
                    "Employment",
                    {
                        "employer": local,
                        "employee": rng.choice(workers).record_id,
                        "role": "conductor",
                    },
                    markets,
                    case_of(code),
                )
    # The safe house, known to up to two agencies.
    codes = list(rosters)
    house_country = AGENCY_BY_CODE[codes[0]].country
    city = rng.choice(COUNTRIES[house_country].cities)
    streets = scene.run.pools[COUNTRIES[house_country].locales[0]].streets
    street = f"{rng.choice(streets)} {rng.randint(1, 200)}"
    for code in [c for c in codes if AGENCY_BY_CODE[c].country == house_country][:2]:
        scene.entity(
            code,
            "Address",
            {
                "full": f"{street}, {city}",
                "street": street,
                "city": city,
                "country": house_country.lower(),
                "remarks": "inmueble utilizado por la organización",
            },
            markets,
            case_of(code),
            true_id=f"A-{org}-ADR",
            org_id=org,
            in_case=True,
        )
    _shipments(scene, plan, rosters, companies)
    # Seizures for every market of the organisation, by police and customs that know it.
    seizers = [c for c in codes if AGENCY_BY_CODE[c].kind in ("police", "customs")]
    for market in markets:
        for code in rng.sample(seizers, min(len(seizers), rng.randint(1, 2))):
            roster = rosters[code]
            when = scene.date_between(case_of(code).start)
            props = assets.seizure_props(
                rng,
                market,
                when,
                code,
                AGENCY_BY_CODE[code].country,
                [rng.choice(roster)[1].record_id],
            )
            scene.entity(code, "Seizure", props, (market,), case_of(code))


def _shipments(
    scene: Scene,
    plan: OrgPlan,
    rosters: dict[str, list[tuple[int, RecordRef]]],
    companies: dict[str, list[str]],
) -> None:
    """Ships, containers and cultural objects: seized at origin and flagged at destination."""
    rng = scene.rng
    markets = plan.markets
    primary = markets[0]
    org = plan.org_id
    lac = [
        c
        for c in rosters
        if AGENCY_BY_CODE[c].country in LAC and not AGENCY_BY_CODE[c].penitentiary
    ]
    eu = [
        c for c in rosters if AGENCY_BY_CODE[c].country in EU and not AGENCY_BY_CODE[c].penitentiary
    ]
    pair = ([rng.choice(lac)] if lac else []) + ([rng.choice(eu)] if eu else [])
    if not pair:
        return
    maritime = primary in ("drugs", "environmental_crime", "firearms", "cultural_goods", "other")
    if maritime:
        for n in range(rng.randint(1, 3)):
            number = container_number(rng)
            props = assets.container_props(rng, number)
            local_ids = []
            for k, code in enumerate(pair):
                case = scene.case(code, primary)
                p = dict(props)
                p["description"] = "seized at port" if k == 0 else "flagged by risk analysis"
                local = scene.entity(
                    code,
                    "ShippingContainer",
                    p,
                    markets,
                    case,
                    true_id=f"A-{org}-CON{n}",
                    org_id=org,
                    in_case=True,
                )
                local_ids.append(local)
                if k == 0 or rng.random() < 0.4:
                    when = scene.date_between(case.start)
                    sp = assets.seizure_props(
                        rng, primary, when, code, AGENCY_BY_CODE[code].country, [local]
                    )
                    scene.entity(code, "Seizure", sp, (primary,), case)
        if rng.random() < 0.6:
            props = assets.vessel_props(rng)
            for code in pair:
                p = dict(props)
                if companies.get(code):
                    p["owner"] = companies[code][0]
                scene.entity(
                    code,
                    "Vessel",
                    p,
                    markets,
                    scene.case(code, primary),
                    true_id=f"A-{org}-VES",
                    org_id=org,
                    in_case=True,
                )
    if "cultural_goods" in markets:
        origin = AGENCY_BY_CODE[pair[0]].country
        for n in range(rng.randint(2, 5)):
            props = assets.cultural_props(rng, origin)
            for code in pair[: rng.choice((1, 2, 2))]:
                case = scene.case(code, primary)
                local = scene.entity(
                    code,
                    "CulturalObject",
                    props,
                    markets,
                    case,
                    true_id=f"A-{org}-OBJ{n}",
                    org_id=org,
                    in_case=True,
                )
                if rng.random() < 0.5:
                    when = scene.date_between(case.start)
                    sp = assets.seizure_props(
                        rng, "cultural_goods", when, code, AGENCY_BY_CODE[code].country, [local]
                    )
                    scene.entity(code, "Seizure", sp, ("cultural_goods",), case)


def write_organisation_lines(scene: Scene, plan: OrgPlan) -> None:
    """The Organization line each knowing agency holds, with its own spelling and aliases."""
    rng = scene.rng
    for code in plan.known_by:
        local = scene.run.outputs[code].entity_id("Organization")
        plan.local_ids[code] = local
        name = plan.name if rng.random() < 0.6 else rng.choice(plan.aliases)
        aliases = [a for a in (plan.name, *plan.aliases) if a != name and rng.random() < 0.7]
        scene.entity(
            code,
            "Organization",
            {
                "name": name.upper() if rng.random() < 0.3 else name,
                "alias": aliases,
                "country": [c.lower() for c in plan.countries],
                "description": "organización criminal; mercados: " + ", ".join(plan.markets),
                "topics": "crime",
            },
            plan.markets,
            None,
            true_id=plan.org_id,
            org_id=plan.org_id,
            entity_id=local,
        )


def broker_ids(plan: OrgPlan) -> list[str]:
    return [plan.true_id(i) for i, m in enumerate(plan.members) if m.role == "broker"]


def organisation_rows(plans: list[OrgPlan]) -> list[tuple[str, ...]]:
    """Ground-truth rows; an organisation's brokers include those of partners linking to it."""
    linked: dict[str, list[str]] = {p.org_id: broker_ids(p) for p in plans}
    for plan in plans:
        if plan.partner:
            linked[plan.partner] += broker_ids(plan)
    return [_org_row(p, linked[p.org_id]) for p in plans]


def _org_row(plan: OrgPlan, brokers: list[str]) -> tuple[str, ...]:
    return (
        plan.org_id,
        plan.name,
        ";".join(plan.markets),
        ";".join(plan.countries),
        ";".join(brokers),
    )
