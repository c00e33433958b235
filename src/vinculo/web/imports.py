"""The import wizard: upload, column mapping, preview with problem rows, commit, report,
quarantine.

The steps are ``vinculo.ingest.wizard`` (upload kept under the settings' var folder, mapping,
preview without writing, the import in a background thread whose progress the page polls with
htmx); the import itself is ``ingest.pipeline.run_import``, as on the command line. Everything is
scoped to the user's agency: another agency's upload or import is the not-found page.
"""

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request, status
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Engine
from starlette.datastructures import UploadFile

from vinculo import audit
from vinculo.api.deps import Conn, actor_of, deny, engine_of
from vinculo.ingest import quarantine, wizard
from vinculo.settings import get_settings
from vinculo.web.disclosure import when
from vinculo.web.viewer import FormViewer, PageViewer, Viewer, is_htmx, render, require_records

router = APIRouter(include_in_schema=False)

RELIABILITY = ("A", "B", "C", "X")
CREDIBILITY = ("1", "2", "3", "4")
HANDLING_CODES = ("H0", "H1", "H2", "H3")
#: Problems listed on a report page at most (the quarantine and the counts are complete).
MAX_PROBLEMS = 500


def upload_root() -> Path:
    """Where uploads wait for their import (tests point it elsewhere)."""
    return get_settings().var_dir / "imports" / "uploads"


def _not_found(request: Request, viewer: Viewer, action: str, object_id: str) -> Any:
    deny(
        request, viewer.user, action, status.HTTP_404_NOT_FOUND, "not found",
        object_type="import", object_id=object_id[:200],
    )  # fmt: skip


def _wizard(request: Request, viewer: Viewer, token: str, action: str) -> wizard.Wizard:
    try:
        return wizard.load(upload_root(), token, viewer.user.agency)
    except LookupError:
        _not_found(request, viewer, action, token)
        raise  # pragma: no cover - deny raises


# --- past imports and upload ------------------------------------------------------------------


@router.get("/imports")
def imports_index(request: Request, viewer: PageViewer) -> Response:
    require_records(request, viewer, "import.list")
    return render(
        request,
        viewer,
        "imports.html",
        jobs=wizard.jobs(engine_of(request), viewer.user.agency),
        when=when(viewer.lang),
    )


def _upload_form(
    request: Request, viewer: Viewer, error: str | None = None, status_code: int = 200
) -> Response:
    return render(
        request,
        viewer,
        "imports_new.html",
        status_code=status_code,
        error=error,
        max_bytes=wizard.max_upload_bytes(),
    )


@router.get("/imports/new")
def upload_form(request: Request, viewer: PageViewer) -> Response:
    require_records(request, viewer, "import.upload")
    return _upload_form(request, viewer)


@router.post("/imports/new")
async def upload(request: Request, conn: Conn, viewer: FormViewer) -> Response:
    require_records(request, viewer, "import.upload")
    limit = wizard.max_upload_bytes()
    form = await request.form()
    item = form.get("file")
    if not isinstance(item, UploadFile) or not item.filename:
        return _upload_form(request, viewer, "no_file", 422)
    data = await item.read(limit + 1)
    try:
        made = wizard.create(
            upload_root(), viewer.user.agency, viewer.user.username, item.filename, data
        )
    except wizard.WizardError as exc:
        audit.record(
            conn, actor_of(request, viewer.user), "import.upload", outcome="failed",
            details={"reason": str(exc), "channel": "web"},
        )  # fmt: skip
        code = 413 if exc.code == "too_large" else 422
        return _upload_form(request, viewer, exc.code, code)
    audit.record(
        conn, actor_of(request, viewer.user), "import.upload", object_type="import_upload",
        object_id=made.token, details={"format": made.file_format, "bytes": made.size},
    )  # fmt: skip
    return RedirectResponse(
        f"/imports/wizard/{made.token}/mapping", status_code=status.HTTP_303_SEE_OTHER
    )


# --- mapping ----------------------------------------------------------------------------------


def _mapping_page(
    request: Request,
    viewer: Viewer,
    made: wizard.Wizard,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        viewer,
        "imports_mapping.html",
        status_code=status_code,
        wiz=made,
        targets=wizard.TARGETS,
        schemas=wizard.SCHEMAS,
        handling_codes=HANDLING_CODES,
        reliability=RELIABILITY,
        credibility=CREDIBILITY,
        error=error,
    )


def _imported(made: wizard.Wizard) -> Response | None:
    """An upload already imported has its report (its file is gone)."""
    if made.job_id is None:
        return None
    return RedirectResponse(f"/imports/{made.job_id}", status_code=status.HTTP_303_SEE_OTHER)


@router.get("/imports/wizard/{token}/mapping")
def mapping_page(token: str, request: Request, viewer: PageViewer) -> Response:
    require_records(request, viewer, "import.upload")
    made = _wizard(request, viewer, token, "import.upload")
    return _imported(made) or _mapping_page(request, viewer, made)


@router.post("/imports/wizard/{token}/mapping")
async def save_mapping(token: str, request: Request, viewer: FormViewer) -> Response:
    require_records(request, viewer, "import.upload")
    made = _wizard(request, viewer, token, "import.upload")
    if (done := _imported(made)) is not None:
        return done
    form = await request.form()
    # Column selects are numbered (col-0, col-1...) in header order: headers can hold any text.
    columns = {header: str(form.get(f"col-{i}", "") or "") for i, header in enumerate(made.columns)}
    try:
        wizard.choose(
            upload_root(),
            made,
            columns,
            str(form.get("schema", "Person")),
            str(form.get("handling_code", "H2")),
            str(form.get("reliability", "X")) + str(form.get("credibility", "4")),
        )
    except wizard.WizardError as exc:
        made.columns = columns
        return _mapping_page(request, viewer, made, exc.code, 422)
    return RedirectResponse(
        f"/imports/wizard/{made.token}/preview", status_code=status.HTTP_303_SEE_OTHER
    )


# --- preview and commit -----------------------------------------------------------------------


@router.get("/imports/wizard/{token}/preview")
def preview_page(token: str, request: Request, viewer: PageViewer) -> Response:
    require_records(request, viewer, "import.upload")
    made = _wizard(request, viewer, token, "import.upload")
    if (done := _imported(made)) is not None:
        return done
    try:
        shown = wizard.preview(engine_of(request), upload_root(), made)
    except wizard.WizardError as exc:
        return _mapping_page(request, viewer, made, exc.code, 422)
    return render(
        request,
        viewer,
        "imports_preview.html",
        wiz=made,
        preview=shown,
        problem_rows=sum(1 for r in shown.rows if r.problems),
    )


def _run(engine: Engine, root: Path, token: str, agency: str, *, match: bool = True) -> None:
    """The background thread's work (a function of its own so that tests can wait on it)."""
    wizard.run(engine, root, token, agency, match=match)


@router.post("/imports/wizard/{token}/commit")
def commit(token: str, request: Request, viewer: FormViewer) -> Response:
    require_records(request, viewer, "import")
    made = _wizard(request, viewer, token, "import")
    if made.status == "uploaded" or made.status == "failed":
        wizard.start(engine_of(request), upload_root(), made, runner=_run)
    return RedirectResponse(f"/imports/wizard/{made.token}", status_code=status.HTTP_303_SEE_OTHER)


@router.get("/imports/wizard/{token}")
def progress_page(token: str, request: Request, viewer: PageViewer) -> Response:
    require_records(request, viewer, "import")
    made = _wizard(request, viewer, token, "import")
    template = "_imports_progress.html" if is_htmx(request) else "imports_progress.html"
    response = render(request, viewer, template, wiz=made)
    if is_htmx(request) and made.status == "completed" and made.job_id:
        response.headers["HX-Redirect"] = f"/imports/{made.job_id}"
    return response


# --- report and quarantine --------------------------------------------------------------------


def _report(
    request: Request,
    conn: Any,
    viewer: Viewer,
    job_id: str,
    *,
    editing: int | None = None,
    errors: dict[int, list[Any]] | None = None,
    values: dict[int, dict[str, str]] | None = None,
    done: str | None = None,
    status_code: int = 200,
) -> Response:
    engine = engine_of(request)
    try:
        found = wizard.job(engine, viewer.user.agency, job_id)
    except LookupError:
        _not_found(request, viewer, "import.read", job_id)
    problems = wizard.problems(engine, job_id, MAX_PROBLEMS)
    rows = quarantine.open_rows(conn, viewer.user.agency, job_id)
    return render(
        request,
        viewer,
        "imports_report.html",
        status_code=status_code,
        job=found,
        problems=problems,
        max_problems=MAX_PROBLEMS,
        rows=rows,
        hits=wizard.hits_raised(engine, job_id),
        editing=editing,
        errors=errors or {},
        values=values or {},
        done=done,
        when=when(viewer.lang),
    )


@router.get("/imports/{job_id}")
def report_page(
    job_id: str, request: Request, conn: Conn, viewer: PageViewer, done: str = ""
) -> Response:
    require_records(request, viewer, "import.read")
    return _report(request, conn, viewer, job_id[:64], done=done[:8] or None)


@router.post("/imports/{job_id}/quarantine/{line}")
async def correct_row(
    job_id: str,
    line: int,
    request: Request,
    conn: Conn,
    viewer: FormViewer,
) -> Response:
    require_records(request, viewer, "import")
    form = await request.form()
    values = {
        str(k)[4:]: str(v)[:10_000]
        for k, v in form.multi_items()
        if isinstance(v, str) and str(k).startswith("col:")
    }
    try:
        outcome = wizard.correct(
            engine_of(request), upload_root(), viewer.user.agency, viewer.user.username,
            job_id[:64], line, values,
        )  # fmt: skip
    except LookupError:
        _not_found(request, viewer, "import", f"{job_id[:64]}:{line}")
    except wizard.WizardError:
        return _report(request, conn, viewer, job_id[:64], status_code=422)
    if not outcome.started:
        return _report(
            request, conn, viewer, job_id[:64], editing=line,
            errors={line: outcome.problems}, values={line: values}, status_code=422,
        )  # fmt: skip
    return RedirectResponse(
        f"/imports/{job_id}?done={'ok' if not outcome.problems else 'flagged'}#quarantine",
        # The row is imported in the background: this request holds the database until it ends.
        status_code=status.HTTP_303_SEE_OTHER,
    )


@router.get("/imports/{job_id}/quarantine/{line}")
def correct_form(
    job_id: str, line: int, request: Request, conn: Conn, viewer: PageViewer
) -> Response:
    """The report with one quarantined row open for correction."""
    require_records(request, viewer, "import.read")
    return _report(request, conn, viewer, job_id[:64], editing=line)
