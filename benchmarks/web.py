"""Server time of the search and entity-profile pages on a large installation.

    .venv/bin/python benchmarks/web.py                        # 1,000,000 entities (SQLite)
    .venv/bin/python benchmarks/web.py --entities 20000       # a quick try
    .venv/bin/python benchmarks/web.py --entities 1000000 --reuse   # measure again, same data

The installation is built once per size under ``benchmarks/out/`` (``--reuse`` keeps it):
five agencies in five countries; nine people in ten, one relationship record (a membership or a
family tie between two of the agency's people) in ten; one hit per hundred people between two
agencies' records of the same name. Records are written by a bulk path through the store's
own functions, which writes the same rows as an import: ``store.entities.write_records``
(entity, normalised values, search text and its full-text index) after ``model.normalise``'s
``clean_value`` on every raw value, and the matching index's rows (``match_key`` from
``matching.blocking.profile_keys``, ``match_profile``) as ``Matcher.match_entities`` writes them
(without keeping a resident index of a million records in memory).

The pages are then requested in-process through FastAPI's TestClient by a logged-in analyst of
one agency (session, CSRF, policy, audit and template rendering included): searches for names
written with a typo, without accents and in another order, for phone numbers in another format,
and profiles of random records (own, other agencies' in full, hit-only, with links and hits).
p50/p95/max per page are printed as a Markdown table for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import random
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
PASSWORD = "benchmark password 2026"  # noqa: S105 - a throw-away benchmark account
PHONE_PREFIX = {"ES": "34 6", "FR": "33 6", "BR": "55 11 9", "CO": "57 31", "PT": "351 91"}
BATCH = 5000

AGENCIES = [
    ("ES-CNP", "Policía Nacional", "ES", ["EUROPOL"]),
    ("FR-PN", "Police nationale", "FR", ["EUROPOL"]),
    ("BR-PF", "Polícia Federal", "BR", ["AMERIPOL"]),
    ("CO-DIJIN", "DIJIN", "CO", ["AMERIPOL"]),
    ("PT-PJ", "Polícia Judiciária", "PT", ["EUROPOL"]),
]
GIVEN = (  # noqa: SIM905 - a list of names reads better as text
    "José María Juan Ana Luis Carmen Carlos Lucía Javier Marta Pedro Laura Miguel Sofía Andrés "
    "Paula Diego Elena Jorge Isabel Fernando Rosa Manuel Teresa Ricardo Beatriz Alejandro Clara "
    "João Maria Antônio Francisca Paulo Adriana Marcos Juliana Rafael Camila Thiago Fernanda "
    "Gabriel Larissa Mateus Letícia Pierre Marie Jean Camille Nicolas Julie Éric Sandrine "
    "Valentina Santiago Sebastián Daniela Mauricio Natalia Héctor Gloria Esteban Lorena"
).split()
SURNAMES = (  # noqa: SIM905
    "García Rodríguez González Fernández López Martínez Sánchez Pérez Gómez Martín Jiménez Ruiz "
    "Hernández Díaz Moreno Muñoz Álvarez Romero Alonso Gutiérrez Navarro Torres Domínguez Vázquez "
    "Ramos Gil Ramírez Serrano Blanco Molina Morales Suárez Ortega Delgado Castro Ortiz Rubio "
    "Marín Sanz Núñez Iglesias Medina Garrido Cortés Castillo Santos Lozano Guerrero Cano Prieto "
    "Méndez Cruz Calvo Gallego Vidal León Márquez Herrera Peña Flores Cabrera Campos Vega Fuentes "
    "Silva Souza Oliveira Costa Pereira Carvalho Almeida Ribeiro Lima Araújo Barbosa Rocha Dias "
    "Nascimento Moreira Cardoso Teixeira Correia Mendes Pinto Martins Ferreira Gonçalves Lopes "
    "Dubois Lefebvre Moreau Laurent Girard Bonnet Dupont Lambert Fontaine Rousseau Vincent "
    "Restrepo Ospina Cárdenas Quintero Valencia Giraldo Zapata Arango Bedoya Montoya Echeverri"
).split()


def _typo(name: str, rng: random.Random) -> str:
    """A name as a hurried colleague types it: no accents, surnames first, one letter dropped
    from the longest word."""
    from vinculo.identifiers import fold_name

    words = fold_name(name).split()
    words = words[1:] + words[:1]
    longest = max(range(len(words)), key=lambda i: len(words[i]))
    word = words[longest]
    cut = rng.randrange(3, len(word)) if len(word) > 4 else len(word) - 1
    words[longest] = word[:cut] + word[cut + 1 :]
    return " ".join(words)


def build(url: str, entities: int, seed: int = 7) -> None:
    """Write the installation, batch by batch (each batch one transaction)."""
    from sqlalchemy import insert

    from vinculo.matching.blocking import profile_keys
    from vinculo.matching.hits import PROFILE_PROPS, hit_id, profile_from_data
    from vinculo.model.metadata import (
        CriminalMarket,
        HandlingCode,
        InformationCredibility,
        IntelligenceMeta,
        SourceReliability,
        SubjectCategory,
    )
    from vinculo.model.normalise import CleaningContext, ValueRow, clean_value
    from vinculo.model.records import Record, make_entity_id
    from vinculo.model.schemata import get_model
    from vinculo.sharing.directory import add_agency, add_user
    from vinculo.store.db import make_engine, migrate
    from vinculo.store.entities import write_records
    from vinculo.store.tables import Hit, MatchKey, MatchProfile, utcnow

    rng = random.Random(seed)
    engine = make_engine(url)
    migrate(engine)
    model = get_model()
    with engine.begin() as conn:
        for code, name, country, networks in AGENCIES:
            add_agency(conn, code, name, country, "police", networks)
        add_user(conn, "bench.analyst", "ES-CNP", PASSWORD, ["analyst"], display_name="Bench")
    markets = list(CriminalMarket)
    reliabilities = list(SourceReliability)
    credibilities = list(InformationCredibility)
    categories = [SubjectCategory.SUSPECT, SubjectCategory.CONTACT, SubjectCategory.CONVICTED,
                  SubjectCategory.WITNESS]  # fmt: skip
    distributions = ["agency", "agency", "network", "all"]
    people: dict[str, list[tuple[str, str]]] = {code: [] for code, *_ in AGENCIES}
    written = 0
    started = time.perf_counter()
    while written < entities:
        records: list[Record] = []
        values: dict[str, list[ValueRow]] = {}
        size = min(BATCH, entities - written)
        for n in range(written, written + size):
            code, _, country, networks = AGENCIES[n % len(AGENCIES)]
            ctx = CleaningContext(default_region=country, schema="Person")
            mine = people[code]
            edge = n % 10 == 9 and len(mine) >= 2
            schema = model.get("Membership" if edge and n % 20 == 19 else "Family" if edge
                               else "Person")  # fmt: skip
            assert schema is not None
            proxy = model.make_entity(schema.name)
            proxy.id = make_entity_id(code, f"bench-{n}")
            rows: list[ValueRow] = []
            raw: dict[str, list[str]]
            if schema.name == "Person":
                given = rng.choice(GIVEN)
                surnames = f"{rng.choice(SURNAMES)} {rng.choice(SURNAMES)}"
                phone = f"+{PHONE_PREFIX[country]}{rng.randrange(10**7, 10**8)}"
                raw = {
                    "name": [f"{given} {surnames}"],
                    "firstName": [given],
                    "lastName": [surnames],
                    "birthDate": [
                        f"{rng.randrange(1950, 2004)}-{rng.randrange(1, 13):02d}-"
                        f"{rng.randrange(1, 29):02d}"
                    ],
                    "nationality": [country],
                    "phone": [phone],
                    "idNumber": [str(rng.randrange(10**7, 10**9))],
                }
            else:
                (a, _), (b, _) = rng.sample(mine[-500:], 2)
                raw = (
                    {"member": [a], "organization": [b], "role": ["enlace"]}
                    if schema.name == "Membership"
                    else {"person": [a], "relative": [b], "relationship": ["sibling"]}
                )
            for prop_name, raw_values in raw.items():
                prop = schema.properties[prop_name]
                for value in raw_values:
                    if prop.type.name == "entity":
                        proxy.unsafe_add(prop, value, cleaned=True)
                        continue
                    cleaned = clean_value(prop, value, ctx)
                    if cleaned.stored is not None:
                        proxy.unsafe_add(prop, cleaned.stored, cleaned=True)
                    rows.extend(cleaned.values)
            meta = IntelligenceMeta(
                agency=code,
                markets=(rng.choice(markets),),
                handling_code=rng.choice(list(HandlingCode)[:3]),
                source_reliability=rng.choice(reliabilities),
                information_credibility=rng.choice(credibilities),
                subject_category=rng.choice(categories) if schema.name == "Person" else None,
                review_by=dt.date(2029, 1, 1),
                distribution=(dist := rng.choice(distributions)),
                distribution_ref=networks[0] if dist == "network" else None,
                source_key=f"bench-{n}",
            )
            records.append(Record(proxy, meta, line=n + 2))
            values[proxy.id] = rows
            if schema.name == "Person":
                mine.append((proxy.id, raw["name"][0]))
        with engine.begin() as conn:
            result = write_records(conn, records, values)
            key_rows: list[dict[str, str]] = []
            profile_rows: list[dict[str, Any]] = []
            for record in records:
                props = record.proxy.to_dict()["properties"]
                rows = values[record.id]
                data = {
                    "properties": {p: props[p] for p in PROFILE_PROPS if p in props},
                    "values": [[v.kind, v.prop, v.original, v.value, v.valid, v.scheme]
                               for v in rows],
                }  # fmt: skip
                digest = result.hashes[record.id]
                profile = profile_from_data(
                    record.id, record.meta.agency, record.proxy.schema.name, digest, data
                )
                key_rows.extend({"key": k, "entity_id": record.id} for k in profile_keys(profile))
                profile_rows.append({"entity_id": record.id, "agency_code": record.meta.agency,
                                     "schema": record.proxy.schema.name, "content_hash": digest,
                                     "data": data, "scored": False})  # fmt: skip
            if key_rows:
                conn.execute(insert(MatchKey), key_rows)
            conn.execute(insert(MatchProfile), profile_rows)
            # One hit per hundred people: the newest person against an older one of another
            # agency, as ingest would raise for two records of the same person.
            hits = []
            now = utcnow()
            for record in records[::100]:
                if record.proxy.schema.name != "Person":
                    continue
                others = [c for c, *_ in AGENCIES if c != record.meta.agency and people[c]]
                if not others:
                    continue
                other, _ = rng.choice(people[rng.choice(others)][-2000:])
                left, right = sorted((record.id, other))
                hits.append({"id": hit_id(left, right), "left_id": left, "right_id": right,
                             "left_agency": left.split(".")[0].upper(),
                             "right_agency": right.split(".")[0].upper(), "schema": "Person",
                             "score": 0.97, "explanation": ["birth dates agree: +11.9",
                             "both surnames agree: +11.3"], "levels": {}, "status": "new",
                             "left_hash": "0" * 40, "right_hash": "0" * 40,
                             "created_at": now, "updated_at": now})  # fmt: skip
            if hits:
                # A pair drawn twice is one hit.
                conn.execute(insert(Hit).prefix_with("OR IGNORE", dialect="sqlite"), hits)
        written += size
        rate = written / (time.perf_counter() - started)
        print(f"\r{written:,} entities written ({rate:,.0f}/s)", end="", file=sys.stderr)
    print(file=sys.stderr)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def sample_of(url: str, size: int, seed: int) -> dict[str, Any]:
    """Records to ask for, drawn from the installation itself (so that a build stopped half-way
    can still be measured): people with their names and phones, random records, records with
    hits."""
    from sqlalchemy import func, select

    from vinculo.store.db import make_engine
    from vinculo.store.tables import Entity, EntityValue, Hit

    engine = make_engine(url)
    with engine.connect() as conn:
        conn.execute(
            select(func.setseed(seed / 100)) if conn.dialect.name != "sqlite" else select(1)
        )
        total = int(conn.execute(select(func.count()).select_from(Entity)).scalar_one())
        drawn = select(Entity.id).order_by(func.random()).limit(size * 3).subquery()
        people = conn.execute(
            select(Entity.id, Entity.caption, EntityValue.value)
            .join(EntityValue, (EntityValue.entity_id == Entity.id) & (EntityValue.kind == "phone"))
            .where(Entity.id.in_(select(drawn.c.id)), Entity.schema == "Person")
        ).all()
        anything = [r[0] for r in conn.execute(select(drawn.c.id).limit(size))]
        with_hits = [
            r[0]
            for r in conn.execute(
                select(Hit.left_id).where(Hit.left_agency == "ES-CNP").limit(size)
            )
        ]
    engine.dispose()
    return {
        "entities": total,
        "names": [(r.id, r.caption) for r in people],
        "phones": [(r.id, r.value) for r in people],
        "ids": anything + with_hits,
    }


def measure(url: str, requests: int, seed: int = 11, reverse_links: bool = True) -> dict[str, Any]:
    from fastapi.testclient import TestClient

    from vinculo.api import create_app
    from vinculo.store.db import make_engine

    rng = random.Random(seed)
    sample = sample_of(url, requests, seed)
    if not reverse_links:
        # To show what the lookup of the records referring to a profile's record costs: it has
        # no index to use (see docs/benchmarks.md).
        from vinculo.web import profile

        setattr(profile, "referencing_ids", lambda conn, entity_id, agency: [])  # noqa: B010
    engine = make_engine(url)
    client = TestClient(create_app(engine))
    form = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    response = client.post(
        "/login",
        data={"username": "bench.analyst", "password": PASSWORD, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    names = sample["names"]
    searches: list[tuple[str, str | None]] = []
    for n in range(requests):
        if n % 4 == 3:
            entity_id, phone = rng.choice(sample["phones"])
            digits = re.sub(r"\D", "", phone)
            searches.append(("00" + digits, entity_id))  # the same phone, another format
        else:
            entity_id, name = rng.choice(names)
            searches.append((_typo(name, rng), entity_id))
    profiles = [rng.choice(sample["ids"]) for _ in range(requests)]
    for query, _ in searches[:5]:  # warm-up: templates, catalogues, caches
        client.get("/search", params={"q": query})
    for entity_id in profiles[:5]:
        client.get(f"/entities/{entity_id}")
    timings: dict[str, list[float]] = {"search": [], "profile": []}
    found = 0
    for query, expected in searches:
        start = time.perf_counter()
        response = client.get("/search", params={"q": query})
        timings["search"].append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
        found += expected is not None and f"/entities/{expected}" in response.text
    for entity_id in profiles:
        start = time.perf_counter()
        response = client.get(f"/entities/{entity_id}")
        timings["profile"].append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (entity_id, response.status_code)
    return {
        "entities": sample["entities"],
        "timings": timings,
        "found": found,
        "searches": len(searches),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entities", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200, help="requests per page")
    parser.add_argument("--url", help="database URL (default: a SQLite file under benchmarks/out)")
    parser.add_argument("--reuse", action="store_true", help="keep an installation already built")
    parser.add_argument(
        "--without-reverse-links",
        action="store_true",
        help="profiles without the records that refer to them (to show what that lookup costs)",
    )
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"web-{args.entities}.sqlite3"
    url = args.url or f"sqlite:///{path}"
    built: float | None = None
    if not (args.reuse and (args.url or path.is_file())):
        if not args.url and path.exists():
            path.unlink()
        start = time.perf_counter()
        build(url, args.entities)
        built = time.perf_counter() - start
    result = measure(url, args.requests, reverse_links=not args.without_reverse_links)
    now = dt.datetime.now(dt.UTC)
    machine = platform.processor() or platform.machine()
    print(
        f"\n{platform.node()} · {machine} · Python {platform.python_version()} · "
        f"{now:%Y-%m-%d %H:%M} UTC"
    )
    build_note = f"built in {built:,.0f} s" if built is not None else "built earlier"
    print(
        f"{result['entities']:,} entities ({build_note}); search found the intended record "
        f"{result['found']}/{result['searches']} times\n"
    )
    print("| page | requests | p50 ms | p95 ms | max ms | mean ms |")
    print("|---|---|---|---|---|---|")
    for page, values in result["timings"].items():
        print(f"| {page} | {len(values)} | {statistics.median(values):.1f} | "
              f"{percentile(values, 0.95):.1f} | {max(values):.1f} | "
              f"{statistics.fmean(values):.1f} |")  # fmt: skip


if __name__ == "__main__":
    main()
