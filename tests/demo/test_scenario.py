"""The synthetic scenario: its file contract, validity of every identifier and its ground truth."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
from collections import Counter, defaultdict
from pathlib import Path

import phonenumbers
import pytest
from demo_support import agency_codes, read_entities, read_people, read_truth
from stdnum import iban, imo, iso6346
from stdnum.util import get_cc_module

from vinculo.demo import Manifest, generate
from vinculo.demo.countries import COUNTRIES
from vinculo.demo.identifiers import MIDS, keccak256
from vinculo.demo.names import strip_accents
from vinculo.demo.people import PEOPLE_COLUMNS, REFERENCE_DATE
from vinculo.model.metadata import AgencyKind, CriminalMarket, Network, SubjectCategory
from vinculo.model.schemata import get_model

Scenario = tuple[Path, Manifest]


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_same_seed_same_bytes_and_other_seed_other_data(scenario: Scenario, tmp_path: Path) -> None:
    out, _ = scenario
    generate(tmp_path / "again", seed=7, scale=3000)
    assert _digest(out) == _digest(tmp_path / "again")
    generate(tmp_path / "other", seed=8, scale=3000)
    other = _digest(tmp_path / "other")
    assert other["CO-DIJIN/people.csv"] != _digest(out)["CO-DIJIN/people.csv"]
    assert other["agencies.csv"] == _digest(out)["agencies.csv"]


def test_agencies_cover_both_regions(scenario: Scenario) -> None:
    out, _ = scenario
    with open(out / "agencies.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["code", "name", "country", "kind", "networks", "contact_markets"]
    assert len(rows) >= 15
    countries = {r["country"] for r in rows}
    assert len(countries) >= 10
    assert {COUNTRIES[c].region for c in countries} == {"EU", "LAC"}
    kinds = {AgencyKind(r["kind"]) for r in rows}
    assert {AgencyKind.POLICE, AgencyKind.PROSECUTION, AgencyKind.PENITENTIARY} <= kinds
    for row in rows:
        assert re.fullmatch(r"[A-Z]{2}-[A-Z]+", row["code"]) and row["code"][:2] == row["country"]
        for network in row["networks"].split(";"):
            Network(network)
        for market in row["contact_markets"].split(";"):
            CriminalMarket(market)


def test_people_files_have_the_contract_columns_and_encodings(scenario: Scenario) -> None:
    out, manifest = scenario
    cp1252 = [code for code, enc in manifest.encodings.items() if enc["encoding"] == "cp1252"]
    assert 2 <= len(cp1252) <= 3
    total = 0
    for code in agency_codes(out):
        raw = (out / code / "people.csv").read_bytes()
        if code in cp1252:
            with pytest.raises(UnicodeDecodeError):
                raw.decode("utf-8")  # accented letters are single cp1252 bytes
            assert raw.decode("cp1252").startswith(";".join(PEOPLE_COLUMNS))
        else:
            assert raw.decode("utf-8").startswith(",".join(PEOPLE_COLUMNS))
        rows = read_people(out, code)
        assert rows and list(rows[0]) == list(PEOPLE_COLUMNS)
        assert len({r["id"] for r in rows}) == len(rows)
        assert manifest.counts[code]["Person"] == len(rows)
        total += len(rows)
    assert total == manifest.scale == 3000


def test_people_values(scenario: Scenario) -> None:
    out, _ = scenario
    truth = {r["true_id"]: r for r in read_truth(out, "people")}
    record_truth = {(r["agency"], r["record_id"]): r["true_id"] for r in read_truth(out, "records")}
    categories: Counter[str] = Counter()
    minors = 0
    for code in agency_codes(out):
        for row in read_people(out, code):
            assert row["gender"] in ("m", "f")
            assert row["handling_code"] in ("H0", "H1", "H2", "H3")
            assert re.fullmatch(r"[ABCX][1-4]", row["source_evaluation"])
            categories[SubjectCategory(row["subject_category"]).value] += 1
            for market in row["markets"].split(";"):
                CriminalMarket(market)
            assert row["minor"] in ("true", "false")
            assert row["source_ref"] and row["name"]
            person = truth[record_truth[(code, row["id"])]]
            birth = dt.date.fromisoformat(person["birth_date"])
            age = (REFERENCE_DATE - birth).days / 365.25
            if row["minor"] == "true":
                minors += 1
                assert age < 18
            else:
                assert age >= 18
    assert minors > 0
    assert categories["suspect"] > categories["contact"] > categories["victim"] > 0
    assert categories["witness"] > 0 and categories["convicted"] > 0


def _valid_id(kind: str, value: str) -> bool:
    if kind == "co.cedula":  # Colombian cédulas carry no check digit at all
        return re.fullmatch(r"\d{1,3}(\.?\d{3}){1,3}", value) is not None
    if kind == "ve.cedula":
        return re.fullmatch(r"V-?[\d.]{7,10}", value) is not None
    module = get_cc_module(*kind.split("."))
    assert module is not None, kind
    return bool(module.is_valid(value))


def test_every_national_id_is_valid(scenario: Scenario) -> None:
    out, _ = scenario
    written = {
        (code, r["id"]): r["id_number"]
        for code in agency_codes(out)
        for r in read_people(out, code)
    }
    kinds: Counter[str] = Counter()
    for row in read_truth(out, "identifiers"):
        assert written[(row["agency"], row["record_id"])] == row["id_number"]
        assert _valid_id(row["kind"], row["id_number"]), row
        kinds[row["kind"]] += 1
    # Every id_number written is described in identifiers.csv.
    assert sum(1 for v in written.values() if v) == sum(kinds.values())
    for kind in (
        "br.cpf",
        "mx.curp",
        "cl.rut",
        "es.dni",
        "es.nie",
        "pt.nif",
        "co.cedula",
        "ec.ci",
        "pe.cui",
        "ar.dni",
    ):
        assert kinds[kind] > 0, kind
    formats = {v for (code, _), v in written.items() if code.startswith("BR")}
    assert any("." in v for v in formats) and any(v.isdigit() for v in formats)


def test_every_phone_is_valid(scenario: Scenario) -> None:
    out, _ = scenario
    styles: Counter[str] = Counter()
    for code in agency_codes(out):
        region = code[:2]
        for row in read_people(out, code):
            if row["phone"]:
                number = phonenumbers.parse(row["phone"], region)
                assert phonenumbers.is_valid_number(number), (code, row["phone"])
                styles["international" if row["phone"].startswith("+") else "national"] += 1
    assert styles["international"] > 0 and styles["national"] > 0


def _base58_ok(address: str, version: int) -> bool:
    alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
    n = 0
    for c in address:
        n = n * 58 + alphabet.index(c)
    raw = n.to_bytes(25, "big")
    digest = hashlib.sha256(hashlib.sha256(raw[:21]).digest()).digest()
    return raw[0] == version and raw[21:] == digest[:4]


def _eth_ok(address: str) -> bool:
    body = address[2:]
    digest = keccak256(body.lower().encode()).hex()
    return all(
        c == (c.upper() if int(digest[i], 16) >= 8 else c.lower()) for i, c in enumerate(body)
    )


def test_every_entity_loads_in_the_model_with_valid_references(scenario: Scenario) -> None:
    out, manifest = scenario
    model = get_model()
    schemata: Counter[str] = Counter()
    for code in agency_codes(out):
        people = {r["id"] for r in read_people(out, code)}
        lines = read_entities(out, code)
        ids = {str(line["id"]) for line in lines}
        assert len(ids) == len(lines)
        assert not ids & people
        per_schema: Counter[str] = Counter()
        for line in lines:
            proxy = model.get_proxy(line, cleaned=False)
            assert proxy.id == line["id"]
            schema = model.get(str(line["schema"]))
            assert schema is not None
            props = line["properties"]
            assert isinstance(props, dict)
            for name, values in props.items():
                prop = schema.get(name)
                assert prop is not None, (schema.name, name)
                assert values and all(isinstance(v, str) and v for v in values)
                if prop.type.name == "entity":
                    for v in values:
                        assert v in people or v in ids, (code, line["id"], name, v)
                elif prop.type.name in ("date", "country", "phone", "gender", "number"):
                    for v in values:
                        assert prop.type.clean(v) is not None, (name, v)
            for name in schema.required:
                assert name in props, (schema.name, name)
            meta = line["vinculo"]
            assert isinstance(meta, dict)
            assert set(meta) == {
                "markets",
                "handling_code",
                "handling_text",
                "source_evaluation",
                "subject_category",
                "minor",
                "source_ref",
            }
            assert (meta["handling_text"] is not None) == (meta["handling_code"] == "H3")
            per_schema[schema.name] += 1
        for name, count in per_schema.items():
            assert manifest.counts[code][name] == count
        schemata.update(per_schema)
    expected = {
        "Organization",
        "Company",
        "Address",
        "Passport",
        "BankAccount",
        "CryptoWallet",
        "Vehicle",
        "Vessel",
        "ShippingContainer",
        "Firearm",
        "CulturalObject",
        "Seizure",
        "Custody",
        "Case",
        "Family",
        "Associate",
        "Membership",
        "Ownership",
        "Directorship",
        "Employment",
        "Call",
        "Payment",
        "Event",
    }
    assert expected <= set(schemata), expected - set(schemata)


def _values(out: Path, schema: str, prop: str) -> list[tuple[str, str]]:
    return [
        (code, v)
        for code in agency_codes(out)
        for line in read_entities(out, code)
        if line["schema"] == schema
        for v in line["properties"].get(prop, [])  # type: ignore[union-attr]
    ]


def test_asset_identifiers_have_valid_check_digits(scenario: Scenario) -> None:
    out, _ = scenario
    ibans = _values(out, "BankAccount", "iban")
    assert ibans and all(iban.is_valid(v) for _, v in ibans)
    imos = _values(out, "Vessel", "imoNumber")
    assert imos and all(imo.is_valid(v) for _, v in imos)
    mids = {m for values in MIDS.values() for m in values}
    assert all(
        re.fullmatch(r"\d{9}", v) and v[:3] in mids for _, v in _values(out, "Vessel", "mmsi")
    )
    containers = _values(out, "ShippingContainer", "containerNumber")
    assert containers and all(iso6346.is_valid(v) for _, v in containers)
    wallets = _values(out, "CryptoWallet", "cryptoAddress")
    assert wallets
    for _, address in wallets:
        if address.startswith("0x"):
            assert _eth_ok(address)
        elif address.startswith("T"):
            assert _base58_ok(address, 0x41)
        elif address.startswith("1"):
            assert _base58_ok(address, 0x00)
        else:
            assert re.fullmatch(r"bc1q[02-9ac-hj-np-z]{38}", address)


def test_every_market_is_seized(scenario: Scenario) -> None:
    out, _ = scenario
    seized = {v for _, v in _values(out, "Seizure", "market")}
    assert seized == {m.value for m in CriminalMarket}
    goods_types = {v for _, v in _values(out, "Seizure", "goodsType")}
    assert {"substance", "species", "timber", "mineral", "other"} <= goods_types


def test_custody_only_in_prisons(scenario: Scenario) -> None:
    _out, manifest = scenario
    for code, counts in manifest.counts.items():
        prison = code in ("CO-INPEC", "BR-SENAPPEN", "EC-SNAI", "PT-DGRSP")
        assert (counts.get("Custody", 0) > 0) == prison
        if prison:
            assert counts["Custody"] == counts["Person"]


def test_cross_agency_duplicates_with_clerical_variation(scenario: Scenario) -> None:
    out, _ = scenario
    rows = {(code, r["id"]): r for code in agency_codes(out) for r in read_people(out, code)}
    by_truth: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for t in read_truth(out, "records"):
        if t["schema"] == "Person":
            by_truth[t["true_id"]].append((t["agency"], t["record_id"]))
    multi = [keys for keys in by_truth.values() if len({a for a, _ in keys}) >= 2]
    share = len(multi) / len(by_truth)
    assert 0.08 <= share <= 0.2, share
    assert max(len(k) for k in multi) >= 4
    seen: Counter[str] = Counter()
    for keys in multi:
        recs = [rows[k] for k in keys]
        names = [r["name"] for r in recs]
        if len({n.casefold() for n in names}) > 1:
            seen["names_differ"] += 1
        if any(n.isupper() for n in names) and not all(n.isupper() for n in names):
            seen["upper"] += 1
        if any(", " in n for n in names):
            seen["surnames_first"] += 1
        lasts = {r["second_last_name"] for r in recs if r["first_name"]}
        if "" in lasts and len(lasts) > 1:
            seen["second_surname_missing"] += 1
        stripped = [strip_accents(r["last_name"]) for r in recs]
        if len({r["last_name"] for r in recs}) > 1 and len(set(stripped)) == 1:
            seen["accents"] += 1
        if any(re.fullmatch(r"\d{4}|\d\d/\d{4}|\d{4}-\d\d", r["birth_date"]) for r in recs):
            seen["partial_date"] += 1
        if any(r["id_number"] for r in recs) and any(
            r["passport_number"] and not r["id_number"] for r in recs
        ):
            seen["id_vs_passport"] += 1
        if any(r["alias"] and not r["first_name"] for r in recs):
            seen["alias_only"] += 1
        if any(
            _one_edit(a["last_name"].casefold(), b["last_name"].casefold())
            for a in recs
            for b in recs
            if a["last_name"] and b["last_name"]
        ):
            seen["typo"] += 1
    for variation in (
        "names_differ",
        "upper",
        "surnames_first",
        "second_surname_missing",
        "accents",
        "partial_date",
        "id_vs_passport",
        "alias_only",
        "typo",
    ):
        assert seen[variation] > 0, (variation, seen)


def _one_edit(a: str, b: str) -> bool:
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (
            len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
        )
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def test_lookalikes_are_different_people_of_every_kind(scenario: Scenario) -> None:
    out, _ = scenario
    truth = {(t["agency"], t["record_id"]): t["true_id"] for t in read_truth(out, "records")}
    people = {p["true_id"]: p for p in read_truth(out, "people")}
    kinds: Counter[str] = Counter()
    for row in read_truth(out, "lookalikes"):
        left = truth[(row["agency_left"], row["record_left"])]
        right = truth[(row["agency_right"], row["record_right"])]
        assert left != right
        a, b = people[left], people[right]
        kind = row["kind"]
        kinds[kind] += 1
        if kind == "namesake":
            assert (a["first_name"], a["last_name"], a["second_last_name"]) == (
                b["first_name"],
                b["last_name"],
                b["second_last_name"],
            )
        elif kind == "cousins_swapped":
            assert (a["last_name"], a["second_last_name"]) == (
                b["second_last_name"],
                b["last_name"],
            )
        elif kind == "siblings":
            assert (a["last_name"], a["second_last_name"]) == (
                b["last_name"],
                b["second_last_name"],
            )
            assert a["phone"] == b["phone"]
        elif kind == "father_son":
            assert (a["first_name"], a["last_name"]) == (b["first_name"], b["last_name"])
            gap = abs(int(a["birth_date"][:4]) - int(b["birth_date"][:4]))
            assert 20 <= gap <= 34
        elif kind == "juan_juana":
            assert a["gender"] != b["gender"] and a["last_name"] == b["last_name"]
    assert set(kinds) == {"father_son", "siblings", "cousins_swapped", "namesake", "juan_juana"}


def test_organisations_and_shared_assets(scenario: Scenario) -> None:
    out, _ = scenario
    orgs = read_truth(out, "organisations")
    assert len(orgs) >= 6
    records = read_truth(out, "records")
    roles: dict[str, set[str]] = defaultdict(set)
    for r in records:
        if r["organisation_id"]:
            roles[r["organisation_id"]].add(r["role"])
    for org in orgs:
        assert {"leader", "broker", "logistics", "finance"} <= roles[org["organisation_id"]]
        assert org["brokers"]
        assert len(org["countries"].split(";")) >= 2
    agencies_of: dict[str, set[str]] = defaultdict(set)
    schema_of: dict[str, str] = {}
    for r in records:
        if r["schema"] != "Person":
            agencies_of[r["true_id"]].add(r["agency"])
            schema_of[r["true_id"]] = r["schema"]
    shared = Counter(schema_of[t] for t, a in agencies_of.items() if len(a) >= 2)
    for schema in ("Organization", "ShippingContainer", "BankAccount", "Company"):
        assert shared[schema] > 0, (schema, shared)
    # A container seized in Latin America and flagged in Europe.
    regions = {
        t: {COUNTRIES[a[:2]].region for a in agencies_of[t]}
        for t, s in schema_of.items()
        if s == "ShippingContainer"
    }
    assert any(r == {"EU", "LAC"} for r in regions.values())


def test_manifest_file_matches(scenario: Scenario) -> None:
    out, manifest = scenario
    import json

    data = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert data["seed"] == 7 and data["scale"] == 3000
    assert data["counts"] == manifest.counts
    for path in data["paths"].values():
        assert (out / path).is_file()


def test_progress_is_reported(tmp_path: Path) -> None:
    calls: list[tuple[str, int, int]] = []
    generate(tmp_path, seed=3, scale=2000, progress=lambda s, d, t: calls.append((s, d, t)))
    stages = [c[0] for c in calls]
    assert {"names", "organisations", "people", "done"} <= set(stages)
    assert calls[-1] == ("done", 2000, 2000)
