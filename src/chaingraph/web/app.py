"""The web app of ``chaingraph serve``: Starlette routes over the library, Jinja2 pages.

Pages: ``/login``, ``/cases``, ``/cases/{id}``, ``/audit`` (with ``/audit.csv`` and
``/audit.json``), ``/collaboration``, ``/monitor``, ``/queries``, ``/sparql``, the forms
``/cases/new``, ``/cases/{id}/handover`` and ``/cases/{id}/close`` (on a store only), and
the package's own style sheet and script under ``/static``. Every page
is in English or Dutch (``?lang=nl``, kept in the session; Dutch by default when the
browser asks for it), escaped by Jinja2, and sent with a Content Security Policy that lets
it load nothing but the app's own files.

Need-to-know (:mod:`chaingraph.web.cases`): a user sees the cases its organisation takes
part in; any other case is absent from every list and count, and its page answers 404
exactly as a case that does not exist. Each request for a case page is written to the
access log (:mod:`chaingraph.web.access`).
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
import secrets
import threading
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from rdflib import Graph, URIRef
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chaingraph.catalogue import LANGUAGES, text, texts
from chaingraph.errors import ChaingraphError
from chaingraph.labels import local_name
from chaingraph.templates import render
from chaingraph.web import auth
from chaingraph.web.access import AccessLog
from chaingraph.web.cases import (
    AUDIT_STATES,
    CASE_STATES,
    SORTS,
    CaseBook,
    CaseEntry,
)
from chaingraph.web.users import OPEN_USER, User, check_password, read_users

STATIC = Path(__file__).resolve().parent / "static"
PAGE_SIZE = 50
MAX_ROWS = 1000
"""The rows a query's page shows; the downloads have them all."""
SEVERITIES = ("violation", "warning", "info")
_RULE = re.compile(r"^[a-z0-9-]{1,80}$")
# a path of this app: no scheme, no host, no whitespace or backslash a browser might drop or
# turn into a slash ("/\t/elsewhere" is "//elsewhere" to a browser)
_LOCAL_PATH = re.compile(r"/[A-Za-z0-9._~!$&'()*+,;=:@%/?-]{0,500}")
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


class Refusal(Exception):
    """A request the app answers with a page of one sentence (``web.KEY``) and ``status``."""

    def __init__(self, status: int, key: str, **params: object) -> None:
        super().__init__(key)
        self.status, self.key, self.params = status, key, params


class LoginNeeded(Exception):
    """Nobody (or an expired session) asked for a page that needs a user."""


class _Headers:
    """Add the security headers to every response (a plain ASGI middleware)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.setdefault("headers", [])
                headers += [(b"content-security-policy", CSP.encode()),
                            (b"x-content-type-options", b"nosniff"),
                            (b"referrer-policy", b"same-origin"),
                            (b"x-frame-options", b"DENY")]
                if not scope.get("path", "").startswith("/static/"):
                    headers.append((b"cache-control", b"no-store"))
                if scope.get("scheme") == "https":  # behind https: the cookie never leaves it
                    headers[:] = [(k, v + b"; secure") if k.lower() == b"set-cookie"
                                  and b"secure" not in v.lower() else (k, v)
                                  for k, v in headers]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class _Users:
    """The users file, read again when it changes (``chaingraph users`` while serving)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._stamp: tuple[int, int] | None = None
        self._users: dict[str, User] = {}
        self._lock = threading.Lock()

    def get(self) -> dict[str, User]:
        if self.path is None:
            return {}
        with self._lock:
            try:
                stat = self.path.stat()
                stamp = (stat.st_mtime_ns, stat.st_size)
            except FileNotFoundError:
                stamp = (0, 0)
            if stamp != self._stamp:
                self._users = read_users(self.path)
                self._stamp = stamp
            return self._users


@dataclass
class Settings:
    """What the app serves and to whom."""

    book: CaseBook
    users: _Users
    open: bool
    access: AccessLog
    throttle: auth.Throttle
    lock: threading.RLock
    revoked: auth.Revoked
    time_limit: float
    datasets: Any = None  # chaingraph.web.sparql.Datasets, made at the first query


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings  # set by create_app
    return settings


# ---------------------------------------------------------------------------- the page


def language(request: Request) -> str:
    """The page's language: ``?lang=``, else the session's, else the browser's."""
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        request.session["lang"] = asked
        return asked
    kept = request.session.get("lang")
    if kept in LANGUAGES:
        return str(kept)
    return auth.preferred_language(request.headers.get("accept-language"))


def _switch(request: Request, lang: str) -> list[dict[str, Any]]:
    """The language switch: this page's address in each language."""
    out = []
    for other in LANGUAGES:
        query = {k: v for k, v in request.query_params.items() if k != "lang"}
        query["lang"] = other
        out.append({"lang": other, "name": text(f"web.language.{other}", other),
                    "url": f"{request.url.path}?{urlencode(query)}", "current": other == lang})
    return out


def page(request: Request, name: str, *, status: int = 200, user: User | None = None,
         **context: Any) -> HTMLResponse:
    """Render ``templates/web/NAME`` with what every page shows."""
    lang = language(request)
    settings = _settings(request)
    problem = settings.book.audit_problem
    html = render(f"web/{name}", lang=lang, t=texts("web", lang), user=user,
                  switch=_switch(request, lang), csrf=auth.csrf_token(request.session),
                  path=request.url.path, open_mode=settings.open,
                  can_record=settings.book.store is not None and user is not None
                  and user.role in ("member", "open"),
                  audit_problem=problem.text(lang) if problem and user else None,
                  audit_making=(settings.book.making, settings.book.at)
                  if settings.book.making and user else None,
                  audit_not_made=(not_made[0], settings.book.at, not_made[1].text(lang))
                  if (not_made := settings.book.not_made) and user else None, **context)
    return HTMLResponse(html, status_code=status)


def current_user(request: Request) -> User:
    """The signed-in user (everyone in ``--open`` mode); else :class:`LoginNeeded`."""
    settings = _settings(request)
    if settings.open:
        return OPEN_USER
    name = auth.signed_in(request.session)
    if name and not settings.revoked.valid(request.session):
        name = None
    user = settings.users.get().get(name) if name else None
    if user is None:
        raise LoginNeeded
    return user


def _one_of(request: Request, name: str, allowed: tuple[str, ...] | list[str]) -> str | None:
    value = request.query_params.get(name, "").strip()
    if not value:
        return None
    if value not in allowed:
        raise Refusal(400, "bad_parameter", name=name, value=value)
    return value


def _organisation_keys(organisations: Iterable[str]) -> dict[str, str]:
    """The parameter value (IRI tail without ``org-``) of each organisation → its IRI."""
    return {local_name(o).removeprefix("org-"): o for o in organisations}


# ---------------------------------------------------------------------------- routes


async def home(request: Request) -> Response:
    current_user(request)
    return RedirectResponse("/cases", status_code=303)


async def login_form(request: Request) -> Response:
    if _settings(request).open:
        return RedirectResponse("/cases", status_code=303)
    return page(request, "login.html", next=_next(request.query_params.get("next")),
                failed=False, username="")


def _next(value: str | None) -> str:
    """Where to go after signing in: a path of this app, never another site."""
    if value and _LOCAL_PATH.fullmatch(value) and not value.startswith("//"):
        return value
    return "/cases"


async def login(request: Request) -> Response:
    settings = _settings(request)
    form = await request.form()
    if not auth.csrf_ok(request.session, form.get("csrf")):
        raise Refusal(403, "bad_form")
    name = str(form.get("username", "")).strip()[:64]
    password = str(form.get("password", ""))
    wait = settings.throttle.delay(name)
    if wait:
        await asyncio.sleep(wait)
    user = await asyncio.to_thread(check_password, settings.users.get(), name, password)
    target = _next(str(form.get("next", "")))
    if user is None:
        settings.throttle.failed(name)
        return page(request, "login.html", status=401, next=target, failed=True, username=name)
    settings.throttle.succeeded(name)
    auth.sign_in(request.session, user.name)
    return RedirectResponse(target, status_code=303)


async def logout(request: Request) -> Response:
    form = await request.form()
    if not auth.csrf_ok(request.session, form.get("csrf")):
        raise Refusal(403, "bad_form")
    lang = request.session.get("lang")
    _settings(request).revoked.end(request.session)  # a copy of the cookie is void too
    request.session.clear()
    if lang in LANGUAGES:
        request.session["lang"] = lang
    return RedirectResponse("/login", status_code=303)


def cases_page(request: Request) -> Response:
    user = current_user(request)
    settings = _settings(request)
    book = settings.book
    lang = language(request)
    if not user.sees_cases:
        return _counts_page(request, user)
    orgs = _organisation_keys(book.partners(user))
    org = _one_of(request, "organisation", sorted(orgs))
    state = _one_of(request, "state", CASE_STATES)
    audit_state = _one_of(request, "audit", AUDIT_STATES)
    rule = request.query_params.get("rule", "").strip() or None
    if rule is not None and not _RULE.match(rule):
        raise Refusal(400, "bad_parameter", name="rule", value=rule)
    sort = _one_of(request, "sort", [*SORTS, *(f"-{s}" for s in SORTS)]) or "id"
    number = _page_number(request)
    total, shown = book.page(user, organisation=orgs.get(org) if org else None, state=state,
                             audit=audit_state, rule=rule, sort=sort.lstrip("-"),
                             descending=sort.startswith("-"),
                             offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    pages = max(1, -(-total // PAGE_SIZE))
    if number > pages:
        raise Refusal(404, "no_page", page=number, pages=pages)
    rows = []
    for e in shown:
        day = e.end if e.end is not None and e.end < book.today else book.today
        rows.append({
            "id": e.id, "start": e.start, "end": e.end,
            "risk": book.name(e.risk, lang) if e.risk else "-",
            "state": e.state(book.today), "audit": e.audit_state(),
            "findings": len(e.findings), "day": day,
            "owners": [(book.phase_label(p, lang),
                        [book.name(o, lang, short=True) for o in owners])
                       for p, owners in e.owners(day).items()]})
    filters = {"organisation": org or "", "state": state or "", "audit": audit_state or "",
               "rule": rule or "", "sort": sort}

    def link(**changes: object) -> str:
        query = {k: v for k, v in {**filters, **changes}.items() if v not in ("", None)}
        return "/cases?" + urlencode(query) if query else "/cases"

    sorts = [{"key": s, "url": link(sort=f"-{s}" if sort == s else s, page=""),
              "current": sort.lstrip("-") == s, "down": sort == f"-{s}"} for s in SORTS]
    return page(request, "cases.html", user=user, rows=rows, total=total,
                all_total=book.count(user), page_number=number, pages=pages,
                previous=link(page=number - 1) if number > 1 else None,
                next_page=link(page=number + 1) if number < pages else None,
                filters=filters, sorts=sorts,
                organisations=sorted(((k, book.name(v, lang, short=True))
                                      for k, v in orgs.items()), key=lambda kv: kv[1].casefold()),
                states=CASE_STATES, audit_states=AUDIT_STATES, today=book.today)


def _page_number(request: Request) -> int:
    raw = request.query_params.get("page", "1").strip() or "1"
    if not raw.isdigit() or int(raw) < 1 or len(raw) > 9:
        raise Refusal(400, "bad_parameter", name="page", value=raw)
    return int(raw)


def _counts_page(request: Request, user: User) -> Response:
    """What the chain role sees instead of a case list: counts over all cases."""
    book = _settings(request).book
    lang = language(request)
    tally = book.tally(user)
    names = {"state": lambda v: text(f"web.state.{v}", lang),
             "risk": lambda v: book.name(v, lang) if v else "-",
             "audit": lambda v: text(f"web.audit_state.{v}", lang)}
    by: dict[str, dict[str, int]] = {}
    for what, counts in tally.items():
        into = by.setdefault(what, {})
        for value, n in counts.items():
            name = names[what](value)
            into[name] = into.get(name, 0) + n
    return page(request, "counts.html", user=user, total=book.count(user),
                by={k: sorted(v.items()) for k, v in by.items()})


def case_page(request: Request) -> Response:
    user = current_user(request)
    settings = _settings(request)
    book = settings.book
    lang = language(request)
    case_id = request.path_params["case"]
    entry = book.case(user, case_id)
    settings.access.record(user=user.name, organisation=user.organisation_name, case=case_id,
                           shown=entry is not None)
    if entry is None:
        raise Refusal(404, "no_case", case=case_id)
    at_raw = request.query_params.get("at", "").strip()
    at: date | None = None
    if at_raw:
        try:
            at = date.fromisoformat(at_raw) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", at_raw) \
                else None
        except ValueError:
            at = None
        if at is None:
            raise Refusal(400, "bad_date", value=at_raw)
    context = _case_context(book, case_id, entry, at, lang)
    return page(request, "case.html", user=user, **context)


def _case_context(book: CaseBook, case_id: str, entry: CaseEntry, at: date | None,
                  lang: str) -> dict[str, Any]:
    from chaingraph.export.views import node_id, timeline_items
    from chaingraph.pictures.timeline import svg
    from chaingraph.raci import raci
    from chaingraph.responsibility import phase_name, problem_text, responsibilities

    graph = book.graph
    # as_dict: who's answer as `who --format json` gives it, every name in ``lang``
    r = responsibilities(graph, case_id, at=at, lang=lang, today=book.today).as_dict()
    day = date.fromisoformat(r["at"])
    matrix = raci(graph, case_id, at=day, lang=lang)
    labels = {s["role"]: s["role_label"] for s in r["escalation"]}
    items = timeline_items(graph, case_id, lang=lang, today=book.today)
    organisations = {node_id(URIRef(o)): book.name(o, lang, short=True)
                     for o in entry.organisations}
    for item in items:
        for org in item.organisations:
            if org not in organisations:
                organisations[org] = book.name(_org_iri(graph, org), lang, short=True)
    names = {"case": text("web.lane.case", lang), "instruments": text("web.lane.instruments", lang),
             "events": text("web.lane.events", lang), "phase": text("export.phase", lang)}
    short = {book.name(p, lang): book.phase_label(p, lang) for p in entry.phases}
    picture = svg(items, organisations=organisations, names=names, today=book.today, at=day,
                  title=text("web.case.timeline", lang) + f" {case_id}", phases=short)
    # the audit of the day asked for (that case alone, as it stood then); else the stored one
    found = entry.findings if at is None else book.findings_on(entry, at)
    findings = [f.translated(lang) for f in found]
    phases = [{"name": phase_name(p["notation"], p["label"], lang), **p} for p in r["phases"]]
    ownership = [{"phase_name": phase_name(f["phase"], f["phase_label"], lang), **f}
                 for f in r["findings"] if f["kind"] != "handover" or f["days"]]
    return {"case": entry, "r": r, "day": day, "phases": phases, "matrix": matrix,
            "picture": picture, "findings": findings, "ownership": ownership,
            "problem": problem_text(r["escalation_problem"], labels, lang),
            "risk": book.name(entry.risk, lang) if entry.risk else "-",
            "state": entry.state(book.today), "today": book.today,
            "audited": at or book.at,
            "legend": text("raci.legend", lang)}


def _org_iri(graph: Graph, node: str) -> str:
    from chaingraph.namespace import MON

    return str(MON[node])


def audit_page(request: Request) -> Response:
    user = current_user(request)
    lang = language(request)
    data = _audit_data(request, user, lang)
    filters = data["filters"]
    query = urlencode({k: v for k, v in filters.items() if v})
    return page(request, "audit.html", user=user, **data,
                csv_url="/audit.csv" + (f"?{query}" if query else ""),
                json_url="/audit.json" + (f"?{query}" if query else ""),
                severities=SEVERITIES)


def _audit_data(request: Request, user: User, lang: str, *,
                most_cases: int = 20) -> dict[str, Any]:
    """The dashboard's rows; each row names at most ``most_cases`` of its cases."""
    from chaingraph.responsibility import phase_name
    from chaingraph.web.charts import trend

    book = _settings(request).book
    orgs = _organisation_keys(book.partners(user))
    org = _one_of(request, "organisation", sorted(orgs))
    board = book.dashboard(user, organisation=orgs[org] if org else None)
    rules = sorted({r for r, _, _ in board.counts})
    rule = _one_of(request, "rule", rules)
    phase_notations = sorted({p for _, p, _ in board.counts if p})
    phase = _one_of(request, "phase", phase_notations)
    severity = _one_of(request, "severity", SEVERITIES)
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for (r, p, s), row in sorted(board.counts.items()):
        if (rule and r != rule) or (phase and p != phase) or (severity and s != severity):
            continue
        into = counts.setdefault((r, p), {})
        for o, n in row.items():
            into[o] = into.get(o, 0) + n
    columns = sorted({o for row in counts.values() for o in row if o},
                     key=lambda o: book.name(o, lang, short=True).casefold())
    if org:
        columns = [orgs[org]]
    labels, phase_labels = book.rule_labels(lang)
    cases_by: dict[tuple[str, str], list[str]] = {}
    if user.sees_cases:
        for r, p in counts:
            cases_by[(r, p)] = book.cases_with(user, rule=r, phase=p, severity=severity,
                                               organisation=orgs[org] if org else None,
                                               most=most_cases)
    rows: list[dict[str, Any]] = [{"rule": r, "rule_label": labels.get(r, r), "phase": p,
             "phase_label": phase_labels.get(p, p or "-"),
             "phase_short": phase_name(p, phase_labels.get(p, p), lang) if p else "-",
             "total": row.get("", 0),
             "cells": [row.get(o, 0) for o in columns],
             "cases": sorted(cases_by.get((r, p), [])) if user.sees_cases else []}
            for (r, p), row in counts.items()]
    most = max((row["total"] for row in rows), default=0)
    picture = trend(board.months, title=text("web.audit.trend", lang),
                    running=text("web.audit.running", lang),
                    with_findings=text("web.audit.with_findings", lang))
    return {"rows": rows, "columns": [(local_name(o).removeprefix("org-"),
                                       book.name(o, lang, short=True)) for o in columns],
            "filters": {"organisation": org or "", "rule": rule or "", "phase": phase or "",
                        "severity": severity or ""},
            "organisations": sorted(((k, book.name(v, lang, short=True)) for k, v in orgs.items()),
                                    key=lambda kv: kv[1].casefold()),
            "rules": [(r, labels.get(r, r)) for r in rules],
            "phases": [(p, phase_labels.get(p, p)) for p in phase_notations],
            "cases_counted": board.cases, "most": most, "at": book.at,
            "trend": picture}


def audit_csv(request: Request) -> Response:
    from chaingraph.escape import csv_row

    user = current_user(request)
    lang = language(request)
    data = _audit_data(request, user, lang)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["rule", "rule_label", "phase", "phase_label", "organisation", "findings"])
    # csv_row: a cell a spreadsheet would take for a formula gets a quote in front
    for row in data["rows"]:
        writer.writerow(csv_row([row["rule"], row["rule_label"], row["phase"],
                                 row["phase_label"], "", str(row["total"])]))
        for (key, _), n in zip(data["columns"], row["cells"], strict=True):
            if n:
                writer.writerow(csv_row([row["rule"], row["rule_label"], row["phase"],
                                         row["phase_label"], key, str(n)]))
    return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": 'attachment; filename="audit.csv"'})


def audit_json(request: Request) -> Response:
    user = current_user(request)
    lang = language(request)
    data = _audit_data(request, user, lang, most_cases=1 << 30)
    out = {"at": data["at"].isoformat(), "cases": data["cases_counted"],
           "filters": data["filters"],
           "counts": [{"rule": row["rule"], "rule_label": row["rule_label"],
                       "phase": row["phase"] or None, "phase_label": row["phase_label"],
                       "findings": row["total"],
                       "by_organisation": {key: n for (key, _), n in
                                           zip(data["columns"], row["cells"], strict=True) if n},
                       **({"cases": row["cases"]} if user.sees_cases else {})}
                      for row in data["rows"]]}
    return Response(json.dumps(out, indent=2, ensure_ascii=False),
                    media_type="application/json",
                    headers={"content-disposition": 'attachment; filename="audit.json"'})


def queries_page(request: Request) -> Response:
    from chaingraph.queryfiles import list_queries
    from chaingraph.web.queries import fields

    user = current_user(request)
    forms = [(info, fields(info.params, {})) for info in list_queries()]
    return page(request, "queries.html", user=user, forms=forms, chosen=None)


def query_page(request: Request) -> Response:
    from chaingraph.errors import UnknownName
    from chaingraph.queryfiles import find_query
    from chaingraph.results import short
    from chaingraph.sparql import run_query
    from chaingraph.web.queries import fields, need_to_know

    user = current_user(request)
    book = _settings(request).book
    name = request.path_params["name"]
    fmt = _one_of(request, "format", ("csv", "json"))
    try:
        info = find_query(name)
    except UnknownName:
        raise Refusal(404, "no_query", name=name) from None
    if info.path.parent.name == "internal":
        raise Refusal(404, "no_query", name=name)
    values = {p.name: request.query_params.get(p.name, "").strip() for p in info.params}
    given = {k: v for k, v in values.items() if v}
    if "case" in given:  # a question about a case is a view of it: the access log has it
        _settings(request).access.record(
            user=user.name, organisation=user.organisation_name, case=given["case"],
            shown=book.case(user, given["case"]) is not None)
    from chaingraph.readable import check_case_id, check_source

    if "case" in given:  # a store's values, as the command line checks them
        check_case_id(book.graph, given["case"])
    else:
        check_source(book.graph, progress=False)
    result = need_to_know(run_query(book.graph, info.name, **given),
                          visible={e.id for e in book.visible(user)}, every=book.ids(),
                          chain=user.role == "chain")
    if fmt == "csv":
        return Response(result.to_csv(), media_type="text/csv; charset=utf-8", headers={
            "content-disposition": f'attachment; filename="{info.name}.csv"'})
    if fmt == "json":
        return Response(result.to_json(), media_type="application/sparql-results+json",
                        headers={"content-disposition":
                                 f'attachment; filename="{info.name}.json"'})
    query = urlencode(given)
    rows = [[short(v) for v in row] for row in result.rows[:MAX_ROWS]]
    counted = text("web.queries.rows", language(request), n=len(result))
    return page(request, "queries.html", user=user, forms=[(info, fields(info.params, values))],
                chosen=info, columns=result.columns, rows=rows, total=len(result),
                csv_url=f"/queries/{info.name}?{urlencode({**given, 'format': 'csv'})}",
                json_url=f"/queries/{info.name}?{urlencode({**given, 'format': 'json'})}",
                query=query, counted=counted)


def collaboration_page(request: Request) -> Response:
    from chaingraph.pictures.collaboration import key, svg
    from chaingraph.web.collaboration import shared_cases

    user = current_user(request)
    book = _settings(request).book
    lang = language(request)
    entries = book.counted(user)
    view = shared_cases(entries, name=lambda o: book.name(o, lang, short=True),
                        full_name=lambda o: book.name(o, lang))
    if not view.number_of_nodes():
        return page(request, "collaboration.html", user=user, picture=None, chosen=None,
                    partners=[], organisations=[], cases=len(entries))
    keys = {key(o): o for o in view.nodes}
    chosen_key = _one_of(request, "organisation", sorted(keys))
    chosen = keys[chosen_key] if chosen_key else None
    partners = []
    if chosen:
        for other in sorted(view.neighbors(chosen),
                            key=lambda n: (-view[chosen][n]["cases"], view.nodes[n]["label"])):
            data = view[chosen][other]
            partners.append({"key": key(other), "name": view.nodes[other]["label"],
                             "cases": data["cases"],
                             "case_ids": data["case_ids"] if user.sees_cases else []})
    organisations = sorted(((key(n), d["label"], d["cases"], view.degree(n))
                            for n, d in view.nodes(data=True)), key=lambda o: o[1].casefold())
    return page(request, "collaboration.html", user=user, cases=len(entries),
                picture=svg(view, selected=chosen, title=text("web.collaboration.title", lang)),
                chosen=view.nodes[chosen]["label"] if chosen else None, partners=partners,
                organisations=organisations)


def monitor_page(request: Request) -> Response:
    from chaingraph import monitor
    from chaingraph.web.charts import bars

    user = current_user(request)
    book = _settings(request).book
    lang = language(request)
    table = monitor.figures(book.graph, lang=lang)
    areas: dict[str, str] = {}
    years: list[tuple[str, int]] = []  # (year, how many area columns it spans)
    for column in table.columns:
        areas.setdefault(column.area, column.area_label)
        if years and years[-1][0] == column.year_label:
            years[-1] = (column.year_label, years[-1][1] + 1)
        else:
            years.append((column.year_label, 1))

    def number(value: int) -> str:
        return monitor.format_number(value, lang)

    rows = [(row, [number(row.values[i]) if i in row.values else ""
                   for i in range(len(table.columns))],
             bars(row, table.columns, number=number)) for row in table.rows]
    return page(request, "monitor.html", user=user, w=texts("monitor", lang), table=table,
                years=years, rows=rows, areas=list(areas.values()),
                sections=monitor.sections(book.graph, lang=lang))


async def sparql_endpoint(request: Request) -> Response:
    """The SPARQL 1.1 protocol (GET ?query=, POST form or application/sparql-query), read-only."""
    user = current_user(request)
    if request.method == "POST":
        kind = request.headers.get("content-type", "").split(";")[0].strip()
        if kind == "application/sparql-query":
            query = (await request.body()).decode("utf-8", "replace")
        else:
            query = str((await request.form()).get("query", ""))
    else:
        query = request.query_params.get("query", "")
    if not query.strip():
        return page(request, "sparql.html", user=user)
    accept = request.headers.get("accept", "")
    if request.query_params.get("format") == "csv":
        accept = "text/csv"

    from chaingraph.web import sparql

    sparql.check(query)  # a query that does not parse is refused here, in a sentence

    def graph_for_user() -> Any:
        settings = _settings(request)
        with settings.lock:
            if settings.book.refresh():
                settings.datasets = None
            book = settings.book
            if user.role == "chain":
                if book.store is not None:
                    return sparql.shared_data()
                if settings.datasets is None:
                    settings.datasets = sparql.Datasets(book.graph)
                return settings.datasets.graph((), persons=False)
            if book.store is not None:
                return book.graphs(user)
            if settings.datasets is None:
                settings.datasets = sparql.Datasets(book.graph)
            return settings.datasets.graph(e.id for e in book.visible(user))

    def run() -> tuple[bytes, str]:
        data = graph_for_user()
        store = _settings(request).book.store
        if isinstance(data, list):
            assert store is not None
            return sparql.limited(lambda: sparql.answer_store(store, query, graphs=data,
                                                              accept=accept),
                                  seconds=_settings(request).time_limit)
        return sparql.limited(lambda: sparql.answer(data, query, accept=accept),
                              seconds=_settings(request).time_limit)

    try:
        body, media_type = await asyncio.to_thread(run)
    except sparql.TooSlow:
        raise Refusal(503, "sparql_slow", seconds=_settings(request).time_limit) from None
    except sparql.Failed as exc:
        raise Refusal(400, "sparql_failed", why=str(exc)) from None
    return Response(body, media_type=media_type)


# ---------------------------------------------------------------------------- the forms


def _refusal_to_write(request: Request, user: User) -> str | None:
    """Why ``user`` cannot record cases in this app (one sentence), or None."""
    lang = language(request)
    if _settings(request).book.store is None:
        return text("web.form.read_only", lang)
    if user.role not in ("member", "open"):
        return text("web.form.members_only", lang)
    return None


def _form_page(request: Request, user: User, kind: str, *, fields: list[Any], action: str,
               back: str, refused: str | None = None, **names: object) -> Response:
    """A form page; shown again with its mistakes, it answers 200 (a page asking again, not
    an error: a browser logs a console error for every 4xx page)."""
    lang = language(request)
    return page(request, "case_form.html", user=user, fields=fields,
                heading=text(f"web.form.{kind}.title", lang, **names),
                intro=text(f"web.form.{kind}.intro", lang),
                submit=text(f"web.form.{kind}.submit", lang), action=action, back=back,
                refused=refused)


async def _posted(request: Request) -> dict[str, str] | None:
    """The posted form's fields (None for a GET); a form without the session's token is
    refused."""
    if request.method != "POST":
        return None
    form = await request.form()
    if not auth.csrf_ok(request.session, form.get("csrf")):
        raise Refusal(403, "bad_form")
    return {k: str(v)[:200] for k, v in form.items() if isinstance(v, str)}


def _write(request: Request, user: User, case: Any, activity: str) -> None:
    """Write ``case`` to the store the app runs on and read the store again."""
    from chaingraph.cases.record import save

    book = _settings(request).book
    assert book.store is not None
    save(case, store=book.store, activity=activity, lang=language(request))
    book.changed([case.id])


def intake_page(request: Request, form: dict[str, str] | None) -> Response:
    from chaingraph.web import forms

    user = current_user(request)
    lang = language(request)
    book = _settings(request).book
    organisation = user.organisation if user.role == "member" else None
    refused = _refusal_to_write(request, user)
    errors: dict[str, str] = {}
    if form is not None:
        if refused:
            raise Refusal(409, "cannot_record", why=refused)
        try:
            case = forms.read_intake(form, lang, organisation=organisation, exists=book.exists)
        except forms.Invalid as mistakes:
            errors = mistakes.errors
        else:
            _write(request, user, case, "intake")
            return RedirectResponse(f"/cases/{case.id}", status_code=303)
    fields = forms.intake_fields(lang, form or {}, errors, organisation=organisation)
    return _form_page(request, user, "intake", fields=fields, action="/cases/new",
                      back="/cases", refused=refused)


def _editable(request: Request, user: User) -> tuple[str, Any]:
    """The case of the address if ``user`` may change it (else 404, as for viewing), read."""
    from chaingraph.cases.read import read_case

    settings = _settings(request)
    book = settings.book
    case_id = request.path_params["case"]
    shown = book.case(user, case_id) is not None
    settings.access.record(user=user.name, organisation=user.organisation_name, case=case_id,
                           shown=shown)  # a form of a case shows it: the access log has it
    if not shown:
        raise Refusal(404, "no_case", case=case_id)
    return case_id, read_case(book.graph, case_id)


def handover_page(request: Request, form: dict[str, str] | None) -> Response:
    from chaingraph.cases.vocabulary import vocabulary
    from chaingraph.web import forms

    user = current_user(request)
    lang = language(request)
    refused = _refusal_to_write(request, user)
    case_id, case = _editable(request, user)
    organisation = user.organisation if user.role == "member" else None
    vocab = vocabulary()
    held = sorted({a.role for a in case.assignments()
                   if organisation is None or str(a.organisation) == organisation})
    roles = [(str(r), vocab.role.write(r, lang)) for r in held]
    errors: dict[str, str] = {}
    if form is not None:
        if refused:
            raise Refusal(409, "cannot_record", why=refused)
        try:
            forms.apply_handover(case, form, lang, organisation=organisation, roles=roles)
        except forms.Invalid as mistakes:
            errors = mistakes.errors
        else:
            _write(request, user, case, "handover")
            return RedirectResponse(f"/cases/{case_id}", status_code=303)
    return _form_page(request, user, "handover",
                      fields=forms.handover_fields(lang, form or {}, errors, roles=roles),
                      action=f"/cases/{case_id}/handover", back=f"/cases/{case_id}",
                      refused=refused, case=case_id)


def close_page(request: Request, form: dict[str, str] | None) -> Response:
    from chaingraph.web import forms

    user = current_user(request)
    lang = language(request)
    refused = _refusal_to_write(request, user)
    case_id, case = _editable(request, user)
    errors: dict[str, str] = {}
    if form is not None:
        if refused:
            raise Refusal(409, "cannot_record", why=refused)
        try:
            forms.apply_close(case, form, lang)
        except forms.Invalid as mistakes:
            errors = mistakes.errors
        else:
            _write(request, user, case, "close")
            return RedirectResponse(f"/cases/{case_id}", status_code=303)
    return _form_page(request, user, "close", fields=forms.close_fields(lang, form or {}, errors),
                      action=f"/cases/{case_id}/close", back=f"/cases/{case_id}",
                      refused=refused, case=case_id)


def _with_form(handler: Callable[[Request, dict[str, str] | None], Response]
               ) -> Callable[[Request], Awaitable[Response]]:
    """A form page: the posted fields read on the event loop, the page made in a worker
    thread one at a time (as :func:`_sync`)."""

    def locked(request: Request, form: dict[str, str] | None) -> Response:
        settings = _settings(request)
        with settings.lock:
            if settings.book.refresh():
                settings.datasets = None
            return handler(request, form)

    async def run(request: Request) -> Response:
        form = await _posted(request)
        return await asyncio.to_thread(locked, request, form)

    run.__name__ = handler.__name__
    return run


# ---------------------------------------------------------------------------- errors


def _error(request: Request, status: int, sentence: str) -> Response:
    try:
        user: User | None = current_user(request)
    except (LoginNeeded, ChaingraphError):
        user = None
    return page(request, "error.html", status=status, user=user, sentence=sentence,
                status_code=status)


async def _refused(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Refusal)
    return _error(request, exc.status, text(f"web.error.{exc.key}", language(request),
                                            **exc.params))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    key = {404: "not_found", 405: "method"}.get(exc.status_code, "bad_request")
    return _error(request, exc.status_code, text(f"web.error.{key}", language(request)))


async def _login_needed(request: Request, exc: Exception) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse("/login?" + urlencode({"next": target}), status_code=303)


async def _bad_input(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ChaingraphError)
    return _error(request, 400, exc.text(language(request)))


async def _broken(request: Request, exc: Exception) -> Response:
    # Starlette logs the traceback on the server's console after this page is sent.
    return _error(request, 500, text("web.error.broken", language(request)))


# ---------------------------------------------------------------------------- the app


def create_app(book: CaseBook, *, users: str | Path | None = None, open_mode: bool = False,
               access_log: str | Path, secret: str | None = None,
               throttle: auth.Throttle | None = None,
               secure_cookies: bool = False, query_seconds: float = 20.0) -> Starlette:
    """Return the ASGI app serving ``book``'s cases to the users of the file ``users``.

    ``open_mode``: no users and no sign-in, every case (``chaingraph serve --open``, bound
    to 127.0.0.1 by the command). ``secret`` signs the session cookies (a new one each
    start by default, which signs everyone out). ``throttle`` slows failed sign-ins.
    ``secure_cookies``: the session cookie only over https (``--secure-cookies``); a
    request that came over https gets a secure cookie whatever this says.
    ``query_seconds``: how long a query on ``/sparql`` may run before it is stopped.

    Raises:
        BadParameter: neither ``users`` nor ``open_mode``, or a users file that is not one.
    """
    from chaingraph.errors import BadParameter

    if users is None and not open_mode:
        raise BadParameter(key="serve_needs_users")
    source = _Users(Path(users) if users is not None else None)
    source.get()  # a users file that is not one fails now, not at the first sign-in
    settings = Settings(book=book, users=source, open=open_mode, access=AccessLog(access_log),
                        throttle=throttle or auth.Throttle(), lock=threading.RLock(),
                        revoked=auth.Revoked(), time_limit=query_seconds)
    routes = [
        Route("/", home),
        Route("/login", login_form, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/cases", _sync(cases_page)),
        Route("/cases/new", _with_form(intake_page), methods=["GET", "POST"]),
        Route("/cases/{case}", _sync(case_page)),
        Route("/cases/{case}/handover", _with_form(handover_page), methods=["GET", "POST"]),
        Route("/cases/{case}/close", _with_form(close_page), methods=["GET", "POST"]),
        Route("/audit", _sync(audit_page)),
        Route("/audit.csv", _sync(audit_csv)),
        Route("/audit.json", _sync(audit_json)),
        Route("/queries", _sync(queries_page)),
        Route("/sparql", sparql_endpoint, methods=["GET", "POST"]),
        Route("/monitor", _sync(monitor_page)),
        Route("/collaboration", _sync(collaboration_page)),
        Route("/queries/{name}", _sync(query_page)),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    handlers: dict[Any, Callable[[Request, Exception], Awaitable[Response]]] = {
        Refusal: _refused, HTTPException: _http_error, LoginNeeded: _login_needed,
        ChaingraphError: _bad_input, Exception: _broken}
    app = Starlette(routes=routes, exception_handlers=handlers, middleware=[
        Middleware(_Headers),
        Middleware(SessionMiddleware, secret_key=secret or secrets.token_urlsafe(32),
                   session_cookie="chaingraph", max_age=auth.SESSION_SECONDS, same_site="strict",
                   https_only=secure_cookies),
    ])
    app.state.settings = settings
    return app


def _sync(handler: Callable[[Request], Response]) -> Callable[[Request], Awaitable[Response]]:
    """Run a page that reads the graph in a worker thread, one at a time (rdflib's graph is
    not made for concurrent readers); the event loop stays free for sign-ins and files."""

    def locked(request: Request) -> Response:
        settings = _settings(request)
        with settings.lock:
            if settings.book.refresh():  # the store changed: its index and graph are new
                settings.datasets = None
            return handler(request)

    async def run(request: Request) -> Response:
        return await asyncio.to_thread(locked, request)

    run.__name__ = handler.__name__
    return run
