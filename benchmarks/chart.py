"""The link chart at 2,000 nodes in Chromium: how long it takes to load and lay out, and whether
it stays interactive (re-layout, recolouring, zoom, selection), measured with Playwright.

    .venv/bin/python benchmarks/chart.py                  # 2,000 nodes, 8,000 links
    .venv/bin/python benchmarks/chart.py --nodes 500 --edges 1500

A store of ``--nodes`` people and ``--edges`` links (the generator of benchmarks/graph.py, all of
it readable by the analyst) is served by a live vinculo server; Chromium (Debian's, as the browser
tests use) opens ``/chart?ids=<one person>&depth=6``, which the page caps at 2,000 nodes. Measured
in the page (``performance.now()``), median of ``--rounds``:

* load: navigation to a laid-out chart (network read through the policy, drawn, cose layout);
* layout: the cose layout alone (``data-layout-ms`` set by chart.js);
* relayout (grid), recolour by kind of entity, zoom (to the next frame drawn) and select-all.

Results: a Markdown table (for docs/benchmarks.md) and benchmarks/out/chart.json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import uvicorn
from playwright.sync_api import Page, sync_playwright

from graph import generate  # benchmarks/graph.py
from matching_support.machine import machine, versions
from vinculo.api import create_app
from vinculo.store.db import make_engine

OUT = Path(__file__).resolve().parent / "out"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
PASSWORD = "benchmark password 1"  # noqa: S105 - a generated store's throwaway user


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _timed(page: Page, script: str) -> float:
    """Milliseconds from running ``script`` in the page to the next frame drawn after it."""
    value: float = page.evaluate(
        """script => new Promise(resolve => {
            const cy = window.vinculoChart;
            const start = performance.now();
            (new Function('cy', script))(cy);
            requestAnimationFrame(() => requestAnimationFrame(
                () => resolve(performance.now() - start)));
        })""",
        script,
    )
    return value


def run(nodes: int, edges: int, rounds: int) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="vinculo-chart-"))
    db = tmp / "chart.sqlite3"
    generate(db, nodes, edges, seed=3, shared_share=1.0)
    engine = make_engine(f"sqlite:///{db}")
    port = _port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(engine), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    url = f"http://127.0.0.1:{port}"
    results: dict[str, list[float]] = {
        k: [] for k in ("load", "layout", "relayout_grid", "recolour", "zoom", "select_all")
    }
    shown: list[int] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            context = browser.new_context(base_url=url, viewport={"width": 1440, "height": 1000})
            page = context.new_page()
            page.goto("/login")
            page.locator("#username").fill("reader")
            page.locator("#password").fill(PASSWORD)
            page.locator("form[action='/login'] button[type=submit]").click()
            page.wait_for_url(f"{url}/")
            for _ in range(rounds):
                started = time.perf_counter()
                page.goto("/chart?ids=bn.0000000&depth=6")
                page.wait_for_selector("#chart[data-ready='true']", timeout=300_000)
                results["load"].append((time.perf_counter() - started) * 1000)
                results["layout"].append(
                    float(page.locator("#chart").get_attribute("data-layout-ms") or "nan")
                )
                shown.append(page.evaluate("window.vinculoChart.nodes().length"))
                results["relayout_grid"].append(
                    _timed(page, "cy.layout({name: 'grid', animate: false}).run();")
                )
                page.locator("#chart-colour").select_option("schema")
                results["recolour"].append(
                    _timed(
                        page,
                        "document.getElementById('chart-colour')"
                        ".dispatchEvent(new Event('change'));",
                    )
                )
                results["zoom"].append(_timed(page, "cy.zoom(cy.zoom() * 1.5); cy.center();"))
                results["select_all"].append(_timed(page, "cy.nodes().select();"))
            browser.close()
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        engine.dispose()
        shutil.rmtree(tmp, ignore_errors=True)
    out: dict[str, Any] = {f"{k}_ms": round(statistics.median(v), 1) for k, v in results.items()}
    out["nodes_shown"] = statistics.median(shown)
    out["links"] = edges
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, default=2000)
    parser.add_argument("--edges", type=int, default=8000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    results = run(args.nodes, args.edges, args.rounds)
    results["machine"] = machine()
    results["versions"] = versions(("playwright", "igraph"))
    results["date"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "chart.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(json.dumps(results, indent=2))
    print("| measure | median |\n|---|---|")
    for key in ("load", "layout", "relayout_grid", "recolour", "zoom", "select_all"):
        print(f"| {key.replace('_', ' ')} | {results[key + '_ms']} ms |")


if __name__ == "__main__":
    main()
