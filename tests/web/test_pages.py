"""The web pages: login and logout with CSRF, home counts, languages, errors, headers, escaping."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from tests.auth.conftest import Clock
from tests.web.conftest import PASSWORD, audit_entries, csrf_of, login
from vinculo.auth import totp
from vinculo.auth.sessions import SESSION_COOKIE
from vinculo.sharing.directory import get_user
from vinculo.store.tables import User, WebSession
from vinculo.web.pages import LOGIN_CSRF_COOKIE


def _count(html: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}"><span class="count">([^<]*)</span>', html)
    assert found, f"{element_id} not on the page"
    return found.group(1)


def test_anonymous_home_redirects_to_login(client: TestClient) -> None:
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login"


def test_login_opens_a_session_and_shows_home(client: TestClient, site: Engine) -> None:
    response = login(client, "ana.pf")
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    assert SESSION_COOKIE in response.cookies
    home = client.get("/")
    assert home.status_code == 200
    assert "Ana Souza" in home.text
    assert "Polícia Federal · BR-PF" in home.text
    [entry] = audit_entries(site, "auth.login")
    assert (entry.username, entry.outcome) == ("ana.pf", "ok")
    assert entry.details["channel"] == "web"


def test_failed_login_shows_the_error_in_the_chosen_language_and_is_audited(
    client: TestClient, site: Engine
) -> None:
    client.cookies.set("vinculo_lang", "fr")
    response = login(client, "ana.pf", "not the password")
    assert response.status_code == 401
    assert "Nom d'utilisateur, mot de passe ou code à usage unique incorrect" in response.text
    assert SESSION_COOKIE not in response.cookies
    [entry] = audit_entries(site, "auth.login")
    assert (entry.username, entry.outcome) == ("ana.pf", "denied")
    assert entry.details["reason"] == "bad_password"
    assert client.get("/", follow_redirects=False).status_code == 303


def test_login_form_needs_its_csrf_token(client: TestClient, site: Engine) -> None:
    form = client.get("/login")
    token = csrf_of(form.text)
    body = {"username": "ana.pf", "password": PASSWORD}
    missing = client.post("/login", data=body, follow_redirects=False)
    wrong = client.post("/login", data={**body, "csrf_token": token + "x"}, follow_redirects=False)
    client.cookies.delete(LOGIN_CSRF_COOKIE, path="/login")
    no_cookie = client.post("/login", data={**body, "csrf_token": token}, follow_redirects=False)
    for refused in (missing, wrong, no_cookie):
        assert refused.status_code == 403
        assert SESSION_COOKIE not in refused.cookies
    assert len(audit_entries(site, "auth.csrf")) == 3
    assert audit_entries(site, "auth.login") == []
    with site.connect() as conn:
        assert conn.execute(select(WebSession)).first() is None


def test_logout_needs_the_session_csrf_token_and_ends_the_session(
    client: TestClient, site: Engine
) -> None:
    login(client, "ana.pf")
    token = csrf_of(client.get("/").text)
    refused = client.post("/logout", data={"csrf_token": "forged"}, follow_redirects=False)
    assert refused.status_code == 403
    assert client.get("/", follow_redirects=False).status_code == 200  # still logged in
    assert len(audit_entries(site, "auth.csrf")) == 1
    done = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert done.status_code == 303
    assert done.headers["location"] == "/login"
    assert client.get("/", follow_redirects=False).status_code == 303
    with site.connect() as conn:
        assert conn.execute(select(WebSession)).first() is None
    [entry] = audit_entries(site, "auth.logout")
    assert entry.username == "ana.pf"


def test_home_counts_what_waits_for_the_users_agency(client: TestClient) -> None:
    login(client, "ana.pf")
    html = client.get("/").text
    assert _count(html, "count-hits") == "2"
    assert _count(html, "count-requests") == "2"
    assert _count(html, "count-notifications") == "2"
    assert _count(html, "count-review") == "3"
    assert 'href="/hits?status=new"' in html
    # The site's imports, newest first: BR-PF's only (one file of 4 records).
    assert 'href="/imports/' in html and "BR-PF.csv" in html and "ES-CNP.csv" not in html


def test_home_counts_for_another_agency(client: TestClient) -> None:
    login(client, "luis.cnp")
    html = client.get("/").text
    # ES-CNP: hits with BR-PF (new) and FR-PN (new); request 3 to decide, 5 is FR-PN's.
    assert _count(html, "count-hits") == "2"
    assert _count(html, "count-requests") == "1"
    assert _count(html, "count-notifications") == "1"
    assert _count(html, "count-review") == "1"


def test_a_role_without_records_sees_no_record_counts(client: TestClient) -> None:
    login(client, "admin.pf")
    html = client.get("/").text
    assert _count(html, "count-notifications") == "1"  # the agency-wide one
    for hidden in ("count-hits", "count-requests", "count-review"):
        assert f'id="{hidden}"' not in html


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("es", ["Iniciar sesión", "Contraseña", "Nombre de usuario", "Saltar al contenido"]),
        ("pt", ["Entrar", "Senha", "Usuário", "Ir para o conteúdo principal"]),
        ("en", ["Log in", "Password", "Username", "Skip to main content"]),
        ("fr", ["Se connecter", "Mot de passe", "Nom d'utilisateur", "Aller au contenu"]),
    ],
)
def test_login_page_in_each_language(client: TestClient, lang: str, words: list[str]) -> None:
    chosen = client.get(f"/lang?to={lang}&next=/login", follow_redirects=False)
    assert chosen.status_code == 303
    assert chosen.headers["location"] == "/login"
    page = client.get("/login")
    assert f'<html lang="{lang}">' in page.text
    assert page.headers["content-language"] == lang
    for word in words:
        assert word in page.text
    if lang != "en":
        assert "Password" not in page.text


def test_language_from_accept_language_then_english(client: TestClient) -> None:
    portuguese = client.get("/login", headers={"Accept-Language": "de;q=1, pt-BR;q=0.8, en;q=0.5"})
    assert 'lang="pt"' in portuguese.text and "Senha" in portuguese.text
    unknown = client.get("/login", headers={"Accept-Language": "de, ja"})
    assert '<html lang="en">' in unknown.text


def test_the_users_setting_comes_first_and_the_switch_saves_it(
    client: TestClient, site: Engine
) -> None:
    login(client, "luis.cnp", **{"Accept-Language": "fr"})
    home = client.get("/", headers={"Accept-Language": "fr"})
    assert '<html lang="es">' in home.text and "Notificaciones sin leer" in home.text
    switched = client.post(
        "/lang",
        data={"to": "pt", "next": "/", "csrf_token": csrf_of(home.text)},
        follow_redirects=False,
    )
    assert switched.status_code == 303
    with site.connect() as conn:
        assert conn.execute(select(User.locale).where(User.username == "luis.cnp")).scalar() == "pt"
    assert "Notificações não lidas" in client.get("/").text
    refused = client.post("/lang", data={"to": "fr", "csrf_token": "forged"})
    assert refused.status_code == 403


def test_language_switch_goes_back_only_to_this_site(client: TestClient) -> None:
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.get("/lang", params={"to": "es", "next": target}, follow_redirects=False)
        assert response.headers["location"] == "/"


def test_error_pages_in_the_users_language(client: TestClient) -> None:
    missing = client.get("/no-such-page", headers={"Accept-Language": "es"})
    assert missing.status_code == 404
    assert "Página no encontrada" in missing.text
    login(client, "rui.pf")  # setting pt-BR
    assert "Página não encontrada" in client.get("/nowhere").text
    forbidden = client.post("/logout", data={"csrf_token": "forged"})
    assert forbidden.status_code == 403
    assert "Não permitido" in forbidden.text
    # The API keeps its JSON errors.
    api = client.get("/api/v1/no-such-route")
    assert api.status_code == 404
    assert api.json() == {"detail": "Not Found"}


def test_security_headers_on_pages(client: TestClient) -> None:
    for path in ("/login", "/no-such-page", "/static/vinculo.css"):
        response = client.get(path)
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        policy = response.headers["content-security-policy"]
        assert "default-src 'self'" in policy
        # Only style attributes are relaxed (htmx's swaps write them); no inline script, no
        # <style> element.
        assert "script-src" not in policy and "style-src-elem" not in policy
        assert "style-src-attr 'unsafe-inline'" in policy
        assert response.headers["referrer-policy"] == "no-referrer"


def test_names_are_escaped(client: TestClient) -> None:
    login(client, "eve.pf")
    html = client.get("/").text
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html


def test_username_sent_back_on_a_failed_login_is_escaped(client: TestClient) -> None:
    response = login(client, '"><script>x</script>', "wrong")
    assert response.status_code == 401
    assert "<script>x" not in response.text


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(totp, "clock", fake)
    return fake


def test_password_then_one_time_code(client: TestClient, site: Engine, clock: Clock) -> None:
    with site.begin() as conn:
        user = get_user(conn, "rui.pf")
        assert user is not None
        secret = totp.enrol(conn, user.id, user.username).secret
        assert totp.confirm(conn, user.id, clock.code(secret)) is None
    clock.tick()
    step1 = login(client, "rui.pf")
    assert step1.status_code == 200
    assert 'name="otp"' in step1.text and "Código de uso único" in step1.text  # pt-BR user
    pending_csrf = csrf_of(step1.text)
    assert client.get("/", follow_redirects=False).status_code == 303  # not logged in yet
    no_csrf = client.post("/login/code", data={"otp": clock.code(secret)})
    assert no_csrf.status_code == 403
    wrong = client.post(
        "/login/code", data={"otp": clock.wrong_code(secret), "csrf_token": pending_csrf}
    )
    assert wrong.status_code == 401
    assert "Esse código não está correto" in wrong.text
    done = client.post(
        "/login/code",
        data={"otp": clock.code(secret), "csrf_token": pending_csrf},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert client.get("/", follow_redirects=False).status_code == 200
    reasons = [e.details.get("reason") for e in audit_entries(site, "auth.login")]
    assert reasons == ["otp_invalid", None]


def test_oidc_button_only_when_oidc_is_configured(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VINCULO_OIDC_ISSUER", raising=False)
    assert 'id="oidc-login"' not in client.get("/login").text
    monkeypatch.setenv("VINCULO_OIDC_ISSUER", "https://idp.example.org/realms/vinculo")
    monkeypatch.setenv("VINCULO_OIDC_CLIENT_ID", "vinculo")
    html = client.get("/login", headers={"Accept-Language": "es"}).text
    assert 'id="oidc-login" href="/api/v1/auth/oidc/login"' in html
    assert "Iniciar sesión con la cuenta de mi institución" in html


def test_login_goes_back_to_the_page_asked_for_and_only_on_this_site(client: TestClient) -> None:
    first = client.get("/login?next=/agencies")
    assert 'name="next" value="/agencies"' in first.text
    sent = client.post(
        "/login",
        data={
            "username": "ana.pf",
            "password": PASSWORD,
            "csrf_token": csrf_of(first.text),
            "next": "/agencies",
        },
        follow_redirects=False,
    )
    assert sent.status_code == 303
    assert sent.headers["location"] == "/agencies"
    client.cookies.clear()
    form = client.get("/login")
    away = client.post(
        "/login",
        data={
            "username": "ana.pf",
            "password": PASSWORD,
            "csrf_token": csrf_of(form.text),
            "next": "//evil.example.org/",
        },
        follow_redirects=False,
    )
    assert away.headers["location"] == "/"


def test_a_page_without_a_session_sends_to_login_with_the_way_back(client: TestClient) -> None:
    response = client.get("/review?done=x", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Freview%3Fdone%3Dx"
    htmx = client.get("/review?done=x", headers={"HX-Request": "true"}, follow_redirects=False)
    assert htmx.headers["HX-Redirect"] == "/login?next=%2Freview%3Fdone%3Dx"
