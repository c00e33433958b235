"""``vinculo graph``: the same analyses at the command line, as a user, audited."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import networkx as nx  # type: ignore[import-untyped]
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from tests.graph.conftest import Store, populate
from vinculo import settings as settings_module
from vinculo.cli import app
from vinculo.store import db
from vinculo.store.db import make_engine, migrate
from vinculo.store.tables import AuditEntry

runner = CliRunner()
ES, BR = "ES-CNP", "BR-PF"


@pytest.fixture
def cli_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("VINCULO_DATABASE_URL", url)
    monkeypatch.setenv("VINCULO_VAR_DIR", str(tmp_path / "var"))
    settings_module.get_settings.cache_clear()
    db.get_engine.cache_clear()
    engine = make_engine(url)
    migrate(engine)
    yield populate(engine, tmp_path)
    engine.dispose()
    settings_module.get_settings.cache_clear()
    db.get_engine.cache_clear()


def run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_metrics_paths_communities_keyplayers(cli_store: Store) -> None:
    carlos = cli_store.id(ES, "p1")
    found = json.loads(
        run("graph", "metrics", "--as", "luis.cnp", "--ids", carlos, "--depth", "2", "--json")
    )
    assert found["top"]["betweenness"][0] == carlos
    text = run("graph", "paths", "--as", "luis.cnp", cli_store.id(ES, "p2"), cli_store.id(BR, "p1"))
    assert "Marta Gil" in text and "same_as" in text and "[BR-PF] Person" in text
    assert "communities" in run("graph", "communities", "--as", "luis.cnp", "--ids", carlos)
    assert "Carlos Ruiz" in run(
        "graph", "keyplayers", "--as", "luis.cnp", "--ids", carlos, "--depth", "2", "-k", "1"
    )


def test_export_and_refusals(cli_store: Store, tmp_path: Path) -> None:
    target = tmp_path / "net.graphml"
    run(
        "graph",
        "export",
        "--as",
        "ana.pf",
        "--ids",
        cli_store.id(BR, "p1"),
        "--depth",
        "2",
        "-o",
        str(target),
    )
    g = nx.read_graphml(io.BytesIO(target.read_bytes()))
    assert g.number_of_nodes() == 3
    picture = tmp_path / "net.svg"
    run(
        "graph",
        "export",
        "--as",
        "ana.pf",
        "--ids",
        cli_store.id(BR, "p1"),
        "--depth",
        "2",
        "--format",
        "svg",
        "-o",
        str(picture),
    )
    root = ET.parse(picture).getroot()  # noqa: S314 - the command's own file
    drawn = {
        e.get("data-id"): e.get("class")
        for e in root.iter("{http://www.w3.org/2000/svg}g")
        if "node" in (e.get("class") or "").split()
    }
    assert set(drawn) == set(g.nodes)
    assert drawn[cli_store.id(ES, "p1")] == "node placeholder"
    assert "Exported by ana.pf (BR-PF)" in picture.read_text(encoding="utf-8")
    refused = runner.invoke(
        app, ["graph", "metrics", "--as", "admin.pn", "--ids", cli_store.id(ES, "p1")]
    )
    assert refused.exit_code != 0 and "role" in refused.output
    unknown = runner.invoke(app, ["graph", "metrics", "--as", "ana.pf", "--ids", "nope"])
    assert unknown.exit_code != 0 and "no such entity" in unknown.output
    judicial = runner.invoke(
        app,
        [
            "graph",
            "export",
            "--as",
            "jean.pn",
            "--ids",
            cli_store.id(ES, "p1"),
            "--judicial",
            "-o",
            str(tmp_path / "j.graphml"),
        ],
    )
    assert judicial.exit_code != 0 and "H1" in judicial.output
    assert not (tmp_path / "j.graphml").exists()
    with cli_store.engine.connect() as conn:
        rows = conn.execute(
            select(AuditEntry.action, AuditEntry.outcome, AuditEntry.username).order_by(
                AuditEntry.seq
            )
        ).all()
    graph_rows = [tuple(r) for r in rows if r[0].startswith("graph.")]
    assert graph_rows == [
        ("graph.network", "ok", "ana.pf"),
        ("graph.export", "ok", "ana.pf"),
        ("graph.network", "ok", "ana.pf"),
        ("graph.export", "ok", "ana.pf"),
        ("graph.metrics", "denied", "admin.pn"),
        ("graph.metrics", "denied", "ana.pf"),
        ("graph.network", "ok", "jean.pn"),
        ("graph.export", "denied", "jean.pn"),
    ]


def test_the_help_lists_the_export_formats_and_the_cli_starts_without_the_graph_package() -> None:
    import subprocess
    import sys

    from vinculo import cli_graph
    from vinculo.graph import exports

    assert tuple(exports.FORMATS) == cli_graph.EXPORT_FORMATS
    # Starting the CLI (every command, xref-files included) does not load the graph package.
    code = "import sys, vinculo.cli; print('vinculo.graph' in sys.modules, 'igraph' in sys.modules)"
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout.split() == ["False", "False"]
