"""chaingraph serve through Starlette's TestClient: signing in, CSRF, need-to-know, the pages.

Two members of different organisations (ZVHRR, the neighbourhood teams) and one user of the
chain role sign in to one app on the bundled example cases. What each may see is worked out
here from the data with a query of its own, not taken from the app.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import stat
import sys
import time
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from rdflib import Graph
from starlette.testclient import TestClient

from chaingraph import responsibilities
from chaingraph.catalogue import text
from chaingraph.cli import main
from chaingraph.namespace import MON
from chaingraph.responsibility import case_ids, phase_name
from chaingraph.web import auth
from chaingraph.web.app import create_app
from chaingraph.web.cases import CaseBook
from chaingraph.web.users import add_user, check_password, read_users

PASSWORDS = {"zora": "zvhrr-password-1", "wout": "wijkteam-password-1",
             "kees": "chain-password-1"}
ASSIGNED = """PREFIX cg: <https://w3id.org/chaingraph/ontology#>
SELECT DISTINCT ?id WHERE {
  ?a cg:inCase ?case ; cg:organisation ?org ; a ?type .
  FILTER(?type IN (cg:PhaseOwnership, cg:RoleAssignment, cg:InstrumentResponsibility))
  ?case cg:caseId ?id }"""


def assigned(graph: Graph, org: str) -> set[str]:
    """The cases in which organisation ``org`` (mon:org-NAME) has an assignment."""
    return {str(r.id) for r in graph.query(ASSIGNED, initBindings={"org": MON[f"org-{org}"]})}


@pytest.fixture(scope="module")
def book(graph: Graph) -> CaseBook:
    return CaseBook(graph)


@pytest.fixture(scope="module")
def users_file(graph, tmp_path_factory):
    path = tmp_path_factory.mktemp("web") / "users.json"
    # a cheap hash keeps the tests fast; the app verifies with the parameters in the hash
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    add_user(path, "zora", password=PASSWORDS["zora"], graph=graph, organisation="zvhrr",
             hasher=cheap)
    add_user(path, "wout", password=PASSWORDS["wout"], graph=graph, organisation="wijkteam",
             hasher=cheap)
    add_user(path, "kees", password=PASSWORDS["kees"], graph=graph, role="chain", hasher=cheap)
    return path


@pytest.fixture(scope="module")
def app(book, users_file):
    return create_app(book, users=users_file, access_log=users_file.with_name("access.jsonl"),
                      throttle=auth.Throttle(base=0.0))


def csrf(client: TestClient, path: str = "/login") -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get(path).text)
    assert found, path
    return found.group(1)


def signed_in(app, name: str) -> TestClient:
    client = TestClient(app)
    answer = client.post("/login", data={"username": name, "password": PASSWORDS[name],
                                         "csrf": csrf(client), "next": "/cases"},
                         follow_redirects=False)
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/cases"
    return client


def listed(page: str) -> set[str]:
    """The cases a page links to (not the intake form, /cases/new)."""
    return set(re.findall(r'href="/cases/([^"?/]+)"', page)) - {"new"}


def sentence(page: str) -> str:
    found = re.search(r'<p class="problem">(.*?)</p>', page)
    assert found, page[:500]
    return found.group(1)


# ---------------------------------------------------------------------------- users


def test_users_file_holds_hashes_only_and_is_private(users_file):
    content = users_file.read_text()
    assert not any(password in content for password in PASSWORDS.values())
    assert stat.S_IMODE(users_file.stat().st_mode) == 0o600
    users = read_users(users_file)
    assert users["zora"].organisation == str(MON["org-zvhrr"]) and users["kees"].role == "chain"
    assert check_password(users, "zora", PASSWORDS["zora"]) == users["zora"]
    assert check_password(users, "zora", PASSWORDS["wout"]) is None
    assert check_password(users, "nobody", PASSWORDS["zora"]) is None


def test_users_command_adds_lists_and_removes(tmp_path, monkeypatch, capsys):
    path = tmp_path / "u.json"
    monkeypatch.setattr(sys, "stdin", io.StringIO("a-long-password\n"))
    assert main(["users", "add", "anna", "--organisation", "politie", "--users", str(path),
                 "--password-stdin"]) == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO("a-long-password\n"))
    assert main(["users", "add", "bert", "--organisation", "nowhere", "--users", str(path),
                 "--password-stdin", "--lang", "nl"]) == 2
    assert "organisatie 'nowhere' bestaat niet" in capsys.readouterr().err
    assert main(["users", "list", "--users", str(path), "--format", "json"]) == 0
    listing = json.loads(capsys.readouterr().out)
    assert [(u["name"], u["organisation"]) for u in listing] == [("anna", str(MON["org-politie"]))]
    assert main(["users", "remove", "anna", "--users", str(path)]) == 0
    assert main(["users", "remove", "anna", "--users", str(path)]) == 2
    assert read_users(path) == {}


def test_serve_refuses_to_start_without_users_or_open_off_this_computer(capsys):
    assert main(["serve"]) == 2
    assert "--users" in capsys.readouterr().err
    assert main(["serve", "--open", "--host", "0.0.0.0"]) == 2
    assert "127.0.0.1" in capsys.readouterr().err
    with pytest.raises(Exception, match="--users"):
        create_app(CaseBook.__new__(CaseBook), access_log="unused.jsonl")


# ---------------------------------------------------------------------------- signing in


@pytest.mark.parametrize("path", ["/cases", "/cases/FX-001", "/audit", "/audit.csv", "/",
                                  "/queries", "/queries/cases", "/collaboration", "/monitor"])
def test_every_page_needs_a_user(app, path):
    answer = TestClient(app).get(path, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/login?next=")


def test_login_form_has_labelled_fields_and_a_token(app):
    page = TestClient(app).get("/login").text
    for field in ("username", "password"):
        assert re.search(f'<label for="{field}">', page) and f'id="{field}" name="{field}"' in page
    assert re.search(r'<button type="submit">', page) and 'name="csrf"' in page


def test_login_without_the_forms_token_is_refused(app):
    client = TestClient(app)
    client.get("/login")
    answer = client.post("/login", data={"username": "zora", "password": PASSWORDS["zora"],
                                         "csrf": "forged"}, follow_redirects=False)
    assert answer.status_code == 403
    assert sentence(answer.text) == text("web.error.bad_form", "en")
    assert client.get("/cases", follow_redirects=False).status_code == 303


def test_failed_logins_are_refused_and_slow_the_next_attempt(book, users_file):
    throttle = auth.Throttle(base=0.01, most=0.05)
    app = create_app(book, users=users_file, access_log=users_file.with_name("a.jsonl"),
                     throttle=throttle)
    client = TestClient(app)
    for name in ("zora", "nobody"):
        answer = client.post("/login", data={"username": name, "password": "wrong-password",
                                             "csrf": csrf(client)}, follow_redirects=False)
        assert answer.status_code == 401
        assert text("web.login.failed", "en") in answer.text
    assert throttle.delay("zora") > 0 and throttle.delay("nobody") > 0
    assert throttle.delay("wout") == 0
    signed_in(app, "zora")
    assert throttle.delay("zora") == 0


def test_logout_needs_the_token_and_ends_the_session(app):
    client = signed_in(app, "zora")
    assert client.post("/logout", data={"csrf": "x"}).status_code == 403
    assert client.get("/cases").status_code == 200
    token = csrf(client, "/cases")
    assert client.post("/logout", data={"csrf": token}, follow_redirects=False).status_code == 303
    assert client.get("/cases", follow_redirects=False).status_code == 303


def test_logout_voids_every_copy_of_the_session_cookie(app):
    client = signed_in(app, "zora")
    copy = TestClient(app, cookies={"chaingraph": client.cookies["chaingraph"]})
    assert copy.get("/cases", follow_redirects=False).status_code == 200
    client.post("/logout", data={"csrf": csrf(client, "/cases")})
    assert copy.get("/cases", follow_redirects=False).status_code == 303
    again = signed_in(app, "zora")  # signing in again starts a session of its own
    assert again.get("/cases", follow_redirects=False).status_code == 200


def test_cookies_are_secure_when_asked_or_behind_https(book, users_file):
    def cookie(app, base: str) -> str:
        answer = TestClient(app, base_url=base).get("/login")
        return answer.headers["set-cookie"].lower()

    plain = create_app(book, users=users_file, access_log=users_file.with_name("a.jsonl"))
    assert "secure" not in cookie(plain, "http://testserver")
    assert "; secure" in cookie(plain, "https://testserver")
    secure = create_app(book, users=users_file, access_log=users_file.with_name("a.jsonl"),
                        secure_cookies=True)
    assert "; secure" in cookie(secure, "http://testserver")


def test_a_session_expires():
    session: dict[str, object] = {}
    auth.sign_in(session, "zora")
    since = float(session["since"])  # type: ignore[arg-type]
    assert auth.signed_in(session, now=since + 60) == "zora"
    assert auth.signed_in(session, now=since + auth.SESSION_SECONDS + 1) is None


def test_after_signing_in_the_user_goes_where_they_were_going_and_nowhere_else(app):
    client = TestClient(app)
    for asked, expected in (("/audit?rule=phase-gap", "/audit?rule=phase-gap"),
                            ("https://elsewhere.example/", "/cases"), ("//evil", "/cases"),
                            ("/\t/evil.example", "/cases"), ("/\\evil.example", "/cases")):
        answer = client.post("/login", data={"username": "wout", "password": PASSWORDS["wout"],
                                             "csrf": csrf(client), "next": asked},
                             follow_redirects=False)
        assert answer.headers["location"] == expected


# ---------------------------------------------------------------------------- need-to-know


@pytest.mark.parametrize(("name", "org"), [("zora", "zvhrr"), ("wout", "wijkteams")])
def test_a_user_sees_exactly_the_cases_of_its_organisation(app, graph, name, org):
    mine = assigned(graph, org)
    others = set(case_ids(graph)) - mine
    assert mine and others
    client = signed_in(app, name)
    page = client.get("/cases").text
    assert listed(page) == mine
    assert text("web.cases.count", "en", n=len(mine), all=len(mine)) in page
    for case in sorted(mine)[:2]:
        assert client.get(f"/cases/{case}").status_code == 200
    missing = client.get("/cases/NO-SUCH-CASE")
    for case in sorted(others):
        answer = client.get(f"/cases/{case}")
        assert answer.status_code == 404
        # exactly as a case that does not exist: nothing says the case is there
        assert answer.text.replace(case, "X") == missing.text.replace("NO-SUCH-CASE", "X")
    audit = client.get("/audit").text
    assert listed(audit) <= mine
    assert json.loads(client.get("/audit.json").content)["cases"] == len(mine)


def test_two_organisations_see_different_cases(app, graph):
    zora = listed(signed_in(app, "zora").get("/cases").text)
    wout = listed(signed_in(app, "wout").get("/cases").text)
    assert zora and wout and zora != wout
    assert wout - zora, "the neighbourhood teams' case is not one of ZVHRR's"


def test_every_view_of_a_case_is_in_the_access_log(app, graph, users_file):
    log = users_file.with_name("access.jsonl")
    before = log.read_text().count("\n") if log.exists() else 0
    client = signed_in(app, "wout")
    mine = sorted(assigned(graph, "wijkteams"))[0]
    other = sorted(set(case_ids(graph)) - assigned(graph, "wijkteams"))[0]
    client.get(f"/cases/{mine}")
    client.get(f"/cases/{other}")
    lines = [json.loads(line) for line in log.read_text().splitlines()[before:]]
    assert [(e["user"], e["case"], e["shown"]) for e in lines] == [
        ("wout", mine, True), ("wout", other, False)]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", e["when"]) for e in lines)


def test_the_chain_role_sees_counts_of_all_cases_and_no_case(app, graph):
    client = signed_in(app, "kees")
    page = client.get("/cases").text
    assert not listed(page)
    assert text("web.counts.intro", "en", n=len(case_ids(graph))) in page
    assert not re.search(r"P-[A-Z0-9]{5}", page)
    assert client.get("/cases/FX-001").status_code == 404
    audit = client.get("/audit")
    assert audit.status_code == 200 and not listed(audit.text)
    assert not re.search(r"P-[A-Z0-9]{5}", audit.text)
    data = json.loads(client.get("/audit.json").content)
    assert data["cases"] == len(case_ids(graph))
    assert all("cases" not in row for row in data["counts"])


def test_open_mode_shows_every_case_without_signing_in(book, tmp_path, graph):
    client = TestClient(create_app(book, open_mode=True, access_log=tmp_path / "a.jsonl"))
    assert listed(client.get("/cases").text) == set(case_ids(graph))


# ---------------------------------------------------------------------------- the pages


def _owners(page: str) -> set[tuple[str, str, str, str]]:
    """(phase, organisation, role, holder) of every owner in the page's table of phases."""
    section = page.split('id="h-phases"', 1)[1].split('id="h-whole"', 1)[0]
    found = set()
    for phase, cell in re.findall(r'<th scope="row" title="[^"]*">([^<]+)</th>\s*<td>(.*?)</td>',
                                  section, flags=re.S):
        for org, role, holder in re.findall(
                r'<div class="owner">(.*?) · (.*?) · <code>(.*?)</code>', cell):
            found.add((phase, org, role, holder))
    return found


def test_the_date_control_changes_the_owners(app, graph):
    client = signed_in(app, "zora")
    case = "FX-008"
    assert case in assigned(graph, "zvhrr")
    whole = responsibilities(graph, case)
    assert whole.start and whole.end
    seen = {}
    for day in (whole.start + timedelta(days=10), whole.start + timedelta(days=45), whole.end):
        page = client.get(f"/cases/{case}", params={"at": day.isoformat()}).text
        answer = responsibilities(graph, case, at=day).as_dict()
        expected = {(phase_name(p["notation"], p["label"], "en"), h["organisation_label"],
                     h["role_label"], h["holder"]) for p in answer["phases"] for h in p["owners"]}
        assert expected and _owners(page) == expected, day
        assert f'name="at" type="date" value="{day.isoformat()}"' in page
        seen[day] = frozenset(expected)
    assert len(set(seen.values())) > 1, "the owners never changed"


def test_the_case_page_shows_gaps_overlaps_timeline_raci_and_escalation(app, graph):
    client = signed_in(app, "zora")
    page = client.get("/cases/FX-008?at=2022-03-01").text
    answer = responsibilities(graph, "FX-008", at="2022-03-01").as_dict()
    overlaps = [f for f in answer["findings"] if f["kind"] == "overlap"]
    assert overlaps
    assert page.count('<tr class="overlap">') == len(overlaps)
    svg = page.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert 'class="tl-bar tl-overlap' in svg and "tl-at" in svg
    for org in ("police", "ZVHRR", "VTRR"):
        assert f">{org}<title>" in svg, org
    assert 'class="raci"' in page and text("raci.legend", "en") in page
    for step in answer["escalation"]:
        assert step["role_label"] in page


def test_pages_are_in_dutch_when_the_browser_asks_and_switch_on_request(app):
    client = signed_in(app, "zora")
    dutch = client.get("/cases", headers={"accept-language": "nl-NL,nl;q=0.9,en;q=0.5"}).text
    assert '<html lang="nl">' in dutch and text("web.cases.title", "nl") in dutch
    assert 'href="/cases?lang=en"' in dutch
    english = client.get("/audit?lang=en", headers={"accept-language": "nl"}).text
    assert '<html lang="en">' in english
    # the choice is kept in the session
    assert '<html lang="en">' in client.get("/cases", headers={"accept-language": "nl"}).text


def test_audit_downloads_parse_and_agree_with_the_audit(app, graph, book):
    client = signed_in(app, "zora")
    mine = assigned(graph, "zvhrr")
    expected = sum(1 for f in book.report.findings if f.case in mine)
    rows = list(csv.DictReader(io.StringIO(client.get("/audit.csv").text)))
    assert sum(int(r["findings"]) for r in rows if not r["organisation"]) == expected
    data = json.loads(client.get("/audit.json").content)
    assert sum(row["findings"] for row in data["counts"]) == expected
    assert {c for row in data["counts"] for c in row["cases"]} <= mine


@pytest.mark.parametrize(("path", "status", "key"), [
    ("/cases/FX-001?at=2021-13-01", 400, "bad_date"),
    ("/cases/FX-001?at=yesterday", 400, "bad_date"),
    ("/cases?page=0", 400, "bad_parameter"),
    ("/cases?page=99", 404, "no_page"),
    ("/cases?sort=colour", 400, "bad_parameter"),
    ("/cases?organisation=atlantis", 400, "bad_parameter"),
    ("/audit?severity=loud", 400, "bad_parameter"),
    ("/audit.csv?rule=no-such-rule", 400, "bad_parameter"),
    ("/no/such/page", 404, "not_found"),
    ("/cases/NO-SUCH-CASE", 404, "no_case"),
])
def test_bad_requests_get_one_sentence_in_the_users_language(app, path, status, key):
    client = signed_in(app, "zora")
    said = {}
    for lang in ("en", "nl"):
        answer = client.get(path, headers={"accept-language": lang})
        assert answer.status_code == status
        assert "Traceback" not in answer.text
        said[lang] = html.unescape(sentence(answer.text))
        words = max(re.split(r"\{[^}]*\}", text(f"web.error.{key}", lang)), key=len)
        assert words in said[lang], (lang, said[lang])
    assert said["en"] != said["nl"]


def test_pages_load_nothing_from_elsewhere(app):
    client = signed_in(app, "zora")
    for path in ("/cases", "/cases/FX-001", "/audit"):
        answer = client.get(path)
        assert "default-src 'none'" in answer.headers["content-security-policy"]
        for url in re.findall(r'(?:src|href)="([^"]+)"', answer.text):
            assert url.startswith(("/", "#")), url
    for name in ("web.css", "web.js", "favicon.svg"):
        assert client.get(f"/static/{name}").status_code == 200


# ---------------------------------------------------------------------------- more pages


def test_query_results_hold_only_the_users_cases(app, graph):
    client = signed_in(app, "wout")
    mine = assigned(graph, "wijkteams")
    other = sorted(set(case_ids(graph)) - mine)[0]
    listing = client.get("/queries").text
    for name in ("cases", "phase-owners", "cases-led-by", "figures"):
        assert f'action="/queries/{name}"' in listing, name
    rows = list(csv.DictReader(io.StringIO(client.get("/queries/cases?format=csv").text)))
    assert {r["case"] for r in rows} == mine
    data = json.loads(client.get("/queries/phase-owners", params={
        "case": other, "format": "json"}).content)
    assert data["results"]["bindings"] == []
    led = client.get("/queries/cases-led-by", params={"organisation": "org-politie",
                                                     "format": "csv"}).text
    assert {r["case"] for r in csv.DictReader(io.StringIO(led))} <= mine
    assert client.get("/queries/cases-by-id").status_code == 404  # internal queries are not shown
    answer = client.get("/queries/figures", params={"year": "last year"})
    assert answer.status_code == 400 and "Traceback" not in answer.text


def test_the_chain_role_gets_no_case_or_person_from_a_query(app):
    client = signed_in(app, "kees")
    for name, params in (("cases", {}), ("cases-led-by", {"organisation": "org-politie"}),
                         ("figures", {})):
        page = client.get(f"/queries/{name}", params=params).text
        assert not re.search(r"P-[A-Z0-9]{5}|FX-\d{3}", page.split('class="count"', 1)[1]), name
    figures = client.get("/queries/figures?format=csv").text
    assert len(figures.splitlines()) > 10


def test_collaboration_shows_the_partners_of_an_organisation_in_the_users_cases(app, graph):
    client = signed_in(app, "zora")
    mine = assigned(graph, "zvhrr")
    page = client.get("/collaboration").text
    assert page.count('class="co-org') >= 3
    chosen = client.get("/collaboration", params={"organisation": "politie"}).text
    assert 'class="co-org on"' in chosen
    assert listed(chosen) <= mine and listed(chosen)
    assert client.get("/collaboration?organisation=atlantis").status_code == 400


def test_monitor_has_a_chart_per_indicator(app, graph):
    from chaingraph.monitor import figures

    page = signed_in(app, "kees").get("/monitor?lang=nl").text
    table = figures(graph, lang="nl")
    assert table.rows and page.count('class="chart-bars"') == len(table.rows)
    assert page.count('<g class="ch-bar') == sum(len(r.values) for r in table.rows)


@pytest.mark.parametrize("day", ["1900-01-01", "9999-12-31"])
def test_a_day_far_from_the_case_is_answered_with_a_note(app, day):
    answer = signed_in(app, "zora").get("/cases/FX-001", params={"at": day})
    assert answer.status_code == 200
    assert 'class="tl-at"' not in answer.text and '<p class="note">' in answer.text


CASES_QUERY = """PREFIX cg: <https://w3id.org/chaingraph/ontology#>
SELECT ?id WHERE { ?c a cg:Case ; cg:caseId ?id }"""


def test_sparql_reads_only_the_users_cases(app, graph):
    client = signed_in(app, "zora")
    assert 'id="query" name="query"' in client.get("/sparql").text
    data = json.loads(client.get("/sparql", params={"query": CASES_QUERY}).content)
    assert {b["id"]["value"] for b in data["results"]["bindings"]} == assigned(graph, "zvhrr")
    posted = client.post("/sparql", content=CASES_QUERY.encode(),
                         headers={"content-type": "application/sparql-query",
                                  "accept": "text/csv"})
    assert set(posted.text.split()[1:]) == assigned(graph, "zvhrr")
    count = "PREFIX cg: <https://w3id.org/chaingraph/ontology#> ASK { ?c cg:caseId 'FX-003' }"
    assert json.loads(client.get("/sparql", params={"query": count}).content)["boolean"] is False


@pytest.mark.parametrize("query", [
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "SELECT * WHERE { SERVICE <http://elsewhere.example/sparql> { ?s ?p ?o } }",
    "SELECT * FROM <http://elsewhere.example/data.ttl> WHERE { ?s ?p ?o }",
    "SELECT * WHERE { ?s ?p",
])
def test_sparql_refuses_updates_and_anything_that_fetches(app, query):
    answer = signed_in(app, "zora").get("/sparql", params={"query": query})
    assert answer.status_code == 400 and "Traceback" not in answer.text


def test_sparql_for_the_chain_role_holds_no_case_and_no_person(app):
    client = signed_in(app, "kees")
    everything = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
    data = client.get("/sparql", params={"query": everything, "format": "csv"}).text
    assert len(data.splitlines()) > 1000
    assert "/case/" not in data and "/person/" not in data
    assert not re.search(r"\bP-[A-Z0-9]{5}\b", data)


def test_a_query_about_a_case_is_in_the_access_log(app, graph, users_file):
    log = users_file.with_name("access.jsonl")
    before = log.read_text().count("\n") if log.exists() else 0
    other = sorted(set(case_ids(graph)) - assigned(graph, "zvhrr"))[0]
    signed_in(app, "zora").get("/queries/phase-owners", params={"case": other})
    lines = [json.loads(line) for line in log.read_text().splitlines()[before:]]
    assert [(e["user"], e["case"], e["shown"]) for e in lines] == [("zora", other, False)]


@pytest.mark.parametrize("path", ["/cases", "/cases/FX-005", "/cases/FX-008?at=2022-03-01",
                                  "/audit", "/collaboration?organisation=politie", "/monitor",
                                  "/cases/NO-SUCH-CASE", "/cases?page=x"])
def test_dutch_pages_have_no_english(book, tmp_path, path):
    from test_dutch import english_in  # the suite's own check of Dutch output

    client = TestClient(create_app(book, open_mode=True, access_log=tmp_path / "a.jsonl"),
                        headers={"accept-language": "nl"})
    body = client.get(path).text.split("<body>", 1)[1]
    body = re.sub(r"<svg.*?</svg>", " ", body, flags=re.S)  # the pictures: checked below
    visible = re.sub(r"<[^>]+>", " ", body)
    assert english_in(visible) == [], path
    pictures = " ".join(re.findall(r"<text[^>]*>([^<]*)<", client.get(path).text))
    assert english_in(pictures) == [], path


# --- on a persistent store: the stored index, a change seen, /sparql in the store ------


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    from chaingraph.backends import load_store

    directory = tmp_path_factory.mktemp("store") / "store"
    load_store([], directory, progress=False)
    return directory


@pytest.fixture(scope="module")
def store_app(store, users_file):
    from chaingraph.backends import open_store

    book = CaseBook(open_store(store, read_only=True), store=store)
    book.refresh_every = 0.0
    return create_app(book, users=users_file, access_log=users_file.with_name("s.jsonl"),
                      throttle=auth.Throttle(base=0.0), query_seconds=10)


def test_a_store_keeps_its_index_beside_it_and_a_restart_reads_it(store, store_app, graph):
    from chaingraph.backends import open_store
    from chaingraph.web.index import index_path

    path = index_path(store)
    assert path.is_file() and path.parent == store.parent
    made = path.stat().st_mtime_ns
    again = CaseBook(open_store(store, read_only=True), store=store)
    assert path.stat().st_mtime_ns == made  # read, not made again
    assert again.ids() == set(case_ids(graph))
    client = signed_in(store_app, "zora")
    assert listed(client.get("/cases").text) == assigned(graph, "zvhrr")
    page = client.get("/audit").text
    assert "<table" in page and "FX-" in page


def test_a_start_on_a_later_day_makes_that_days_audit_not_the_kept_one(tmp_path, graph):
    """The kept index holds the audit of the day it was made; running cases have run on
    since, so a start on another day audits again (and says so: must_build)."""
    from datetime import date

    from chaingraph.backends import load_store, open_store
    from chaingraph.web.index import index_path

    directory = tmp_path / "store"
    load_store([], directory, progress=False)
    first = CaseBook(open_store(directory, read_only=True), store=directory)
    assert first.at == date.today() and CaseBook.must_build(directory) is None
    later = date.today() + timedelta(days=400)
    made = index_path(directory).stat().st_mtime_ns
    again = CaseBook(open_store(directory, read_only=True), store=directory, today=later)
    assert again.at == later and index_path(directory).stat().st_mtime_ns != made
    assert again.ids() == set(case_ids(graph))
    assert CaseBook.must_build(directory) == index_path(directory)  # today's is not kept now


@pytest.mark.parametrize("on", ["memory", "store"])
def test_a_running_app_makes_the_new_days_audit_while_it_shows_the_last(on, graph, monkeypatch,
                                                                       users_file, tmp_path):
    """After midnight the pages go on (with the last audit, saying the new one is being made)
    while a thread makes the new day's; the next page after it is done shows it (on a store,
    with the new day's index kept beside it)."""
    from datetime import date

    from chaingraph.backends import load_store, open_store
    from chaingraph.web import cases
    from chaingraph.web.index import index_path

    if on == "store":
        load_store([], tmp_path / "store", progress=False)
        book = CaseBook(open_store(tmp_path / "store", read_only=True), store=tmp_path / "store")
    else:
        book = CaseBook(graph)
    book.refresh_every = 0.0
    today = date.today()
    assert book.live and book.at == today and not book.refresh()
    tomorrow = today + timedelta(days=1)

    class NextDay(date):
        @classmethod
        def today(cls) -> NextDay:
            return cls.fromordinal(tomorrow.toordinal())

    monkeypatch.setattr(cases, "date", NextDay)
    client = signed_in(create_app(book, users=users_file, access_log=users_file.with_name(
        "day.jsonl"), throttle=auth.Throttle(base=0.0)), "zora")
    while_made = client.get("/audit").text
    assert book.making == tomorrow and book.at == today
    assert (f"The audit of {tomorrow.isoformat()} is being made" in while_made
            and f"those of the audit of {today.isoformat()}" in while_made)
    for _ in range(600):  # the thread: seconds for the example cases
        if book._next is not None:
            break
        time.sleep(0.1)
    page = client.get("/audit").text
    assert book.today == tomorrow and book.at == tomorrow and book.making is None
    assert tomorrow.isoformat() in page and "is being made" not in page
    assert book.ids() == set(case_ids(graph))
    if on == "store":
        assert book.index.meta()["today"] == tomorrow.isoformat()
        assert book.index.path == index_path(tmp_path / "store")
    assert not book.refresh()  # once a day
    fixed = CaseBook(graph, today=today)  # a day given is kept: tests, a chosen day
    assert not fixed.live and not fixed.refresh()


def test_a_new_days_audit_that_cannot_be_made_leaves_the_last_and_says_why(graph, monkeypatch,
                                                                           users_file):
    from datetime import date

    from chaingraph.web import cases

    book = CaseBook(graph)
    book.refresh_every = 0.0
    today, tomorrow = date.today(), date.today() + timedelta(days=1)

    class NextDay(date):
        @classmethod
        def today(cls) -> NextDay:
            return cls.fromordinal(tomorrow.toordinal())

    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("the disk went away")

    monkeypatch.setattr(cases, "date", NextDay)
    monkeypatch.setattr(cases, "_read_cases", broken)
    client = signed_in(create_app(book, users=users_file, access_log=users_file.with_name(
        "broken.jsonl"), throttle=auth.Throttle(base=0.0)), "zora")
    client.get("/audit")
    for _ in range(600):
        if book._next is not None:
            break
        time.sleep(0.1)
    page = html.unescape(client.get("/audit").text)
    assert book.at == today and book.making is None and book.today == tomorrow
    assert (f"The audit of {tomorrow.isoformat()} could not be made, so the findings shown are "
            f"those of the audit of {today.isoformat()}") in page
    assert "RuntimeError: the disk went away" in page and "Traceback" not in page
    assert not book.refresh()  # not tried again until the next day


def test_no_whole_index_of_the_old_day_is_made_while_the_new_days_is(tmp_path, monkeypatch,
                                                                       graph):
    """A load while the new day's book is being made would otherwise write the old day's
    index over the file the new book reads; it is taken in after that book is shown."""
    from datetime import date

    from chaingraph.backends import load_store, open_store
    from chaingraph.graph import case_files
    from chaingraph.web import cases
    from chaingraph.web.index import index_path

    directory = tmp_path / "store"
    load_store([], directory, progress=False)
    book = CaseBook(open_store(directory, read_only=True), store=directory)
    book.refresh_every = 0.0
    monkeypatch.setattr(cases, "MOST_CHANGED", -1)  # every change makes the index whole
    made = index_path(directory).stat().st_mtime_ns
    load_store([next(p for p in case_files() if p.stem == "FX-001")], directory,
               progress=False)
    book.making = date.today() + timedelta(days=1)  # as _begin_day sets it
    assert not book.refresh() and index_path(directory).stat().st_mtime_ns == made
    book.making = None
    assert book.refresh() and index_path(directory).stat().st_mtime_ns != made
    assert book.ids() == set(case_ids(graph))


def test_a_case_written_to_the_store_shows_at_the_next_request(store, store_app, graph, tmp_path):
    from chaingraph.backends import write_cases
    from chaingraph.graph import case_files

    client = signed_in(store_app, "zora")
    first = sorted(assigned(graph, "zvhrr"))[0]
    assert "FX-901" not in listed(client.get("/cases").text)
    source = next(p for p in case_files() if p.stem == first).read_text(encoding="utf-8")
    copy = tmp_path / "FX-901.ttl"
    copy.write_text(source.replace(first, "FX-901"), encoding="utf-8")
    from chaingraph.web.index import index_path

    before = index_path(store).stat().st_ino
    write_cases(store, Graph().parse(copy))
    assert "FX-901" in listed(client.get("/cases").text)
    # the store's history named the one case written: the index was changed, not made again
    assert index_path(store).stat().st_ino == before
    assert client.get("/cases/FX-901").status_code == 200
    assert signed_in(store_app, "wout").get("/cases/FX-901").status_code == \
        (200 if first in assigned(graph, "wijkteam") else 404)


def test_sparql_on_a_store_reads_only_the_users_case_graphs(store_app, graph):
    query = ("PREFIX cg: <https://w3id.org/chaingraph/ontology#> "
             "SELECT DISTINCT ?id WHERE { { ?c cg:caseId ?id } UNION "
             "{ GRAPH ?g { ?c cg:caseId ?id } } }")
    client = signed_in(store_app, "zora")
    answer = client.get("/sparql", params={"query": query},
                        headers={"accept": "application/sparql-results+json"})
    assert answer.status_code == 200, answer.text
    ids = {b["id"]["value"] for b in answer.json()["results"]["bindings"]}
    assert ids - {"FX-901"} == assigned(graph, "zvhrr")
    plain = ("PREFIX cg: <https://w3id.org/chaingraph/ontology#> "
             "SELECT ?id WHERE { ?c cg:caseId ?id }")
    chain = signed_in(store_app, "kees").get("/sparql", params={"query": plain})
    assert chain.status_code == 200, chain.text
    assert chain.json()["results"]["bindings"] == []


def test_a_sparql_query_that_runs_too_long_is_stopped(book, users_file):
    app = create_app(book, users=users_file, access_log=users_file.with_name("t.jsonl"),
                     throttle=auth.Throttle(base=0.0), query_seconds=0.5)
    client = signed_in(app, "zora")
    endless = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    answer = client.get("/sparql", params={"query": endless})
    assert answer.status_code == 503
    assert text("web.error.sparql_slow", "en", seconds=0.5) in html.unescape(answer.text)


# --- the forms: intake, handover, closing, written to the store -------------------------


def _fields(page: str) -> tuple[set[str], set[str]]:
    """The ids of the form's inputs and selects, and the ids its labels are for."""
    ids = set(re.findall(r'<(?:input|select) id="([^"]+)"', page))
    return ids, set(re.findall(r'<label for="([^"]+)"', page))


def _post(client: TestClient, path: str, **data: str):
    return client.post(path, data={"csrf": csrf(client, path), **data}, follow_redirects=False)


def test_a_case_is_taken_in_handed_over_and_closed_through_the_forms(store_app, store):
    from chaingraph.backends import open_store
    from chaingraph.cases.read import read_case
    from chaingraph.web.forms import options

    zora = signed_in(store_app, "zora")
    page = zora.get("/cases/new").text
    ids, labelled = _fields(page)
    assert ids and ids <= labelled
    assert 'href="/cases/new"' in zora.get("/cases").text
    assert zora.post("/cases/new", data={"csrf": "forged"}).status_code == 403
    phase, role = options("phase", "en")[0][0], options("role", "en")[0][0]
    risk = options("risk", "en")[0][0]
    wrong = _post(zora, "/cases/new?lang=nl", id="ZV-NEW-1", start="31-02-2024", risk=risk,
                  phase=phase, role=role, holder="Jan Jansen")
    assert wrong.status_code == 200  # the form again, each mistake next to its field
    said = html.unescape(wrong.text)
    assert text("web.form.bad_date", "nl", value="31-02-2024") in said
    assert text("web.form.bad_pseudonym", "nl", value="Jan Jansen") in said
    assert 'aria-invalid="true"' in wrong.text
    made = _post(zora, "/cases/new?lang=en", id="ZV-NEW-1", start="2024-01-10", risk=risk,
                 phase=phase, role=role, holder="P-NEW01")
    assert made.status_code == 303 and made.headers["location"] == "/cases/ZV-NEW-1"
    assert "ZV-NEW-1" in listed(zora.get("/cases").text)
    again = _post(zora, "/cases/new", id="ZV-NEW-1", start="2024-01-10", risk=risk,
                  phase=phase, role=role, holder="P-NEW01")
    assert text("web.form.case_exists", "en", case="ZV-NEW-1") in html.unescape(again.text)
    wout = signed_in(store_app, "wout")  # another organisation: the case is not there for it
    assert wout.get("/cases/ZV-NEW-1/handover").status_code == 404
    assert wout.get("/cases/ZV-NEW-1/close").status_code == 404
    from chaingraph.web.access import AccessLog

    logged = AccessLog(store_app.state.settings.access.path).entries()
    assert {"user": "wout", "case": "ZV-NEW-1", "shown": False}.items() <= logged[-1].items()

    handed = _post(zora, "/cases/ZV-NEW-1/handover", role=role, to="P-NEW02", on="2024-02-01")
    assert handed.status_code == 303, handed.text
    outside = _post(zora, "/cases/ZV-NEW-1/close", end="2023-12-31")
    assert outside.status_code == 200 and 'id="f-end-error"' in outside.text
    closed = _post(zora, "/cases/ZV-NEW-1/close", end="2024-03-01")
    assert closed.status_code == 303
    case = read_case(open_store(store, read_only=True), "ZV-NEW-1")
    assert case.end is not None and case.end.isoformat() == "2024-03-01"
    assert {a.holder for a in case.owners} == {"P-NEW01", "P-NEW02"}
    assert max(a.end for a in case.owners if a.holder == "P-NEW01").isoformat() == "2024-01-31"

    # the index was changed for this case alone; it holds what one made afresh would
    from chaingraph.web.index import Index, index_path

    def rows(index: Index) -> dict[str, list[tuple]]:
        return {t: sorted(index.rows(f"SELECT * FROM {t}")) for t in
                ("cases", "phases", "members", "ownerships", "dash", "partners")} | {
            "findings": sorted(index.rows("SELECT case_id, rule, phase, severity FROM findings")),
            "trend": sorted(index.rows("SELECT * FROM trend WHERE running OR with_findings"))}

    kept = rows(Index(index_path(store)))
    assert kept["cases"] and any(r[0] == "ZV-NEW-1" for r in kept["cases"])
    index_path(store).unlink()
    made = rows(CaseBook(open_store(store, read_only=True), store=store).index)
    assert kept == made


def test_forms_are_refused_on_read_only_data_and_for_the_chain_role(app, store_app):
    client = signed_in(app, "zora")  # the app on the bundled files
    page = client.get("/cases/new")
    assert text("web.form.read_only", "en") in html.unescape(page.text)
    assert "<form class=\"record\"" not in page.text
    assert _post(client, "/cases/new", id="X-1").status_code == 409
    assert 'href="/cases/new"' not in client.get("/cases").text
    kees = signed_in(store_app, "kees")
    assert text("web.form.members_only", "en") in html.unescape(kees.get("/cases/new").text)


# --- the index answers as the cases in memory do ------------------------------------------


@pytest.mark.parametrize("name", ["zora", "wout", "kees"])
def test_the_index_pages_and_counts_as_the_cases_in_memory(book, users_file, name):
    from chaingraph.web.cases import (
        AUDIT_STATES,
        CASE_STATES,
        SORTS,
        by_month,
        by_rule_phase_organisation,
        ordered,
        select,
    )

    user = read_users(users_file)[name]
    visible = book.visible(user)
    assert visible or name == "kees"  # the chain role opens no case
    orgs = sorted({o for e in visible for o in e.organisations})
    rules = sorted({f.rule for e in visible for f in e.findings})
    cases = [(None, None, None, None), *((None, s, None, None) for s in CASE_STATES),
             *((None, None, a, None) for a in AUDIT_STATES),
             *((o, None, None, None) for o in orgs[:3]),
             *((None, None, None, r) for r in rules[:3])]
    for org, state, audit, rule in cases:
        chosen = select(visible, today=book.today, organisation=org, state=state, audit=audit,
                        rule=rule)
        for sort in SORTS:
            for down in (False, True):
                total, shown = book.page(user, organisation=org, state=state, audit=audit,
                                         rule=rule, sort=sort, descending=down, offset=2,
                                         limit=7)
                expected = ordered(chosen, sort, descending=down)[2:9]
                assert total == len(chosen)
                assert [e.id for e in shown] == [e.id for e in expected], (sort, down, org)
    board = book.dashboard(user)
    summed: dict[tuple[str, str], dict[str, int]] = {}
    for (rule, phase, _), row in board.counts.items():
        into = summed.setdefault((rule, phase), {})
        for org, n in row.items():
            into[org] = into.get(org, 0) + n
    counted = book.counted(user)
    assert sorted(book.partners(user)) == sorted({o for e in counted for o in e.organisations})
    assert summed == by_rule_phase_organisation(counted)
    assert board.months == by_month(counted, today=book.today)
    assert board.cases == len(counted)
    if orgs:
        chosen_org = [e for e in counted if orgs[0] in e.organisations]
        narrowed = book.dashboard(user, organisation=orgs[0])
        assert narrowed.cases == len(chosen_org)
        assert narrowed.months == by_month(chosen_org, today=book.today)


# --- the audit of a chosen day; the first start on a store ----------------------------------


def _shown_findings(page: str) -> list[tuple[str, str]]:
    """(rule, message) of every finding in a case page's section of findings."""
    section = page.split('id="h-findings"', 1)[1].split("</section>", 1)[0]
    return [(rule, html.unescape(message)) for rule, message in re.findall(
        r'<code>([^<]+)</code></h3>\s*<p>(.*?)</p>', section, flags=re.S)]


@pytest.mark.parametrize("which", ["app", "store_app"])
def test_the_case_page_on_a_day_shows_the_audit_of_that_day(which, request, graph):
    """A finding that arises on a known day (a gap that begins then) is not on the case page
    of the day before, and is on it as of today; on every day the page shows what an audit
    of the whole data on that day finds in that case."""
    from datetime import date

    from chaingraph.audit import audit_compiled

    app = request.getfixturevalue(which)
    book = app.state.settings.book
    dated = [(f, name) for f in book.report.findings if f.start and f.case
             for name, org in (("zora", "zvhrr"), ("wout", "wijkteam"))
             if f.case in assigned(graph, org)]
    assert dated, "no finding with a start day in a case a test user sees"
    finding, name = dated[0]
    client = signed_in(app, name)
    begins = date.fromisoformat(finding.start)
    before = begins - timedelta(days=1)
    today = _shown_findings(client.get(f"/cases/{finding.case}").text)
    assert (finding.rule, finding.message) in today
    for day in (before, begins):
        page = client.get(f"/cases/{finding.case}", params={"at": day.isoformat()}).text
        expected = audit_compiled(graph, at=day, workers=1).findings  # every case, that day
        assert sorted(_shown_findings(page)) == sorted(
            (f.rule, f.message) for f in expected if f.case == finding.case), day
        assert text("web.case.findings", "en", day=day.isoformat()) in html.unescape(page)
    page = client.get(f"/cases/{finding.case}", params={"at": before.isoformat()}).text
    assert finding.rule not in {rule for rule, _ in _shown_findings(page)}


def test_the_first_start_on_a_store_audits_it_as_the_audit_command_and_says_so(
        graph, tmp_path, monkeypatch, capsys):
    """A store is indexed with the audit ``chaingraph audit --store DIR`` runs (its workers
    reading the store), with the same cases and findings as the audit of the data in memory;
    serve says on the first start why it takes time and where the index is kept."""
    import uvicorn

    from chaingraph import audit as audit_module
    from chaingraph.backends import load_store, open_store
    from chaingraph.web.index import index_path

    store = tmp_path / "store"
    load_store([], store, progress=False)
    calls = []
    real = audit_module.audit_compiled

    def spy(*args, **kwargs):
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(audit_module, "audit_compiled", spy)
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: None)
    assert main(["serve", "--store", str(store), "--open"]) == 0
    said = capsys.readouterr().err
    assert text("cli.serve.first_start", "en", path=index_path(store)) in said
    assert [str(c.get("location")) for c in calls] == [str(store)]
    assert calls[0].get("workers") is None  # every core, as the audit command

    assert main(["serve", "--store", str(store), "--open"]) == 0  # the index is kept
    assert text("cli.serve.first_start", "en", path=index_path(store)) not in \
        capsys.readouterr().err
    assert len(calls) == 1

    on_store = CaseBook(open_store(store, read_only=True), store=store)
    in_memory = CaseBook(graph)
    assert on_store.report.findings and sorted(on_store.report.findings, key=repr) == \
        sorted(in_memory.report.findings, key=repr)
    assert sorted(on_store.report.cases) == sorted(in_memory.report.cases)
    for case_id, entry in in_memory.cases.items():
        got = on_store.cases[case_id]
        assert (got.iri, got.start, got.end, got.risk, got.phases, got.organisations,
                sorted(got.ownerships, key=repr)) == \
            (entry.iri, entry.start, entry.end, entry.risk, entry.phases, entry.organisations,
             sorted(entry.ownerships, key=repr)), case_id
