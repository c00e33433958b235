"""Synthetic EU-LAC scenario: agencies' person records and FtM entities with a ground truth.

``generate(out_dir, seed, scale)`` writes (the contract the importer relies on)::

    agencies.csv                       code,name,country,kind,networks,contact_markets
    <CODE>/people.csv                  one row per person record (UTF-8 ',' or cp1252 ';')
    <CODE>/entities.ftm.jsonl          FtM entities with a "vinculo" metadata object
    ground_truth/records.csv           agency,record_id,schema,true_id,organisation_id,role
    ground_truth/lookalikes.csv        agency_left,record_left,agency_right,record_right,kind
    ground_truth/organisations.csv     organisation_id,name,markets,countries,brokers
    ground_truth/people.csv            the true identity behind every true_id (extra)
    ground_truth/identifiers.csv       agency,record_id,kind,id_number: stdnum kind of each
                                       id_number written (extra)
    manifest.json

Everything is derived from ``random.Random`` seeded per unit of work, so the same seed and scale
give byte-identical files; nothing depends on hash order or the clock. See ``people`` for the
naming convention and ``lookalikes`` for the hard negatives.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

from vinculo.demo.agencies import AGENCIES, AGENCY_BY_CODE
from vinculo.demo.assets import seizure_props
from vinculo.demo.background import run_background, run_lookalike
from vinculo.demo.countries import COUNTRIES
from vinculo.demo.names import build_pool
from vinculo.demo.organisations import (
    LOOKALIKE_KINDS,
    organisation_rows,
    plan_organisations,
    run_organisation,
    write_organisation_lines,
)
from vinculo.demo.scene import Run, Scene
from vinculo.demo.writer import (
    GROUND_TRUTH_FILES,
    AgencyOutput,
    GroundTruth,
    Manifest,
    write_agencies,
)
from vinculo.model.metadata import CriminalMarket

__all__ = ["Manifest", "generate"]

Progress = Callable[[str, int, int], None]

#: Background people per unit of work: small enough to keep memory flat, large enough to be fast.
CHUNK = 500
#: Share of background people also known to a second agency.
SECOND_AGENCY = 0.05


def _allocate(total: int, weights: list[int]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder, deterministic)."""
    whole = sum(weights)
    raw = [total * w / whole for w in weights]
    out = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: (out[i] - raw[i], i))
    for i in order[: total - sum(out)]:
        out[i] += 1
    return out


def generate(
    out_dir: Path,
    seed: int = 1,
    scale: int = 5000,
    progress: Progress | None = None,
) -> Manifest:
    """Write the scenario for about ``scale`` person records to ``out_dir``."""
    report: Progress = progress or (lambda stage, done, total: None)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    locales = sorted({loc for c in COUNTRIES.values() for loc in c.locales})
    pools = {}
    for n, locale in enumerate(locales):
        pools[locale] = build_pool(locale, seed)
        report("names", n + 1, len(locales))
    write_agencies(out_dir)
    outputs = {a.code: AgencyOutput(a, out_dir) for a in AGENCIES}
    truth = GroundTruth(out_dir)
    run = Run(seed, outputs, truth, pools)
    plan_rng = random.Random(f"vinculo.demo:{seed}:{scale}:plan")

    plans = plan_organisations(plan_rng, max(6, round(scale / 250)), pools["es_CO"].last)
    org_scene = Scene(run, random.Random(f"{seed}:organisations"))
    for n, plan in enumerate(plans):
        write_organisation_lines(org_scene, plan)
        report("organisations", n + 1, len(plans))
    for row in organisation_rows(plans):
        truth.write("organisations", row)
    plans_by_id = {p.org_id: p for p in plans}

    pairs = max(25, scale // 80)
    look_units = []
    for n in range(pairs):
        counts = (plan_rng.choice((1, 1, 2)), plan_rng.choice((1, 1, 2)))
        look_units.append((LOOKALIKE_KINDS[n % len(LOOKALIKE_KINDS)], counts))

    planned = sum(p.records for p in plans) + sum(a + b for _, (a, b) in look_units)
    background = max(0, scale - planned)
    units: list[tuple[str, int, int, int]] = [("org", i, 0, 0) for i in range(len(plans))]
    units += [("look", i, 0, 0) for i in range(len(look_units))]
    weights = [a.weight for a in AGENCIES]
    for agency_index, records in enumerate(_allocate(background, weights)):
        people = round(records / (1 + SECOND_AGENCY))
        extra = records - people
        chunks = max(1, -(-people // CHUNK))
        for part_people, part_extra in zip(
            _allocate(people, [1] * chunks), _allocate(extra, [1] * chunks), strict=True
        ):
            units.append(("bg", agency_index, part_people, part_extra))
    plan_rng.shuffle(units)

    chunk_no = 0
    for kind, index, people, extra in units:
        rng = random.Random(f"{seed}:{kind}:{index}:{chunk_no}")
        scene = Scene(run, rng)
        if kind == "org":
            plan = plans[index]
            run_organisation(scene, plan, plans_by_id.get(plan.partner or ""))
        elif kind == "look":
            look_kind, counts = look_units[index]
            run_lookalike(scene, look_kind, index, counts)
        else:
            chunk_no += 1
            run_background(scene, AGENCIES[index].code, chunk_no, people, extra)
        scene.finish()
        report("people", run.people_records, scale)

    _seize_every_market(run)
    for out in outputs.values():
        out.close()
    truth.close()
    manifest = Manifest(
        seed=seed,
        scale=scale,
        counts={code: dict(sorted(out.counts.items())) for code, out in outputs.items()},
        paths={
            "agencies": "agencies.csv",
            **{f"{a.code}/people": f"{a.code}/people.csv" for a in AGENCIES},
            **{f"{a.code}/entities": f"{a.code}/entities.ftm.jsonl" for a in AGENCIES},
            **{f"ground_truth/{n}": f"ground_truth/{n}.csv" for n in GROUND_TRUTH_FILES},
            "manifest": "manifest.json",
        },
        encodings={
            a.code: {"encoding": a.habits.encoding, "delimiter": a.habits.delimiter}
            for a in AGENCIES
        },
        ground_truth=dict(sorted(truth.counts.items())),
    )
    manifest.write(out_dir)
    report("done", run.people_records, scale)
    return manifest


def _seize_every_market(run: Run) -> None:
    """Small scenarios may miss a market by chance; every market gets at least one seizure."""
    scene = Scene(run, random.Random(f"{run.seed}:markets"))
    for market in CriminalMarket:
        if run.seized_markets.get(market.value):
            continue
        agency = next(
            (a for a in AGENCIES if market in a.contact_markets and a.kind == "police"),
            AGENCY_BY_CODE["ES-CNP"],
        )
        case = scene.case(agency.code, market.value, key=market.value)
        when = scene.date_between(case.start)
        props = seizure_props(scene.rng, market.value, when, agency.code, agency.country, [])
        scene.entity(agency.code, "Seizure", props, (market.value,), case)
    scene.finish()
