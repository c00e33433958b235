"""Take the screenshots of the user guides (docs/guide/img/) on a fresh demo installation.

    .venv/bin/python docs/guide/screenshots.py            # all of them
    .venv/bin/python docs/guide/screenshots.py search hits  # only those whose name starts so

The demo (seed 3, 800 people, SQLite in a temporary folder) is built through the real pipeline;
vinculo is served on a free local port and Debian's Chromium is driven by Playwright. Every
picture shows synthetic data only. Each shot names the user (by agency, or ``dpo`` / ``admin``),
the page, and the language of the guide it illustrates.
"""

from __future__ import annotations

import socket
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import uvicorn
from playwright.sync_api import Page, sync_playwright
from sqlalchemy import select

from vinculo.api import create_app
from vinculo.demo.install import DemoResult, DemoUser, install_demo
from vinculo.store.db import make_engine
from vinculo.store.tables import Entity, Hit

OUT = Path(__file__).resolve().parent / "img"
CHROMIUM = "/usr/bin/chromium"
VIEWPORT = {"width": 1280, "height": 860}


@dataclass(frozen=True, slots=True)
class Shot:
    name: str
    user: str  # an agency code (its analyst), "dpo" or "admin"
    path: str  # may hold {person} (a person of the user's agency with a hit) and {hit}
    locale: str = "en-GB"
    full_page: bool = False


SHOTS = [
    Shot("login", "", "/login"),
    Shot("home", "ES-CNP", "/"),
    Shot("home-es", "ES-CNP", "/", locale="es-ES"),
    Shot("search", "ES-CNP", "/search?q=Rodrigez"),
    Shot("profile", "ES-CNP", "/entities/{person}", full_page=True),
    Shot("hits", "ES-CNP", "/hits"),
    Shot("hit", "ES-CNP", "/hits/{hit}", full_page=True),
    Shot("requests", "ES-CNP", "/requests"),
    Shot("messages", "ES-CNP", "/messages"),
    Shot("imports", "ES-CNP", "/imports"),
    Shot("chart", "ES-CNP", "/chart?ids={person}"),
    Shot("dashboard", "ES-CNP", "/dashboard", full_page=True),
    Shot("agencies", "ES-CNP", "/agencies"),
    Shot("review", "ES-CNP", "/review"),
    Shot("admin", "admin", "/admin"),
    Shot("audit", "dpo", "/admin/audit"),
    Shot("home-pt", "BR-PF", "/", locale="pt-BR"),
    Shot("home-fr", "FR-OFAST", "/", locale="fr-FR"),
]


def _user(demo: DemoResult, who: str) -> DemoUser:
    wanted = who if who in ("dpo", "admin") else f"{who.lower()}.analyst"
    return next(u for u in demo.users if u.username == wanted)


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _login(page: Page, user: DemoUser) -> None:
    page.goto("/login")
    page.locator("#username").fill(user.username)
    page.locator("#password").fill(user.password)
    page.locator("form[action='/login'] button[type=submit]").click()
    page.wait_for_selector("nav.main-nav")


def main(prefixes: list[str]) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'demo.sqlite3'}")
        demo = install_demo(engine, seed=3, scale=800, scenario_dir=Path(tmp) / "scenario")
        with engine.connect() as conn:
            hit = conn.execute(
                select(Hit.id, Hit.left_id, Hit.right_id, Hit.left_agency, Hit.right_agency)
                .where(
                    Hit.schema == "Person",
                    (Hit.left_agency == "ES-CNP") | (Hit.right_agency == "ES-CNP"),
                )
                .order_by(Hit.score.desc())
                .limit(1)
            ).one()
            person = hit.left_id if hit.left_agency == "ES-CNP" else hit.right_id
            assert conn.execute(select(Entity.id).where(Entity.id == person)).first()
        port = _port()
        server = uvicorn.Server(
            uvicorn.Config(create_app(engine), host="127.0.0.1", port=port, log_level="warning")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
                )
                for shot in SHOTS:
                    if prefixes and not any(shot.name.startswith(p) for p in prefixes):
                        continue
                    context = browser.new_context(
                        base_url=f"http://127.0.0.1:{port}", locale=shot.locale, viewport=VIEWPORT
                    )
                    page = context.new_page()
                    if shot.user:
                        _login(page, _user(demo, shot.user))
                    page.goto(shot.path.format(person=person, hit=hit.id))
                    page.wait_for_load_state("networkidle")
                    target = OUT / f"{shot.name}.png"
                    page.screenshot(path=str(target), full_page=shot.full_page)
                    print(f"{target.relative_to(OUT.parent.parent.parent)}  {page.url}")
                    context.close()
                browser.close()
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            engine.dispose()


if __name__ == "__main__":
    main(sys.argv[1:])
