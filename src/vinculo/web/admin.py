"""Administration: users, roles, agencies, sharing groups, over-correlation exclusions; the DPO's
audit search and review-date overview.

Who may do what (least privilege, each page checks it and a refusal is a 403 page and an audit
entry):

- ``administrator``: accounts of every agency on this installation (an administrator creates
  agencies, so must be able to give a new agency its first users), agencies, the sharing groups
  of their own agency (``sharing.groups`` decides), and the values excluded from matching. No
  record content, no audit log.
- ``dpo``: the audit log (search and chain verification) and the review-date overview (counts
  per agency, see ``vinculo.statistics``). Nothing else.

Every change is on the audit record with ``channel: web``, in the same transaction as the change.
A new account's initial password is generated here, shown once on the page that answers the form
(responses are ``no-store``) and stored only as its Argon2 hash.

The changes themselves are made by ``sharing.directory``, ``sharing.groups`` and
``matching.exclusions`` / ``matching.hits``; this module checks who may, renders and audits.
"""

import datetime as dt
import re
import secrets
from collections.abc import Mapping
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, HTTPException, Query, Request, status
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Connection

from vinculo import audit
from vinculo.api.deps import Conn, actor_of, deny, refusals
from vinculo.audit.log import OUTCOMES
from vinculo.auth import totp
from vinculo.auth.sessions import end_sessions_of
from vinculo.identifiers import normalise_country
from vinculo.matching import exclusions
from vinculo.matching.hits import exclude_key
from vinculo.model.metadata import CriminalMarket, Role
from vinculo.sharing import directory, groups
from vinculo.sharing.directory import (
    AGENCY_CODE_RE,
    USERNAME_RE,
    AccountState,
    DirectoryError,
    account_states,
    add_agency,
    add_user,
    get_agency,
    get_user,
    list_agencies,
    list_users,
    set_active,
    set_roles,
    unlock,
)
from vinculo.statistics import review_overview
from vinculo.web.dashboard import month_label
from vinculo.web.directory import KIND_LABELS, MARKET_LABELS, N_, NETWORKS, network_name
from vinculo.web.viewer import FormViewer, PageViewer, Viewer, is_htmx, render

router = APIRouter(include_in_schema=False)

ROLE_LABELS: Mapping[str, str] = {
    Role.ANALYST.value: N_("Analyst"),
    Role.INVESTIGATOR.value: N_("Investigator"),
    Role.PROSECUTOR.value: N_("Prosecutor"),
    Role.PRISON_OFFICER.value: N_("Prison officer"),
    Role.LIAISON_OFFICER.value: N_("Liaison officer"),
    Role.SUPERVISOR.value: N_("Supervisor"),
    Role.ADMINISTRATOR.value: N_("Administrator"),
    Role.DPO.value: N_("Data-protection officer"),
}
#: Markets an agency names a contact point for (``sharing.directory.add_agency`` takes these).
CONTACT_MARKETS: tuple[str, ...] = tuple(m.value for m in CriminalMarket)
AUDIT_PAGE = 50
LANGS: tuple[str, ...] = ("es", "pt", "pt-PT", "en", "fr")

Text = Annotated[str, Form(max_length=200)]
LongText = Annotated[str, Form(max_length=2000)]
Many = Annotated[list[str] | None, Form(max_length=20)]


class _Errors(dict[str, str]):
    """Field -> what is wrong with it; a field without a problem reads as "" (templates ask for
    each field, and a plain dict would fail under StrictUndefined; a defaultdict would grow)."""

    def __missing__(self, key: str) -> str:
        return ""


# --- who may ----------------------------------------------------------------------------------


def _require(request: Request, viewer: Viewer, role: Role, action: str, **fields: Any) -> None:
    if not viewer.user.is_active or role not in viewer.user.roles:
        deny(
            request,
            viewer.user,
            action,
            status.HTTP_403_FORBIDDEN,
            f"only the {role.value} role may do this",
            details={"channel": "web", "path": request.url.path},
            **fields,
        )


def _admin(request: Request, viewer: Viewer, action: str, **fields: Any) -> None:
    _require(request, viewer, Role.ADMINISTRATOR, action, **fields)


def _dpo(request: Request, viewer: Viewer, action: str, **fields: Any) -> None:
    _require(request, viewer, Role.DPO, action, **fields)


def _record(
    conn: Connection,
    request: Request,
    viewer: Viewer,
    action: str,
    object_type: str | None = None,
    object_id: str | None = None,
    *,
    outcome: str = "ok",
    **details: Any,
) -> None:
    audit.record(
        conn,
        actor_of(request, viewer.user),
        action,
        object_type=object_type,
        object_id=object_id,
        outcome=outcome,
        details={**details, "channel": "web"},
    )


def _back(path: str, done: str) -> Response:
    # Post/redirect/get: a reload does not send the form again.
    return RedirectResponse(f"{path}?done={done}", status_code=status.HTTP_303_SEE_OTHER)


# --- index ------------------------------------------------------------------------------------


@router.get("/admin")
def admin_index(request: Request, viewer: PageViewer) -> Response:
    if not viewer.user.is_active or not viewer.has_role(Role.ADMINISTRATOR, Role.DPO):
        deny(
            request,
            viewer.user,
            "admin.view",
            status.HTTP_403_FORBIDDEN,
            "administrators and the data-protection officer only",
            details={"channel": "web", "path": request.url.path},
        )
    return render(
        request,
        viewer,
        "admin.html",
        is_admin=viewer.has_role(Role.ADMINISTRATOR),
        is_dpo=viewer.has_role(Role.DPO),
    )


# --- users ------------------------------------------------------------------------------------


def _users_page(
    request: Request,
    conn: Connection,
    viewer: Viewer,
    *,
    agency: str = "",
    errors: Mapping[str, str] | None = None,
    form: Mapping[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    agencies = list_agencies(conn)
    codes = {a.code for a in agencies}
    chosen = agency if agency in codes else ""
    return render(
        request,
        viewer,
        "admin_users.html",
        users=list_users(conn, chosen or None),
        states=account_states(conn),
        agencies=agencies,
        agency=chosen,
        role_labels=ROLE_LABELS,
        langs=LANGS,
        errors=_Errors(errors or {}),
        form=form or {"agency": viewer.user.agency, "roles": []},
        section="users",
        status_code=status_code,
    )


@router.get("/admin/users")
def users_page(
    request: Request,
    conn: Conn,
    viewer: PageViewer,
    agency: Annotated[str, Query(max_length=32)] = "",
) -> Response:
    _admin(request, viewer, "admin.users")
    return _users_page(request, conn, viewer, agency=agency)


def _parse_roles(values: list[str] | None) -> list[str] | None:
    chosen = [v for v in ROLE_LABELS if v in set(values or [])]
    if len(chosen) != len(set(values or [])):
        return None
    return chosen


@router.post("/admin/users")
def create_user(
    request: Request,
    conn: Conn,
    viewer: FormViewer,
    username: Annotated[str, Form(max_length=120)] = "",
    display_name: Text = "",
    email: Annotated[str, Form(max_length=320)] = "",
    agency: Annotated[str, Form(max_length=32)] = "",
    roles: Many = None,
    locale: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    _admin(request, viewer, "user.create", object_type="user", object_id=username[:120])
    name = username.strip().lower()
    errors: dict[str, str] = {}
    if not USERNAME_RE.match(name):
        errors["username"] = "format"
    elif get_user(conn, name) is not None:
        errors["username"] = "taken"
    if get_agency(conn, agency) is None:
        errors["agency"] = "unknown"
    parsed = _parse_roles(roles)
    if not parsed:
        errors["roles"] = "none" if not roles else "unknown"
    if email.strip() and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email.strip()):
        errors["email"] = "format"
    lang = locale if locale in LANGS else None
    form = {
        "username": name,
        "display_name": display_name,
        "email": email,
        "agency": agency,
        "roles": parsed or [],
        "locale": lang or "",
    }
    if errors or not parsed:
        _record(
            conn,
            request,
            viewer,
            "user.create",
            "user",
            name or None,
            outcome="failed",
            refused=sorted(errors),
        )
        return _users_page(request, conn, viewer, errors=errors, form=form, status_code=422)
    # Shown once, stored only as its hash: the user changes it, or an administrator resets it.
    password = secrets.token_urlsafe(15)
    try:
        created = add_user(
            conn,
            name,
            agency,
            password,
            parsed,
            display_name=display_name.strip(),
            email=email.strip() or None,
            locale=lang,
        )
    except DirectoryError as exc:  # a race with another administrator creating the same name
        return _users_page(
            request, conn, viewer, errors={"username": str(exc)}, form=form, status_code=422
        )
    _record(
        conn,
        request,
        viewer,
        "user.create",
        "user",
        created.username,
        agency=created.agency,
        roles=parsed,
    )
    return render(
        request,
        viewer,
        "admin_user_created.html",
        created=created,
        password=password,
        role_labels=ROLE_LABELS,
        section="users",
    )


def _target(request: Request, conn: Connection, viewer: Viewer, username: str, action: str) -> Any:
    found = get_user(conn, username[:120])
    if found is None:
        deny(
            request,
            viewer.user,
            action,
            status.HTTP_404_NOT_FOUND,
            "no such user",
            object_type="user",
            object_id=username[:120],
        )
    return found


@router.get("/admin/users/{username}")
def user_page(
    username: str,
    request: Request,
    conn: Conn,
    viewer: PageViewer,
    done: Annotated[str, Query(max_length=16)] = "",
) -> Response:
    _admin(request, viewer, "admin.users", object_type="user", object_id=username[:120])
    target = _target(request, conn, viewer, username, "admin.users")
    return _user_page(request, conn, viewer, target, done=done)


def _user_page(
    request: Request,
    conn: Connection,
    viewer: Viewer,
    target: Any,
    *,
    done: str = "",
    error: str = "",
    status_code: int = 200,
) -> Response:
    return render(
        request,
        viewer,
        "admin_user.html",
        target=target,
        state=account_states(conn).get(target.id, AccountState(False, 0, False)),
        agency=get_agency(conn, target.agency),
        role_labels=ROLE_LABELS,
        yourself=target.id == viewer.user.id,
        done=done,
        error=error,
        section="users",
        status_code=status_code,
    )


@router.post("/admin/users/{username}/roles")
def user_roles(
    username: str, request: Request, conn: Conn, viewer: FormViewer, roles: Many = None
) -> Response:
    action = "user.roles"
    _admin(request, viewer, action, object_type="user", object_id=username[:120])
    target = _target(request, conn, viewer, username, action)
    parsed = _parse_roles(roles)
    error = ""
    if not parsed:
        error = "roles"
    elif target.id == viewer.user.id and Role.ADMINISTRATOR.value not in parsed:
        # Nobody locks the installation's administration out by accident.
        error = "own_admin"
    if error or not parsed:
        _record(
            conn, request, viewer, action, "user", target.username, outcome="failed", refused=error
        )
        return _user_page(request, conn, viewer, target, error=error, status_code=422)
    before = [r.value for r in target.roles]
    set_roles(conn, target.id, parsed)
    _record(conn, request, viewer, action, "user", target.username, before=before, after=parsed)
    return _back(f"/admin/users/{quote(target.username)}", "roles")


@router.post("/admin/users/{username}/active")
def user_active(
    username: str,
    request: Request,
    conn: Conn,
    viewer: FormViewer,
    active: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    turn_on = active == "yes"
    action = "user.activate" if turn_on else "user.deactivate"
    _admin(request, viewer, action, object_type="user", object_id=username[:120])
    target = _target(request, conn, viewer, username, action)
    if target.id == viewer.user.id and not turn_on:
        _record(
            conn,
            request,
            viewer,
            action,
            "user",
            target.username,
            outcome="failed",
            refused="yourself",
        )
        return _user_page(request, conn, viewer, target, error="own_account", status_code=422)
    ended = set_active(conn, target.id, turn_on)
    _record(conn, request, viewer, action, "user", target.username, sessions_ended=ended)
    return _back(
        f"/admin/users/{quote(target.username)}", "activated" if turn_on else "deactivated"
    )


@router.post("/admin/users/{username}/unlock")
def user_unlock(username: str, request: Request, conn: Conn, viewer: FormViewer) -> Response:
    action = "user.unlock"
    _admin(request, viewer, action, object_type="user", object_id=username[:120])
    target = _target(request, conn, viewer, username, action)
    unlock(conn, target.id)
    _record(conn, request, viewer, action, "user", target.username)
    return _back(f"/admin/users/{quote(target.username)}", "unlocked")


@router.post("/admin/users/{username}/totp-reset")
def user_totp_reset(username: str, request: Request, conn: Conn, viewer: FormViewer) -> Response:
    # The same action name as the API's and the CLI's removal of a second factor.
    action = "auth.totp.disable"
    _admin(request, viewer, action, object_type="user", object_id=username[:120])
    target = _target(request, conn, viewer, username, action)
    had = totp.disable(conn, target.id)
    ended = end_sessions_of(conn, target.id)
    _record(
        conn, request, viewer, action, "user", target.username, had_totp=had, sessions_ended=ended
    )
    return _back(f"/admin/users/{quote(target.username)}", "totp")


# --- agencies ---------------------------------------------------------------------------------


def _agency_form(
    code: str,
    name: str,
    country: str,
    kind: str,
    networks: list[str] | None,
    contacts: Mapping[str, str],
) -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    nets = [n for n in NETWORKS if n in set(networks or [])]
    if len(nets) != len(set(networks or [])):
        errors["networks"] = "unknown"
    if not name.strip():
        errors["name"] = "empty"
    if kind not in KIND_LABELS:
        errors["kind"] = "unknown"
    clean: dict[str, str] = {}
    for market in CONTACT_MARKETS:
        value = contacts.get(market, "").strip()
        if value:
            clean[market] = value
    form = {
        "code": code.strip().upper(),
        "name": name.strip(),
        "country": country.strip(),
        "kind": kind,
        "networks": nets,
        "contacts": clean,
    }
    return form, errors


async def _contacts(request: Request) -> dict[str, str]:
    data = await request.form()
    return {market: str(data.get(f"contact_{market}", ""))[:200] for market in CONTACT_MARKETS}


def _agencies_page(
    request: Request,
    conn: Connection,
    viewer: Viewer,
    *,
    done: str = "",
    errors: Mapping[str, str] | None = None,
    form: Mapping[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        viewer,
        "admin_agencies.html",
        agencies=list_agencies(conn),
        kinds=KIND_LABELS,
        networks=NETWORKS,
        network_name=network_name,
        markets=MARKET_LABELS,
        contact_markets=CONTACT_MARKETS,
        errors=_Errors(errors or {}),
        form=form or {"networks": [], "contacts": {}, "kind": "police"},
        done=done,
        section="agencies",
        status_code=status_code,
    )


@router.get("/admin/agencies")
def agencies_page(
    request: Request,
    conn: Conn,
    viewer: PageViewer,
    done: Annotated[str, Query(max_length=16)] = "",
) -> Response:
    _admin(request, viewer, "admin.agencies")
    return _agencies_page(request, conn, viewer, done=done)


@router.post("/admin/agencies")
async def create_agency(
    request: Request,
    conn: Conn,
    viewer: FormViewer,
    code: Annotated[str, Form(max_length=32)] = "",
    name: Text = "",
    country: Annotated[str, Form(max_length=80)] = "",
    kind: Annotated[str, Form(max_length=32)] = "",
    networks: Many = None,
) -> Response:
    _admin(request, viewer, "agency.create", object_type="agency", object_id=code[:32])
    form, errors = _agency_form(code, name, country, kind, networks, await _contacts(request))
    if not AGENCY_CODE_RE.match(form["code"]):
        errors["code"] = "format"
    elif get_agency(conn, form["code"]) is not None:
        errors["code"] = "taken"
    if normalise_country(form["country"]) is None:
        errors["country"] = "unknown"
    if errors:
        _record(conn, request, viewer, "agency.create", "agency", form["code"] or None,
                outcome="failed", refused=sorted(errors))  # fmt: skip
        return _agencies_page(request, conn, viewer, errors=errors, form=form, status_code=422)
    created = add_agency(
        conn,
        form["code"],
        form["name"],
        form["country"],
        form["kind"],
        form["networks"],
        form["contacts"],
    )
    _record(
        conn,
        request,
        viewer,
        "agency.create",
        "agency",
        created.code,
        country=created.country,
        kind=created.kind.value,
        networks=form["networks"],
    )
    return _back("/admin/agencies", "created")


def _agency_or_404(
    request: Request, conn: Connection, viewer: Viewer, code: str, action: str
) -> Any:
    found = get_agency(conn, code.strip().upper()[:32])
    if found is None:
        deny(
            request,
            viewer.user,
            action,
            status.HTTP_404_NOT_FOUND,
            "no such agency",
            object_type="agency",
            object_id=code[:32],
        )
    return found


def _agency_edit_page(
    request: Request,
    viewer: Viewer,
    agency: Any,
    form: Mapping[str, Any],
    *,
    errors: Mapping[str, str] | None = None,
    done: str = "",
    status_code: int = 200,
) -> Response:
    return render(
        request,
        viewer,
        "admin_agency.html",
        agency=agency,
        form=form,
        errors=_Errors(errors or {}),
        kinds=KIND_LABELS,
        networks=NETWORKS,
        network_name=network_name,
        markets=MARKET_LABELS,
        contact_markets=CONTACT_MARKETS,
        done=done,
        section="agencies",
        status_code=status_code,
    )


@router.get("/admin/agencies/{code}")
def agency_page(
    code: str,
    request: Request,
    conn: Conn,
    viewer: PageViewer,
    done: Annotated[str, Query(max_length=16)] = "",
) -> Response:
    _admin(request, viewer, "admin.agencies", object_type="agency", object_id=code[:32])
    agency = _agency_or_404(request, conn, viewer, code, "admin.agencies")
    form = {
        "name": agency.name,
        "kind": agency.kind.value,
        "networks": [n.value for n in agency.networks],
        "contacts": agency.contact_points,
    }
    return _agency_edit_page(request, viewer, agency, form, done=done)


@router.post("/admin/agencies/{code}")
async def update_agency(
    code: str,
    request: Request,
    conn: Conn,
    viewer: FormViewer,
    name: Text = "",
    kind: Annotated[str, Form(max_length=32)] = "",
    networks: Many = None,
) -> Response:
    action = "agency.update"
    _admin(request, viewer, action, object_type="agency", object_id=code[:32])
    agency = _agency_or_404(request, conn, viewer, code, action)
    form, errors = _agency_form(
        agency.code, name, agency.country, kind, networks, await _contacts(request)
    )
    if errors:
        _record(
            conn, request, viewer, action, "agency", agency.code,
            outcome="failed", refused=sorted(errors),
        )  # fmt: skip
        return _agency_edit_page(request, viewer, agency, form, errors=errors, status_code=422)
    before = {
        "name": agency.name,
        "kind": agency.kind.value,
        "networks": [n.value for n in agency.networks],
        "contacts": agency.contact_points,
    }
    changed = sorted(k for k in before if before[k] != form[k])
    directory.update_agency(
        conn, agency.code, form["name"], form["kind"], form["networks"], form["contacts"]
    )
    _record(conn, request, viewer, action, "agency", agency.code, changed=changed)
    return _back(f"/admin/agencies/{quote(agency.code)}", "saved")


# --- sharing groups ---------------------------------------------------------------------------


def _groups_page(
    request: Request,
    conn: Connection,
    viewer: Viewer,
    *,
    done: str = "",
    error: str = "",
    form: Mapping[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    agencies = list_agencies(conn)
    return render(
        request,
        viewer,
        "admin_groups.html",
        groups=groups.list_groups(conn, viewer.user),
        agencies=[a for a in agencies if a.code != viewer.user.agency],
        names={a.code: a.name for a in agencies},
        form=form or {"name": "", "description": "", "members": [], "extend": []},
        done=done,
        error=error,
        section="groups",
        status_code=status_code,
    )


@router.get("/admin/groups")
def groups_page(
    request: Request,
    conn: Conn,
    viewer: PageViewer,
    done: Annotated[str, Query(max_length=16)] = "",
) -> Response:
    _admin(request, viewer, "admin.groups")
    return _groups_page(request, conn, viewer, done=done)


@router.post("/admin/groups")
def create_group(
    request: Request,
    conn: Conn,
    viewer: FormViewer,
    name: Text = "",
    description: LongText = "",
    members: Annotated[list[str] | None, Form(max_length=200)] = None,
    extend: Annotated[list[str] | None, Form(max_length=200)] = None,
) -> Response:
    action = "sharing.group.create"
    _admin(request, viewer, action)
    chosen = sorted(set(members or []) - {viewer.user.agency})
    extenders = set(extend or [])
    form = {"name": name, "description": description, "members": chosen, "extend": extenders}
    error = ""
    if not name.strip():
        error = "name"
    elif any(get_agency(conn, code) is None for code in chosen):
        error = "agency"
    if error:
        _record(
            conn, request, viewer, action, "sharing_group", None, outcome="failed", refused=error
        )
        return _groups_page(request, conn, viewer, error=error, form=form, status_code=422)
    with refusals(request, viewer.user, action, "sharing_group"):
        group = groups.create_group(
            conn,
            viewer.user,
            actor_of(request, viewer.user),
            name,
            {code: code in extenders for code in chosen},
            description.strip(),
        )
    return _back(f"/admin/groups/{quote(group.id)}", "created")


def _group_page(
    request: Request,
    conn: Connection,
    viewer: Viewer,
    group: groups.GroupInfo,
    *,
    done: str = "",
    error: str = "",
    status_code: int = 200,
) -> Response:
    agencies = list_agencies(conn)
    owner = group.owner == viewer.user.agency
    return render(
        request,
        viewer,
        "admin_group.html",
        group=group,
        names={a.code: a.name for a in agencies},
        candidates=[a for a in agencies if a.code not in group.members],
        owner=owner,
        may_extend=owner or group.members.get(viewer.user.agency, False),
        done=done,
        error=error,
        section="groups",
        status_code=status_code,
    )


def _group(request: Request, conn: Connection, viewer: Viewer, group_id: str, action: str) -> Any:
    with refusals(request, viewer.user, action, "sharing_group", group_id[:200]):
        return groups.get_group(conn, viewer.user, group_id)


@router.get("/admin/groups/{group_id}")
def group_page(
    group_id: str,
    request: Request,
    conn: Conn,
    viewer: PageViewer,
    done: Annotated[str, Query(max_length=16)] = "",
) -> Response:
    _admin(request, viewer, "admin.groups", object_type="sharing_group", object_id=group_id[:200])
    group = _group(request, conn, viewer, group_id, "admin.groups")
    return _group_page(request, conn, viewer, group, done=done)


@router.post("/admin/groups/{group_id}/members")
def group_add(
    group_id: str,
    request: Request,
    conn: Conn,
    viewer: FormViewer,
    agency: Annotated[str, Form(max_length=32)] = "",
    can_extend: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    action = "sharing.group.add"
    _admin(request, viewer, action, object_type="sharing_group", object_id=group_id[:200])
    group = _group(request, conn, viewer, group_id, action)
    if get_agency(conn, agency) is None or agency in group.members:
        _record(
            conn,
            request,
            viewer,
            action,
            "sharing_group",
            group.id,
            outcome="failed",
            refused="agency",
        )
        return _group_page(request, conn, viewer, group, error="agency", status_code=422)
    with refusals(request, viewer.user, action, "sharing_group", group.id):
        groups.add_member(
            conn,
            viewer.user,
            actor_of(request, viewer.user),
            group.id,
            agency,
            can_extend == "yes",
        )
    return _back(f"/admin/groups/{quote(group.id)}", "added")


@router.post("/admin/groups/{group_id}/members/{agency}/remove")
def group_remove(
    group_id: str, agency: str, request: Request, conn: Conn, viewer: FormViewer
) -> Response:
    action = "sharing.group.remove"
    _admin(request, viewer, action, object_type="sharing_group", object_id=group_id[:200])
    group = _group(request, conn, viewer, group_id, action)
    if agency == group.owner or agency not in group.members:
        _record(
            conn,
            request,
            viewer,
            action,
            "sharing_group",
            group.id,
            outcome="failed",
            refused="agency",
        )
        return _group_page(request, conn, viewer, group, error="remove", status_code=422)
    with refusals(request, viewer.user, action, "sharing_group", group.id):
        groups.remove_member(conn, viewer.user, actor_of(request, viewer.user), group.id, agency)
    return _back(f"/admin/groups/{quote(group.id)}", "removed")


# --- over-correlation exclusions --------------------------------------------------------------

KEY_RE = re.compile(r"^[a-z_]{1,32}:\S.{0,260}$")


def _exclusions_page(
    request: Request,
    conn: Connection,
    viewer: Viewer,
    *,
    q: str = "",
    done: str = "",
    error: str = "",
    form: Mapping[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    auto, auto_total = exclusions.list_exclusions(conn, "auto", q, 200)
    manual, manual_total = exclusions.list_exclusions(conn, "manual", q, 500)
    return render(
        request,
        viewer,
        "admin_exclusions.html",
        auto=auto,
        auto_total=auto_total,
        manual=manual,
        manual_total=manual_total,
        q=q,
        done=done,
        error=error,
        form=form or {"key": "", "reason": ""},
        section="exclusions",
        status_code=status_code,
    )


@router.get("/admin/exclusions")
def exclusions_page(
    request: Request,
    conn: Conn,
    viewer: PageViewer,
    q: Annotated[str, Query(max_length=120)] = "",
    done: Annotated[str, Query(max_length=16)] = "",
) -> Response:
    _admin(request, viewer, "admin.exclusions")
    return _exclusions_page(request, conn, viewer, q=q.strip(), done=done)


@router.post("/admin/exclusions")
def add_exclusion(
    request: Request,
    conn: Conn,
    viewer: FormViewer,
    key: Annotated[str, Form(max_length=300)] = "",
    reason: LongText = "",
) -> Response:
    action = "matching.exclude"
    _admin(request, viewer, action, object_type="match_key", object_id=key[:200])
    key = key.strip()
    error = ""
    if not KEY_RE.match(key):
        error = "key"
    elif not reason.strip():
        error = "reason"
    if error:
        _record(
            conn,
            request,
            viewer,
            action,
            "match_key",
            key[:200] or None,
            outcome="failed",
            refused=error,
        )
        return _exclusions_page(
            request,
            conn,
            viewer,
            error=error,
            form={"key": key, "reason": reason},
            status_code=422,
        )
    exclude_key(conn, key, reason.strip(), viewer.user.username)
    _record(conn, request, viewer, action, "match_key", key[:200], reason=reason.strip())
    return _back("/admin/exclusions", "added")


@router.post("/admin/exclusions/remove")
def remove_exclusion(
    request: Request,
    conn: Conn,
    viewer: FormViewer,
    key: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    action = "matching.exclude.remove"
    _admin(request, viewer, action, object_type="match_key", object_id=key[:200])
    source = exclusions.remove_exclusion(conn, key)
    if source is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    _record(conn, request, viewer, action, "match_key", key[:200], source=source)
    return _back("/admin/exclusions", "removed")


# --- the DPO's pages --------------------------------------------------------------------------


def _when(value: str, end_of_day: bool = False) -> dt.datetime | None:
    """A date from the form (``YYYY-MM-DD``) as the start of that day in UTC (or of the next day,
    for the end of a period: "until the 3rd" includes the 3rd)."""
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return None
    start = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    return start + dt.timedelta(days=1) if end_of_day else start


@router.get("/admin/audit")
def audit_page(
    request: Request,
    conn: Conn,
    viewer: PageViewer,
    username: Annotated[str, Query(max_length=120)] = "",
    agency: Annotated[str, Query(max_length=32)] = "",
    action: Annotated[str, Query(max_length=40)] = "",
    object_id: Annotated[str, Query(max_length=200)] = "",
    outcome: Annotated[str, Query(max_length=8)] = "",
    since: Annotated[str, Query(max_length=10)] = "",
    until: Annotated[str, Query(max_length=10)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    _dpo(request, viewer, "audit.search")
    errors: dict[str, str] = {}
    start = _when(since) if since else None
    end = _when(until, end_of_day=True) if until else None
    if since and start is None:
        errors["since"] = "date"
    if until and end is None:
        errors["until"] = "date"
    if start and end and end <= start:
        errors["until"] = "order"
    if outcome and outcome not in OUTCOMES:
        errors["outcome"] = "unknown"
    filters = {
        "username": username.strip().lower(),
        "agency": agency.strip().upper(),
        "action": action.strip(),
        "object_id": object_id.strip(),
        "outcome": outcome if outcome in OUTCOMES else "",
        "since": since,
        "until": until,
    }
    entries: list[audit.Entry] = []
    more = False
    if not errors:
        query = audit.Query(
            filters["username"] or None,
            filters["agency"] or None,
            filters["action"] or None,
            filters["object_id"] or None,
            filters["outcome"] or None,
            start,
            end,
        )
        # One more than a page: whether there is a next page, without counting the whole log.
        found = audit.search(conn, query, AUDIT_PAGE + 1, (page - 1) * AUDIT_PAGE)
        more = len(found) > AUDIT_PAGE
        entries = found[:AUDIT_PAGE]
        # Reading the log is itself logged, as through the API.
        audit.record(
            conn,
            actor_of(request, viewer.user),
            "audit.search",
            details={
                **{k: v for k, v in filters.items() if v},
                "page": page,
                "count": len(entries),
                "channel": "web",
            },
        )
    base = {k: v for k, v in filters.items() if v}
    context: dict[str, Any] = {
        "entries": entries,
        "filters": filters,
        "errors": _Errors(errors),
        "page": page,
        "previous_url": "/admin/audit?" + urlencode({**base, "page": page - 1}) if page > 1 else "",
        "next_url": "/admin/audit?" + urlencode({**base, "page": page + 1}) if more else "",
        "agencies": list_agencies(conn),
        "outcomes": OUTCOMES,
        "section": "audit",
    }
    if is_htmx(request):
        return render(request, viewer, "_admin_audit_results.html", **context)
    return render(
        request,
        viewer,
        "admin_audit.html",
        status_code=422 if errors else 200,
        **context,
    )


@router.get("/admin/audit/verify")
def audit_verify(request: Request, conn: Conn, viewer: PageViewer) -> Response:
    """Recompute the hash chain (a read, which may take a while on a long log: the page shows
    progress while htmx waits)."""
    _dpo(request, viewer, "audit.verify")
    result = audit.verify(conn)
    audit.record(
        conn,
        actor_of(request, viewer.user),
        "audit.verify",
        outcome="ok" if result.ok else "failed",
        details={"entries": result.entries, "problems": len(result.problems), "channel": "web"},
    )
    template = "_admin_verify.html" if is_htmx(request) else "admin_verify.html"
    return render(request, viewer, template, result=result, section="audit")


@router.get("/admin/review")
def review_page(
    request: Request,
    conn: Conn,
    viewer: PageViewer,
    months: Annotated[int, Query(ge=1, le=36)] = 12,
) -> Response:
    _dpo(request, viewer, "review.overview")
    with refusals(request, viewer.user, "review.overview"):
        overview = review_overview(conn, viewer.user, months=months)
    _record(conn, request, viewer, "review.overview", months=months)
    return render(
        request,
        viewer,
        "admin_review.html",
        overview=overview,
        names={a.code: a.name for a in list_agencies(conn)},
        month_labels={key: month_label(key, viewer.lang) for key in overview.months},
        months=months,
        section="review",
    )
