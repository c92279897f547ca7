"""chaingraph serve in headless Chromium (Playwright with Debian's chromium): a real server.

The app runs under uvicorn in a thread on a free port of 127.0.0.1; two members of
different organisations sign in through the form, open a case, move its date control and
read the audit dashboard. No page may log a console error or fetch anything that is not on
127.0.0.1, and a case of the other organisation answers 404.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest
import uvicorn
from argon2 import PasswordHasher
from rdflib import Graph

from chaingraph.catalogue import text
from chaingraph.namespace import MON
from chaingraph.responsibility import responsibilities
from chaingraph.web import auth
from chaingraph.web.app import create_app
from chaingraph.web.cases import CaseBook
from chaingraph.web.users import add_user

USERS = {"zora": ("zvhrr", "zvhrr-password-1"), "wout": ("wijkteams", "wijkteam-password-1")}
ASSIGNED = """PREFIX cg: <https://w3id.org/chaingraph/ontology#>
SELECT DISTINCT ?id WHERE {
  ?a cg:inCase ?case ; cg:organisation ?org ; a ?type .
  FILTER(?type IN (cg:PhaseOwnership, cg:RoleAssignment, cg:InstrumentResponsibility))
  ?case cg:caseId ?id }"""


# Form controls without a label and pictures without a name: what axe's "label" and
# "svg-img-alt" rules look for (axe itself is not packaged for a closed network).
UNNAMED = """() => {
  const bad = [];
  for (const el of document.querySelectorAll('input:not([type=hidden]), select, textarea')) {
    if (!(el.labels && el.labels.length) && !el.getAttribute('aria-label')) bad.push(el.outerHTML);
  }
  for (const svg of document.querySelectorAll('svg[role=img]')) {
    const t = svg.querySelector(':scope > title');
    if (!t || !t.textContent.trim()) bad.push('svg without a title');
  }
  for (const b of document.querySelectorAll('button, a[href]')) {
    if (!b.textContent.trim() && !b.getAttribute('aria-label')) bad.push(b.outerHTML);
  }
  if (!document.documentElement.lang) bad.push('no lang');
  return bad;
}"""


def assigned(graph: Graph, org: str) -> set[str]:
    return {str(r.id) for r in graph.query(ASSIGNED, initBindings={"org": MON[f"org-{org}"]})}


@pytest.fixture(scope="module")
def server(graph: Graph, tmp_path_factory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("serve")
    users = folder / "users.json"
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    for name, (org, password) in USERS.items():
        add_user(users, name, password=password, graph=graph, organisation=org, hasher=cheap)
    app = create_app(CaseBook(graph), users=users, access_log=folder / "access.jsonl",
                     throttle=auth.Throttle(base=0.0))
    yield from _serve(app)


def _serve(app) -> Iterator[str]:
    """Run ``app`` under uvicorn in a thread on a free port; yield its address."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not running.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(timeout=10)


@pytest.mark.parametrize("name", sorted(USERS))
def test_sign_in_case_page_and_dashboard_in_chromium(server, browser, graph, name, tmp_path):
    org, password = USERS[name]
    mine = sorted(assigned(graph, org))
    other = sorted(set(assigned(graph, "politie")) - set(mine))
    assert mine and other
    context = browser.new_context(viewport={"width": 1920, "height": 1080},
                                  locale="nl-NL" if name == "wout" else "en-GB")
    page = context.new_page()
    problems: list[str] = []
    fetched: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("request", lambda r: fetched.append(r.url))
    lang = "nl" if name == "wout" else "en"

    page.goto(f"{server}/cases")
    assert urlparse(page.url).path == "/login"
    assert page.locator("html").get_attribute("lang") == lang
    page.get_by_label(text("web.login.username", lang)).fill(name)
    page.get_by_label(text("web.login.password", lang)).fill(password)
    page.keyboard.press("Enter")  # the form works from the keyboard
    page.wait_for_url(f"{server}/cases")
    assert page.evaluate(UNNAMED) == []
    page.keyboard.press("Tab")  # the first stop from the keyboard skips to the content
    assert page.evaluate("document.activeElement.className") == "skip"
    shown = {link.inner_text() for link in page.locator("table.cases tbody th a").all()}
    assert shown == set(mine)

    # the case page and its date control
    case = mine[0]
    page.get_by_role("link", name=case, exact=True).click()
    page.wait_for_url(f"{server}/cases/{case}")
    assert page.locator("svg.timeline .tl-lane").count() >= 4
    assert page.locator("svg.timeline .tl-bar").first.is_visible()
    start = responsibilities(graph, case).start
    assert start is not None
    day = start.isoformat()
    page.fill("#at", day)
    page.get_by_role("button", name=text("web.case.show", lang)).click()
    page.wait_for_url(f"{server}/cases/{case}?at={day}")
    assert page.locator("#at").input_value() == day
    assert page.locator('input[type="range"]').count() == 1  # the script's slider
    assert page.evaluate(UNNAMED) == []
    page.screenshot(path=str(tmp_path / "case.png"), full_page=True)

    # the dashboard and its filter
    page.get_by_role("link", name=text("web.nav.audit", lang), exact=True).click()
    page.wait_for_url(f"{server}/audit")
    assert page.locator("table.audit, p").first.is_visible()
    page.select_option("#a-severity", "violation")
    page.get_by_role("button", name=text("web.filter.apply", lang)).click()
    page.wait_for_url(f"{server}/audit?*severity=violation*")
    assert page.evaluate(UNNAMED) == []
    page.screenshot(path=str(tmp_path / "audit.png"), full_page=True)

    # the other pages: the collaboration graph (select an organisation), monitor, queries
    page.get_by_role("link", name=text("web.nav.collaboration", lang), exact=True).click()
    page.wait_for_url(f"{server}/collaboration")
    page.locator("svg.collaboration a.co-org circle").first.click()
    page.wait_for_url(f"{server}/collaboration?organisation=*")
    assert page.locator("svg.collaboration a.co-org.on").count() == 1
    assert page.evaluate(UNNAMED) == []
    shared = {link.inner_text() for link in page.locator("table.partners a[href^='/cases/']").all()}
    assert shared <= set(mine)
    page.get_by_role("link", name=text("web.nav.monitor", lang), exact=True).click()
    page.wait_for_url(f"{server}/monitor")
    assert page.locator("svg.chart-bars").count() > 5
    assert page.evaluate(UNNAMED) == []
    page.goto(f"{server}/queries/cases")
    assert {c.inner_text() for c in page.locator("table.results tbody tr td:first-child").all()} \
        == set(mine)

    assert not problems, problems
    assert all(urlparse(url).hostname == "127.0.0.1" for url in fetched), fetched

    # a case of another organisation: absent, and its page answers 404
    answer = page.goto(f"{server}/cases/{other[0]}")
    assert answer is not None and answer.status == 404
    assert page.locator("p.problem").inner_text() == text("web.error.no_case", lang,
                                                          case=other[0])
    context.close()


@pytest.fixture(scope="module")
def store_server(graph: Graph, tmp_path_factory) -> Iterator[str]:
    from chaingraph.backends import load_store, open_store

    folder = tmp_path_factory.mktemp("serve-store")
    store = folder / "store"
    load_store([], store, progress=False)
    users = folder / "users.json"
    org, password = USERS["zora"]
    add_user(users, "zora", password=password, graph=graph, organisation=org,
             hasher=PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    app = create_app(CaseBook(open_store(store, read_only=True), store=store), users=users,
                     access_log=folder / "access.jsonl", throttle=auth.Throttle(base=0.0))
    yield from _serve(app)


def test_the_intake_and_closing_forms_in_chromium(store_server, browser):
    from chaingraph.web.forms import options

    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="nl-NL")
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(f"{store_server}/login")
    page.get_by_label(text("web.login.username", "nl")).fill("zora")
    page.get_by_label(text("web.login.password", "nl")).fill(USERS["zora"][1])
    page.keyboard.press("Enter")
    page.wait_for_url(f"{store_server}/cases")
    page.get_by_role("link", name=text("web.form.intake.link", "nl")).click()
    page.wait_for_url(f"{store_server}/cases/new")
    assert page.evaluate(UNNAMED) == []
    page.get_by_label(text("web.form.case_id", "nl")).fill("ZV-WEB-1")
    page.get_by_label(text("web.form.start", "nl")).fill("2024-04-01")
    for name, kind in (("risk", "risk"), ("phase", "phase"), ("role", "role")):
        page.get_by_label(text(f"web.form.{name}", "nl"), exact=True).select_option(
            options(kind, "nl")[0][0])
    page.get_by_label(text("web.form.holder", "nl")).fill("nobody")
    page.get_by_role("button", name=text("web.form.intake.submit", "nl")).click()
    # the mistake: one sentence next to its field, which says it is invalid
    error = page.locator("#f-holder-error")
    assert error.inner_text() == text("web.form.bad_pseudonym", "nl", value="nobody")
    assert page.get_by_label(text("web.form.holder", "nl")).get_attribute("aria-invalid") \
        == "true"
    assert page.get_by_label(text("web.form.case_id", "nl")).input_value() == "ZV-WEB-1"
    page.get_by_label(text("web.form.holder", "nl")).fill("P-WEB01")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{store_server}/cases/ZV-WEB-1")
    page.get_by_role("link", name=text("web.form.close.link", "nl")).click()
    page.wait_for_url(f"{store_server}/cases/ZV-WEB-1/close")
    assert page.evaluate(UNNAMED) == []
    page.get_by_label(text("web.form.end", "nl")).fill("2024-05-01")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{store_server}/cases/ZV-WEB-1")
    assert "2024-05-01" in page.locator("dl.facts").inner_text()
    assert page.get_by_role("link", name=text("web.form.close.link", "nl")).count() == 0
    assert not problems, problems
    context.close()
