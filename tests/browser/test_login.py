"""Logging in, in each of the four languages, and the frame every page shares."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Site, assert_accessible, login

#: Browser locale -> what the login page and the home page say in that language (written out
#: here, not read from the catalogues).
LANGUAGES = {
    "es-ES": ("es", "Iniciar sesión", "Inicio"),
    "pt-BR": ("pt", "Entrar", "Início"),
    "en-GB": ("en", "Log in", "Home"),
    "fr-FR": ("fr", "Se connecter", "Accueil"),
}


@pytest.mark.parametrize("locale", sorted(LANGUAGES))
def test_log_in_in_each_language(
    site: Site, new_page: Callable[..., Page], shot: Callable[[Page, str], Path], locale: str
) -> None:
    lang, login_label, home_label = LANGUAGES[locale]
    page = new_page(locale=locale)
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("h1")).to_have_text(login_label)
    shot(page, "login")
    assert_accessible(page)
    login(page, site.user("ES-CNP" if lang == "es" else None, None if lang == "es" else "dpo"))
    expect(page.locator("nav.main-nav a[aria-current=page]")).to_have_text(home_label)
    shot(page, "home")
    assert_accessible(page)


def test_wrong_password_is_refused_and_says_so(
    site: Site, new_page: Callable[..., Page], shot: Callable[[Page, str], Path]
) -> None:
    page = new_page()
    page.goto("/login")
    page.locator("#username").fill(site.user("ES-CNP").username)
    page.locator("#password").fill("not the password")
    page.locator("form[action='/login'] button[type=submit]").click()
    expect(page.locator("#login-error")).to_be_visible()
    expect(page.locator("nav.main-nav")).to_have_count(0)
    shot(page, "refused")
