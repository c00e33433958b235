"""The import wizard's pages: upload (size and type checked), the suggested column mapping,
the preview that writes nothing, the import in the background, the report and the correction
of a quarantined row; and another agency's access to any of it."""

import io
import re
import time
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from tests.web.conftest import audit_entries, csrf_of, login
from vinculo.model.records import make_entity_id
from vinculo.store.tables import Entity, QuarantineRow
from vinculo.web import imports as pages

#: Semicolon-separated, Spanish headers. Line 3 has no name (error), line 4 an impossible date
#: (a warning: stored, flagged), line 5 no key (error), line 6 repeats line 2's key (error).
SHEET = (
    "Código;Nombre completo;Fecha de nacimiento;Teléfono;Observaciones\n"
    "X1;Ana Lima Souza;1980-02-03;+34 600 000 001;vista en Vigo\n"
    "X2;;1981-02-03;;\n"
    "X3;Bea Ruiz Gil;1980-02-31;;\n"
    ";Carl Doe;1970-01-01;;\n"
    "X1;Otra Persona;1970-01-01;;\n"
).encode()


@pytest.fixture(autouse=True)
def uploads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "uploads"
    monkeypatch.setattr(pages, "upload_root", lambda: root)
    return root


def _as(client: TestClient, username: str) -> None:
    client.cookies.clear()
    assert login(client, username).status_code == 303


def _upload(client: TestClient, name: str, data: bytes) -> Any:
    page = client.get("/imports/new")
    assert page.status_code == 200
    return client.post(
        "/imports/new",
        data={"csrf_token": csrf_of(page.text)},
        files=[("file", (name, data, "application/octet-stream"))],
        follow_redirects=False,
    )


def _wait(client: TestClient, url: str) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        fragment = client.get(url, headers={"HX-Request": "true"})
        if "HX-Redirect" in fragment.headers:
            return str(fragment.headers["HX-Redirect"])
        assert 'id="import-status"' in fragment.text
        assert "Failed" not in fragment.text, fragment.text
        time.sleep(0.2)
    raise AssertionError("the import did not finish")


def _entities(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(Entity)).scalar_one())


def test_upload_map_preview_import_and_correct(client: TestClient, site: Engine) -> None:
    _as(client, "ana.pf")
    uploaded = _upload(client, "fichero.csv", SHEET)
    assert uploaded.status_code == 303
    mapping_url = uploaded.headers["location"]
    token = mapping_url.split("/")[3]
    page = client.get(mapping_url)
    # Headers are matched to the standard columns; an unknown one is left out.
    selected = dict(re.findall(r'<select id="(col-\d)".*?<option value="([a-z_]+)" selected>',
                               page.text, re.S))  # fmt: skip
    assert selected == {
        "col-0": "id", "col-1": "name", "col-2": "birth_date", "col-3": "phone",
    }  # fmt: skip
    before = _entities(site)
    chosen = client.post(
        mapping_url,
        data={"csrf_token": csrf_of(page.text), "schema": "Person", "handling_code": "H1",
              "reliability": "B", "credibility": "2", "col-0": "id", "col-1": "name",
              "col-2": "birth_date", "col-3": "phone", "col-4": ""},
        follow_redirects=False,
    )  # fmt: skip
    assert chosen.status_code == 303
    preview = client.get(chosen.headers["location"])
    assert preview.status_code == 200
    rows = {
        int(n): cls for cls, n in re.findall(r'<tr class="(\w*)" id="line-(\d+)"', preview.text)
    }
    assert rows == {2: "", 3: "problem", 4: "warning", 5: "problem", 6: "problem"}
    assert "duplicate id" in preview.text and "required name is empty" in preview.text
    assert _entities(site) == before  # the preview wrote nothing

    committed = client.post(
        f"/imports/wizard/{token}/commit",
        data={"csrf_token": csrf_of(preview.text)},
        follow_redirects=False,
    )
    assert committed.status_code == 303
    progress = client.get(committed.headers["location"])
    assert 'id="import-progress"' in progress.text
    report_url = _wait(client, committed.headers["location"])
    report = client.get(report_url)
    counts = dict(re.findall(r'id="count-(\w+)">(\d+)<', report.text))
    assert counts == {"written": "2", "rejected": "3", "flagged": "1", "hits": "0"}
    assert "fichero.csv" in report.text
    assert {3, 4, 5, 6} == {int(n) for n in re.findall(r'id="quarantine-(\d+)"', report.text)}
    with site.connect() as conn:
        meta = conn.execute(
            select(Entity.handling_code, Entity.source_reliability)
            .where(Entity.id == make_entity_id("BR-PF", "X1"))
        ).one()  # fmt: skip
    assert tuple(meta) == ("H1", "B")
    assert report_url in client.get("/imports").text

    # Line 3 lacked a name: corrected, it goes through the same pipeline and leaves the quarantine.
    form = client.get(f"{report_url}/quarantine/3")
    assert 'id="correct-3"' in form.text
    fields = dict(re.findall(r'name="(col:[^"]+)" value="([^"]*)"', form.text))
    assert fields == {"col:Código": "X2", "col:Nombre completo": "",
                      "col:Fecha de nacimiento": "1981-02-03", "col:Teléfono": "",
                      "col:Observaciones": ""}  # fmt: skip
    still_wrong = client.post(
        f"{report_url}/quarantine/3", data={"csrf_token": csrf_of(form.text), **fields}
    )
    assert still_wrong.status_code == 422
    assert "The corrected row still has errors: nothing was written." in still_wrong.text
    fixed = client.post(
        f"{report_url}/quarantine/3",
        data={"csrf_token": csrf_of(form.text), **fields, "col:Nombre completo": "Davi Rocha"},
        follow_redirects=False,
    )
    assert fixed.status_code == 303
    after = client.get(fixed.headers["location"])
    assert 'id="corrected"' in after.text
    deadline = time.monotonic() + 60  # imported in the background
    while 'id="quarantine-3"' in after.text and time.monotonic() < deadline:
        time.sleep(0.2)
        after = client.get(fixed.headers["location"])
    assert 'id="quarantine-3"' not in after.text and 'id="quarantine-5"' in after.text
    with site.connect() as conn:
        name = conn.execute(
            select(Entity.caption).where(Entity.id == make_entity_id("BR-PF", "X2"))
        ).scalar_one()
        status = conn.execute(
            select(QuarantineRow.status).where(QuarantineRow.line == 3)
        ).scalar_one()
    assert (name, status) == ("Davi Rocha", "resolved")
    # The file and the corrected row: two imports on the record, by the user who made them (the
    # conftest's three were made without one).
    # The quarantine is resolved in the batch's transaction, the import's audit entry in the
    # next one: wait for it.
    deadline = time.monotonic() + 30
    while len([e for e in audit_entries(site, "import") if e.username]) < 2:
        assert time.monotonic() < deadline, "the correction's import is not on the record"
        time.sleep(0.2)
    imports = audit_entries(site, "import")
    assert [e.username for e in imports if e.username] == ["ana.pf", "ana.pf"]


def test_xlsx_is_read_and_its_headers_suggested(client: TestClient, site: Engine) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["ID", "Prénom", "Nom", "Date de naissance"])
    sheet.append(["F1", "Jeanne", "Martin", "1975-05-06"])
    buffer = io.BytesIO()
    book.save(buffer)
    _as(client, "ana.pf")
    # The name says CSV: the content decides.
    uploaded = _upload(client, "export.csv", buffer.getvalue())
    assert uploaded.status_code == 303
    page = client.get(uploaded.headers["location"])
    assert "(XLSX)" in page.text
    selected = re.findall(r'<option value="([a-z_]+)" selected>', page.text)
    assert selected == ["id", "first_name", "last_name", "birth_date"]


@pytest.mark.parametrize(
    ("name", "data", "status", "text"),
    [
        ("photo.csv", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, 422, "This is not a CSV or XLSX file"),
        ("tool.csv", b"MZ\x90\x00\x03" + b"\0" * 64, 422, "This is not a CSV or XLSX file"),
        ("empty.csv", b"", 422, "The file is empty."),
    ],
)
def test_uploads_that_are_not_tables_are_refused(
    client: TestClient, site: Engine, uploads: Path, name: str, data: bytes, status: int, text: str
) -> None:
    _as(client, "ana.pf")
    refused = _upload(client, name, data)
    assert refused.status_code == status
    assert text in refused.text
    assert not uploads.exists() or not any(uploads.iterdir())


def test_upload_over_the_limit(
    client: TestClient, site: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VINCULO_IMPORT_MAX_BYTES", "20")
    _as(client, "ana.pf")
    refused = _upload(client, "big.csv", SHEET)
    assert refused.status_code == 413
    assert "The file is larger than the limit." in refused.text
    assert [e.outcome for e in audit_entries(site, "import.upload")] == ["failed"]


def test_another_agency_and_other_roles_see_nothing(client: TestClient, site: Engine) -> None:
    _as(client, "ana.pf")
    mapping_url = _upload(client, "fichero.csv", SHEET).headers["location"]
    token = mapping_url.split("/")[3]
    _as(client, "luis.cnp")
    for url in (mapping_url, f"/imports/wizard/{token}/preview", f"/imports/wizard/{token}"):
        assert client.get(url).status_code == 404, url
    page = client.get("/imports/new")
    refused = client.post(
        f"/imports/wizard/{token}/commit",
        data={"csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert refused.status_code == 404
    assert "fichero.csv" not in client.get("/imports").text
    _as(client, "ana.pf")
    no_token = client.post(f"/imports/wizard/{token}/commit", follow_redirects=False)
    assert no_token.status_code == 403
    _as(client, "admin.pf")
    assert client.get("/imports").status_code == 403
    assert client.get("/imports/new").status_code == 403


def test_report_of_another_agencys_import_is_not_found(client: TestClient, site: Engine) -> None:
    from vinculo.store.tables import ImportJob

    with site.connect() as conn:
        es_job = conn.execute(
            select(ImportJob.id).where(ImportJob.agency_code == "ES-CNP")
        ).scalar_one()
    _as(client, "ana.pf")
    assert client.get(f"/imports/{es_job}").status_code == 404
    _as(client, "luis.cnp")
    page = client.get(f"/imports/{es_job}")
    assert page.status_code == 200 and 'id="count-written">3<' in page.text


def test_a_field_mapped_twice_is_refused_with_the_reason(client: TestClient, site: Engine) -> None:
    _as(client, "luis.cnp")  # Spanish
    mapping_url = _upload(client, "fichero.csv", SHEET).headers["location"]
    page = client.get(mapping_url)
    refused = client.post(
        mapping_url,
        data={"csrf_token": csrf_of(page.text), "schema": "Person", "handling_code": "H2",
              "reliability": "B", "credibility": "2", "col-0": "id", "col-1": "name",
              "col-2": "name"},
    )  # fmt: skip
    assert refused.status_code == 422
    assert "Dos columnas van al mismo campo: asigne cada campo una sola vez." in refused.text
    # The choices come back as made, to be put right.
    assert re.search(r'id="col-2".*?<option value="name" selected>', refused.text, re.S)
