"""Who is looking at a page, as a FastAPI dependency for every page after login.

``PageViewer`` is for pages that only read; ``FormViewer`` for routes that change something
(``POST``): it also checks the session's CSRF token, sent as the ``csrf_token`` form field or, by
htmx, as the ``X-CSRF-Token`` header (``base.html`` sets it on ``<body hx-headers>``).

A browser without a session is sent to the login page, which brings it back afterwards; a
refused CSRF check is a 403 error page and an audit entry. Pages are authenticated by the browser
session only, never by a Bearer token.
"""

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse

from vinculo.api.deps import Conn, deny
from vinculo.auth.sessions import (
    SESSION_COOKIE,
    Authentication,
    Refusal,
    authenticate_request,
    submitted_csrf,
)
from vinculo.sharing import policy
from vinculo.sharing.directory import UserInfo
from vinculo.web.render import language, page


@dataclass(frozen=True, slots=True)
class Viewer:
    user: UserInfo
    lang: str
    csrf_token: str

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(self.user.roles)

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


class LoginRequired(Exception):
    """Raised by the dependencies below; answered with a redirect to ``/login?next=...``."""

    def __init__(self, here: str) -> None:
        super().__init__(here)
        self.here = here


def _here(request: Request) -> str:
    here = request.url.path
    if request.url.query:
        here += "?" + request.url.query
    return here


def login_redirect(request: Request, exc: LoginRequired) -> RedirectResponse:
    target = "/login"
    # Only come back to pages that are read: a form post would be replayed without its body.
    if request.method == "GET" and exc.here not in ("/", ""):
        target += "?next=" + quote(exc.here, safe="")
    response = RedirectResponse(target, status_code=status.HTTP_303_SEE_OTHER)
    if request.headers.get("hx-request"):
        # htmx follows a redirect inside the fragment; ask it to load the login page whole.
        response.headers["HX-Redirect"] = target
    return response


def _viewer(request: Request, conn: Conn, csrf: str | None) -> Viewer:
    current = authenticate_request(
        conn,
        bearer=None,
        cookie=request.cookies.get(SESSION_COOKIE),
        method=request.method,
        csrf=csrf,
        path=request.url.path,
    )
    if isinstance(current, Refusal):
        if current.status == status.HTTP_403_FORBIDDEN:
            deny(
                request,
                current.user,
                current.action,
                status.HTTP_403_FORBIDDEN,
                current.detail,
                details={**current.details, "channel": "web"},
            )
        raise LoginRequired(_here(request))
    if not isinstance(current, Authentication) or current.session is None:
        raise LoginRequired(_here(request))
    return Viewer(
        user=current.user,
        lang=language(request, current.user),
        csrf_token=current.session.csrf_token,
    )


def require_records(request: Request, viewer: Viewer, action: str, **where: Any) -> None:
    """Refuse (403, audited) a viewer whose roles do not work with records: administrators and
    the DPO see none (``policy.works_with_records``). ``where`` names the object asked for."""
    if not policy.works_with_records(viewer.user):
        deny(
            request,
            viewer.user,
            action,
            status.HTTP_403_FORBIDDEN,
            "role without access to records",
            details={"reason": "role without access to records", "channel": "web"},
            **where,
        )


def page_viewer(request: Request, conn: Conn) -> Viewer:
    return _viewer(request, conn, None)


def form_viewer(
    request: Request, conn: Conn, csrf: Annotated[str | None, Depends(submitted_csrf)]
) -> Viewer:
    return _viewer(request, conn, csrf)


PageViewer = Annotated[Viewer, Depends(page_viewer)]
FormViewer = Annotated[Viewer, Depends(form_viewer)]


def render(
    request: Request,
    viewer: Viewer,
    template: str,
    *,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """A page (or an htmx fragment) for the viewer, in their language."""
    return page(
        request,
        template,
        viewer.lang,
        user=viewer.user,
        csrf_token=viewer.csrf_token,
        status_code=status_code,
        **context,
    )


def is_htmx(request: Request) -> bool:
    """True for a request made by htmx (answer with a fragment, not the whole page)."""
    return request.headers.get("hx-request") == "true"
