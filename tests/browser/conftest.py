"""Browser tests: Playwright drives Debian's Chromium (``executable_path``, no downloaded browser)
against a live vinculo server on the demo installation.

One demo installation (seed 3, 800 people, SQLite) and one server are shared by the whole
session; tests that change data use records of their own or take care of what they touch.
``shot(page, "step")`` saves a screenshot under ``var/screenshots/<test module>/``; every journey
saves one per step. ``assert_accessible(page)`` runs axe-core (from ``node_modules``) for the
WCAG 2.1 A and AA rules and fails on any violation.
"""

from __future__ import annotations

import functools
import os
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright
from sqlalchemy import Engine

from vinculo.api import create_app
from vinculo.demo.install import DemoResult, DemoUser, install_demo
from vinculo.store.db import make_engine

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("VINCULO_CHROMIUM", "/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "var" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass(frozen=True, slots=True)
class Site:
    url: str
    engine: Engine
    demo: DemoResult

    def user(self, agency: str | None = None, username: str | None = None) -> DemoUser:
        """A demo user: by username, or the analyst of an agency."""
        for user in self.demo.users:
            if username is not None and user.username == username:
                return user
            if username is None and user.agency == agency and user.username.endswith(".analyst"):
                return user
        raise LookupError(agency or username)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"{CHROMIUM} is missing: `make browser` installs Debian's chromium")
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: `make install` fetches the npm packages")
    tmp = tmp_path_factory.mktemp("browser")
    engine = make_engine(f"sqlite:///{tmp / 'demo.sqlite3'}")
    demo = install_demo(engine, seed=3, scale=800, scenario_dir=tmp / "scenario")
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(engine), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the vinculo server did not start")
        time.sleep(0.05)
    yield Site(f"http://127.0.0.1:{port}", engine, demo)
    server.should_exit = True
    thread.join(timeout=10)
    engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser: Browser, site: Site) -> Iterator[Callable[..., Page]]:
    """Pages in fresh browser contexts (no shared cookies): ``new_page(locale="es-ES")``.

    Every page is watched for Content-Security-Policy violations (a script or style the policy
    refuses is a feature that silently does not work in production): the test fails on any."""
    contexts: list[BrowserContext] = []
    violations: list[str] = []

    def watch(page: Page) -> None:
        def seen(message: Any) -> None:
            if message.type == "error" and "Content Security Policy" in message.text:
                violations.append(f"{page.url}: {message.text}")

        page.on("console", seen)

    def make(locale: str = "en-GB", **options: Any) -> Page:
        context = browser.new_context(
            base_url=site.url,
            locale=locale,
            viewport=options.pop("viewport", {"width": 1280, "height": 900}),
            accept_downloads=True,
            **options,
        )
        context.set_default_timeout(15_000)
        context.on("page", watch)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
    assert not violations, violations


@pytest.fixture
def shot(request: pytest.FixtureRequest) -> Callable[[Page, str], Path]:
    """Save a full-page screenshot named after the test and the step, numbered in order."""
    module = Path(str(request.node.fspath)).stem
    test = re.sub(r"[^\w.-]+", "_", request.node.name)
    folder = SCREENSHOTS / module
    folder.mkdir(parents=True, exist_ok=True)
    counter = iter(range(1, 1000))

    def take(page: Page, step: str) -> Path:
        path = folder / f"{test}-{next(counter):02d}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def login(page: Page, user: DemoUser, next_path: str = "/") -> None:
    """Log in through the form and wait for the page after it."""
    target = "/login" if next_path == "/" else f"/login?next={next_path}"
    page.goto(target)
    page.locator("#username").fill(user.username)
    page.locator("#password").fill(user.password)
    page.locator("form[action='/login'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"^(?!.*/login).*$"))
    expect(page.locator("nav.main-nav")).to_be_visible()


@functools.cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def axe_violations(page: Page, *tags: str) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now (WCAG 2.0/2.1 A and AA by default)."""
    # Evaluated through the DevTools protocol, so the page's Content-Security-Policy (no inline
    # script) stays on for everything else.
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    run_only = list(tags or ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa"))
    result: dict[str, Any] = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", run_only
    )
    violations: list[dict[str, Any]] = result["violations"]
    return violations


def assert_accessible(page: Page) -> None:
    violations = axe_violations(page)
    summary = [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(n["target"][0] if n["target"] else "?" for n in v["nodes"][:5])
        for v in violations
    ]
    assert not violations, f"{page.url}: " + " | ".join(summary)
