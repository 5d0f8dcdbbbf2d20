"""The console's pages over real HTTP semantics (the ASGI app in process, a clock the test
advances): roles on every page and action, the release form and its decision, the timeline, an
audit entry's proof, the outbox, the register's forms, users and tokens, markings, and no input
that gives a server error. Sign-in and sessions: test_console_sign_in.py."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from accord.node.messaging import MAX_BODY
from accord.web.pages import router
from tests.support.api import gsomia
from tests.support.console import RELEASE, Console, csrf, token_code


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_each_role_sees_its_pages_and_is_refused_the_others(console: Console) -> None:
    pages = {"/": True, "/register": True, "/register/timeline?nation=PAK": True}
    allowed = {
        "alice": {"/release": True, "/audit": False, "/audit/entries/0": False},
        "audrey": {"/release": False, "/audit": True},
        "olga": {"/release": False, "/audit": False},
    }
    for name, extra in allowed.items():
        client = console.client()
        console.sign_in(client, name)
        home = client.get("/").text
        assert ('href="/release"' in home) is extra["/release"]
        assert ('href="/audit"' in home) is extra["/audit"]
        for path, ok in (pages | extra).items():
            status = client.get(path).status_code
            assert status == (200 if ok else 403), (name, path, status)
        if not extra["/release"]:
            forced = client.post("/release", data=RELEASE | {"label": "UNCLASSIFIED",
                                 "csrf": csrf(client)})  # fmt: skip
            assert forced.status_code == 403
    # Outbox counts are for the roles that oversee the outbox: an officer's view is by label.
    officer, operator = console.client(), console.client()
    console.sign_in(officer, "alice")
    console.sign_in(operator, "olga")
    assert "delivered in the last day" not in officer.get("/").text
    assert "delivered in the last day" in operator.get("/").text


def test_a_release_is_permitted_or_refused_with_its_reasons(console: Console) -> None:
    client = console.client()
    console.sign_in(client, "alice")
    token = csrf(client)
    preview = client.post("/release/preview", data=RELEASE | {"label": "SECRET//REL TO USA, PAK",
                          "csrf": token})  # fmt: skip
    assert "Refused" in preview.text
    assert "classification-equivalence" in preview.text
    refused = client.post("/release", data=RELEASE | {"label": "SECRET//REL TO USA, PAK",
                          "csrf": token})  # fmt: skip
    assert refused.status_code == 403
    assert "Refused" in refused.text
    assert "SECRET information needs an agreement in force providing classification" in (
        refused.text
    )
    permitted = client.post("/release", data=RELEASE | {"label": "UNCLASSIFIED", "csrf": token})
    assert permitted.status_code == 201
    assert "Permitted" in permitted.text
    # The page shows an UNCLASSIFIED message: its banner is UNCLASSIFIED, green.
    assert '<div class="marking marking-green" id="marking-top"' in permitted.text
    bad = client.post("/release", data=RELEASE | {"label": "UNCLASSIFIED", "recipient": "XYZ",
                      "csrf": token})  # fmt: skip
    assert bad.status_code == 422
    assert "XYZ" in bad.text
    # An officer may not release what they may not read.
    low = console.client()
    console.sign_in(low, "connie")
    above = low.post("/release", data=RELEASE | {"label": "SECRET//REL TO USA, PAK",
                     "csrf": csrf(low)})  # fmt: skip
    assert above.status_code == 422
    assert "may not release what they may not read" in above.text


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_timeline_is_an_svg_with_a_today_line(console: Console) -> None:
    client = console.client()
    console.sign_in(client, "olga")
    page = client.get("/register/timeline?nation=PAK")
    assert "<svg" in page.text
    assert "pak-usa-cismoa (CISMOA)" in page.text
    assert 'class="today"' in page.text
    assert "lapsed from 2020-" in page.text  # the lapse is a bar with its dates
    assert client.get("/register/timeline?nation=XX").status_code == 422


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_audit_entry_shows_its_proof_verified(console: Console) -> None:
    officer, auditor = console.client(), console.client()
    console.sign_in(officer, "alice")
    officer.post("/release", data=RELEASE | {"label": "UNCLASSIFIED", "csrf": csrf(officer)})
    console.sign_in(auditor, "audrey")
    entry = auditor.get("/audit/entries/0")
    assert entry.status_code == 200
    assert "the proof verified against the signed checkpoint" in entry.text
    assert 'id="browser-check"' in entry.text
    assert auditor.get("/audit/entries/99").status_code == 404


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_outbox_pages_and_shows_only_what_the_officer_may_read(
    console: Console, monkeypatch: pytest.MonkeyPatch
) -> None:
    console.services.register.import_document(
        json.dumps(gsomia("USA", "PAK", "2024-01-15")).encode(), "json", limit=1 << 20, actor="t"
    )
    alice, connie, auditor, operator = (console.client() for _ in range(4))
    console.sign_in(alice, "alice")
    token = csrf(alice)
    sent = []
    for label in ("UNCLASSIFIED", "SECRET//REL TO USA, PAK", "UNCLASSIFIED"):
        page = alice.post("/release", data=RELEASE | {"label": label, "csrf": token})
        assert page.status_code == 201, page.text[-800:]
        sent.append(token_code(page.text))
        console.clock.advance(dt.timedelta(seconds=1))
    listed = alice.get("/outbox").text
    assert all(m in listed for m in sent)
    assert "SECRET - RELEASABLE TO PAK, USA" not in listed  # the USA policy writes the marking
    assert "SECRET//REL TO USA, PAK" in listed
    assert 'class="marking marking-red" id="marking-top"' in listed  # the highest shown
    assert alice.get("/outbox?state=queued").status_code == 200
    assert alice.get("/outbox?state=lost").status_code == 422
    assert alice.get(f"/outbox/{sent[0]}").status_code == 200
    # A CONFIDENTIAL officer sees neither the SECRET message nor that it exists.
    console.sign_in(connie, "connie")
    low = connie.get("/outbox").text
    assert sent[0] in low
    assert sent[1] not in low
    assert connie.get(f"/outbox/{sent[1]}").status_code == 404
    assert 'class="marking marking-green" id="marking-top"' in low
    # Pages of two, newest first: the link to older messages goes on where the page ended.
    monkeypatch.setattr("accord.web.message_pages.PAGE_SIZE", 2)
    first = alice.get("/outbox").text
    assert sent[2] in first
    assert sent[0] not in first
    older = re.search(r'href="(/outbox\?state=&amp;before=[^"]+)"', first)
    assert older
    second = alice.get(older[1].replace("&amp;", "&")).text
    assert sent[0] in second
    assert sent[2] not in second
    assert alice.get("/outbox?before=nonsense").status_code == 422
    # Auditors see the outbox; operators do not.
    console.sign_in(auditor, "audrey")
    assert sent[1] in auditor.get("/outbox").text
    console.sign_in(operator, "olga")
    assert operator.get("/outbox").status_code == 403
    assert operator.get("/inbox").status_code == 403


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_operator_records_a_suspension_and_the_channel_closes(console: Console) -> None:
    operator, officer = console.client(), console.client()
    console.sign_in(operator, "olga")
    matrix = operator.get("/register/channels").text
    assert re.search(r'class="open" id="cell-PAK-secure-communications">open<br>'
                     r'<span class="through">pak-usa-cismoa', matrix)  # fmt: skip
    token = csrf(operator)
    page = "/register/agreements/pak-usa-cismoa"
    assert 'id="record-form"' in operator.get(page).text
    bad = operator.post(f"{page}/events", data={"csrf": token, "kind": "suspended",
                        "date": "2024-13-01"})  # fmt: skip
    assert bad.status_code == 422
    assert "2024-13-01" in bad.text
    done = operator.post(f"{page}/events", data={"csrf": token, "kind": "suspended",
                         "date": "2024-05-15", "source": "https://example.org/s",
                         "note": "suspended pending review"}, follow_redirects=False)  # fmt: skip
    assert done.status_code == 303
    shown = operator.get(page).text
    assert 'id="agreement-status">suspended<' in shown
    assert "suspended pending review" in shown
    closed = operator.get("/register/channels").text
    assert 'class="closed" id="cell-PAK-secure-communications"' in closed
    earlier = operator.get("/register/channels?on=2024-05-01").text
    assert 'class="open" id="cell-PAK-secure-communications"' in earlier
    assert operator.get("/register/channels?on=someday").status_code == 422
    assert operator.get("/register/agreements/no-such").status_code == 404
    # Officers read the register but record nothing; a form without its token is refused.
    console.sign_in(officer, "alice")
    assert 'id="record-form"' not in officer.get(page).text
    forced = officer.post(f"{page}/events", data={"csrf": csrf(officer), "kind": "resumed",
                          "date": "2024-05-20"})  # fmt: skip
    assert forced.status_code == 403
    assert operator.post(f"{page}/events", data={"kind": "resumed", "date": "2024-05-20"}
                         ).status_code == 403  # fmt: skip


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_register_and_its_timeline_come_a_page_at_a_time(
    console: Console, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = console.client()
    console.sign_in(client, "olga")
    monkeypatch.setattr("accord.web.register_pages.REGISTER_PAGE", 2)
    first, second = client.get("/register").text, client.get("/register?page=2").text
    ids = re.findall(r'href="/register/agreements/([^"]+)"', first + second)
    assert len(ids) == len(set(ids)) == 4
    assert "Page 1 of " in first
    assert "<title>Register · usa.example</title>" in first
    assert 'href="?page=2">next</a>' in first
    timeline = client.get("/register/timeline?nation=PAK&page=1").text
    assert 'href="?nation=PAK&amp;page=2">next</a>' not in timeline  # PAK has two agreements
    assert client.get("/register?page=0").status_code == 422


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_auditors_filter_the_log_by_kind_day_user_and_partner(console: Console) -> None:
    officer, auditor = console.client(), console.client()
    console.sign_in(officer, "alice")
    token = csrf(officer)
    officer.post("/release", data=RELEASE | {"label": "UNCLASSIFIED", "csrf": token})
    officer.post("/release", data=RELEASE | {"label": "SECRET//REL TO USA, PAK", "csrf": token})
    console.sign_in(auditor, "audrey")

    def listed(query: str) -> list[str]:
        page = auditor.get(f"/audit?{query}")
        assert page.status_code == 200, page.text[-500:]
        return re.findall(r'<td><a href="/audit/entries/\d+">\d+</a></td><td>([^<]+)</td>'
                          r"<td>[^<]*</td><td>([^<]*)</td>", page.text)  # fmt: skip

    decisions = listed("kind=release-decision")
    assert [what.split(" ")[0] for _, what in decisions] == ["deny", "permit"]  # newest first
    assert decisions[0][1].endswith("by alice; failed: classification-equivalence")
    assert all(kind == "release-decision" for kind, _ in decisions)
    assert len(listed("user=alice")) == 2
    assert listed("user=bob") == []
    assert len(listed("partner=PAK&kind=release-decision")) == 2
    assert listed("partner=IND") == []
    assert len(listed("from=2024-06-01&to=2024-06-01")) == 3  # two decisions, one envelope sent
    assert listed("from=2024-06-02") == []
    assert "No partner has cosigned this log yet." in auditor.get("/audit").text
    denial = auditor.get(f"/audit/entries/{_first_index(auditor, 'kind=release-decision')}").text
    assert 'id="entry-decision">Refused<' in denial
    assert "classification-equivalence: SECRET information needs an agreement" in denial
    for bad in ("kind=bogus", "from=2024-06-02&to=2024-06-01", "from=June", "before=-1"):
        assert auditor.get(f"/audit?{bad}").status_code == 422, bad
    assert officer.get("/audit?kind=release-decision").status_code == 403
    assert officer.get("/alerts").status_code == 200


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_operators_manage_users_and_tokens_and_see_peers(console: Console) -> None:
    operator, officer = console.client(), console.client()
    console.sign_in(operator, "olga")
    token = csrf(operator)
    page = operator.get("/users").text
    assert "alice" in page
    added = {"csrf": token, "name": "bob", "role": "officer", "clearance": "SECRET"}
    assert operator.post("/users", data=added, follow_redirects=False).status_code == 303
    bad = operator.post("/users", data={"csrf": token, "name": "Bad Name", "role": "officer"})
    assert bad.status_code == 422
    assert "user name" in bad.text
    twice = operator.post("/users", data={"csrf": token, "name": "bob", "role": "auditor"})
    assert twice.status_code == 409
    issued = operator.post("/users/bob/tokens", data={"csrf": token})
    assert issued.status_code == 201
    secret = re.search(r'<code id="issued-token">(acc_[^<]+)</code>', issued.text)
    assert secret
    # The token works on the API; the page never shows it again, nor any token's hash.
    assert console.app.get("/v1/inbox", headers={"Authorization": f"Bearer {secret[1]}"}
                           ).status_code == 200  # fmt: skip
    listing = operator.get("/users").text
    assert secret[1] not in listing
    token_id = re.search(r"<tr><td><code>([0-9a-f]+)</code></td><td>bob</td>", listing)
    assert token_id
    revoked = operator.post(f"/tokens/{token_id[1]}/revoke", data={"csrf": token})
    assert revoked.status_code == 200, revoked.text[-600:]
    assert console.app.get("/v1/inbox", headers={"Authorization": f"Bearer {secret[1]}"}
                           ).status_code == 401  # fmt: skip
    operator.post("/users/bob/revoke", data={"csrf": token})
    assert "<td>bob</td><td>officer</td><td>SECRET</td><td>revoked</td>" in operator.get(
        "/users").text  # fmt: skip
    peers = operator.get("/peers").text
    assert "No peers: add one" in peers  # PAK is pinned here, with no URL: not a peer
    assert "usa.example (USA)" in peers
    assert "private" not in peers.lower()
    console.sign_in(officer, "alice")
    assert officer.get("/users").status_code == 403
    assert officer.get("/peers").status_code == 403
    assert officer.post("/users", data={"csrf": csrf(officer), "name": "eve",
                        "role": "operator"}).status_code == 403  # fmt: skip


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_operators_import_a_register_file_and_retry_a_message(console: Console) -> None:
    operator, officer = console.client(), console.client()
    console.sign_in(operator, "olga")
    token = csrf(operator)
    document = json.dumps(gsomia("USA", "PAK", "2024-01-15")).encode()
    imported = operator.post("/register/import", data={"csrf": token},
                             files={"file": ("gsomia.json", document)})  # fmt: skip
    assert imported.status_code == 200, imported.text[-600:]
    assert '<p id="import-summary">1 added, 0 replaced, 0 unchanged.</p>' in imported.text
    again = operator.post("/register/import", data={"csrf": token},
                          files={"file": ("gsomia.json", document)})  # fmt: skip
    assert '<p id="import-summary">0 added, 0 replaced, 1 unchanged.</p>' in again.text
    broken = operator.post("/register/import", data={"csrf": token},
                           files={"file": ("broken.yaml", b"agreements: [")})  # fmt: skip
    assert broken.status_code == 422
    assert "broken.yaml: line" in broken.text
    unnamed = operator.post("/register/import", data={"csrf": token},
                            files={"file": ("notes.txt", b"x")})  # fmt: skip
    assert unnamed.status_code == 422
    # A message the officer released is retried by its id; an unknown id is not found.
    console.sign_in(officer, "alice")
    page = officer.post("/release", data=RELEASE | {"label": "UNCLASSIFIED", "csrf": csrf(officer)})
    message = token_code(page.text)
    picker = officer.get("/release").text
    assert 'list="label-choices"' in picker
    assert '<option value="SECRET"></option>' in picker
    assert 'REL TO USA, PAK"></option>' not in picker  # PAK is pinned here, not a peer
    retried = operator.post("/outbox/retry", data={"csrf": token, "message": message})
    assert retried.status_code == 200
    assert 'id="retried-state">queued<' in retried.text
    assert operator.post("/outbox/retry", data={"csrf": token, "message": "nope"}
                         ).status_code == 404  # fmt: skip
    assert officer.post("/outbox/retry", data={"csrf": csrf(officer), "message": message}
                        ).status_code == 403  # fmt: skip
    assert officer.post("/register/import", data={"csrf": csrf(officer)},
                        files={"file": ("g.json", document)}).status_code == 403  # fmt: skip


def _first_index(client: TestClient, query: str) -> int:
    """The newest entry the audit page lists for ``query``."""
    found = re.search(r'<td><a href="/audit/entries/(\d+)">', client.get(f"/audit?{query}").text)
    assert found
    return int(found[1])


#: Every console route, and the roles that may use it (others get 403, even by a forced URL).
EVERYONE = ("officer", "operator", "auditor", "analyst")
ROUTES = {
    ("GET", "/"): EVERYONE,
    ("GET", "/register"): EVERYONE,
    ("GET", "/register/agreements/{agreement_id}"): EVERYONE,
    ("GET", "/register/channels"): EVERYONE,
    ("GET", "/register/timeline"): EVERYONE,
    ("GET", "/alerts"): EVERYONE,
    ("GET", "/release"): ("officer",),
    ("POST", "/release"): ("officer",),
    ("POST", "/release/preview"): ("officer",),
    ("GET", "/outbox"): ("officer", "auditor"),
    ("GET", "/outbox/{message_id}"): ("officer", "auditor"),
    ("POST", "/outbox/retry"): ("operator",),
    ("GET", "/inbox"): ("officer",),
    ("GET", "/inbox/{message_id}"): ("officer",),
    ("GET", "/audit"): ("auditor",),
    ("GET", "/audit/entries/{index}"): ("auditor",),
    ("POST", "/register/agreements/{agreement_id}/events"): ("operator",),
    ("POST", "/register/import"): ("operator",),
    ("GET", "/users"): ("operator",),
    ("POST", "/users"): ("operator",),
    ("POST", "/users/{name}/revoke"): ("operator",),
    ("POST", "/users/{name}/tokens"): ("operator",),
    ("POST", "/tokens/{token_id}/revoke"): ("operator",),
    ("GET", "/peers"): ("operator",),
    ("GET", "/peers/descriptor"): ("operator",),
    ("POST", "/peers/keys/rotate"): ("operator",),
    ("POST", "/peers/{node}/keys"): ("operator",),
}
#: Routes open before signing in, and the sign-out (any signed-in user).
OPEN = {("GET", "/login"), ("POST", "/login"), ("POST", "/logout"), ("GET", "/static/{name}")}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_every_page_and_action_is_for_its_roles_only(console: Console) -> None:
    declared = {(m, r.path) for r in router.routes for m in getattr(r, "methods", ())} - {
        ("HEAD", r.path) for r in router.routes
    }
    assert declared == set(ROUTES) | OPEN  # a new route is added here, with its roles
    users = {"officer": "alice", "operator": "olga", "auditor": "audrey", "analyst": "anna"}
    clients = {}
    for role, name in users.items():
        clients[role] = console.client()
        console.sign_in(clients[role], name)
    # An analyst's dashboard: the register's side only (no outbox counts), and a navigation
    # of the register, the channels and the alerts.
    analyst = clients["analyst"].get("/").text
    assert 'id="outbox-health"' not in analyst
    assert re.findall(r'<a href="(/[a-z/]*)"', analyst[: analyst.index("</nav>")]) == [
        "/", "/register", "/register/channels", "/alerts"]  # fmt: skip
    filled = {"agreement_id": "pak-usa-cismoa", "message_id": "0" * 36, "index": "0",
              "name": "nobody", "token_id": "0" * 16, "node": "nobody"}  # fmt: skip
    clients["officer"].post("/release", data=RELEASE | {"label": "UNCLASSIFIED",
                            "csrf": csrf(clients["officer"])})  # fmt: skip
    for (method, path), allowed in ROUTES.items():
        url = path.format(**filled)
        for role, client in clients.items():
            data = {"csrf": csrf(client)} if method == "POST" else None
            status = client.request(method, url, data=data).status_code
            if role in allowed:
                assert status != 403, (role, method, url)
            else:
                assert status == 403, (role, method, url, status)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_no_input_gives_a_server_error(console: Console) -> None:
    clients = {role: console.client() for role in ("alice", "olga", "audrey")}
    for name, client in clients.items():
        console.sign_in(client, name)
    odd = ["", "0", "-1", "99999999999999999999999", "x" * 5000, "\u202e", "%00", "../../",
           "2024-02-30", "~", "a~b", "<script>", "PAK", "SECRET//REL TO USA, PAK"]  # fmt: skip
    gets = ["/register?page={}", "/register/timeline?nation={}", "/register/timeline?page={}",
            "/register/channels?on={}", "/register/agreements/{}", "/outbox?state={}",
            "/outbox?before={}", "/outbox/{}", "/inbox?before={}", "/inbox/{}", "/inbox?sender={}",
            "/inbox?capability={}", "/audit?kind={}",
            "/audit?from={}", "/audit?to={}", "/audit?user={}", "/audit?partner={}",
            "/audit?before={}", "/audit/entries/{}", "/static/{}"]  # fmt: skip
    for template in gets:
        # As the role whose page it is (another role's is refused before its inputs are read).
        role = "audrey" if "audit" in template else "alice" if "box" in template else "olga"
        for value in odd:
            status = clients[role].get(template.format(quote(value))).status_code
            assert status < 500, (template, value, status)
    events = "/register/agreements/pak-usa-cismoa/events"
    posts = {"alice": ["/release", "/release/preview"],
             "olga": ["/users", "/outbox/retry", events]}  # fmt: skip
    names = ("recipient", "label", "capability", "activity", "text", "name", "role", "clearance",
             "message", "kind", "date", "term", "source", "note")  # fmt: skip
    for name, paths in posts.items():
        client = clients[name]
        token = csrf(client)
        for path in paths:
            for value in odd:
                fields = dict.fromkeys(names, value) | {"text": value + "\u0000"}
                status = client.post(path, data=fields | {"csrf": token}).status_code
                assert status < 500, (path, value, status)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_officer_releases_a_file_of_up_to_the_message_limit(console: Console) -> None:
    client = console.client()
    console.sign_in(client, "alice")
    fields = {k: v for k, v in RELEASE.items() if k != "text"} | {"label": "UNCLASSIFIED",
              "csrf": csrf(client)}  # fmt: skip
    sent = client.post("/release", data=fields, files={"file": ("plan.pdf", b"%PDF-1.7 plan")})
    assert sent.status_code == 201, sent.text[-600:]
    assert "Permitted" in sent.text
    both = client.post("/release", data=fields | {"text": "also this"},
                       files={"file": ("plan.pdf", b"%PDF")})  # fmt: skip
    assert both.status_code == 422
    assert "either a text or a file" in both.text
    # Past the old 1 MiB form limit: streamed, spooled, sealed and queued.
    large = client.post("/release", data=fields, files={"file": ("map.bin", b"m" * (3 << 20))})
    assert large.status_code == 201, large.text[-600:]
    message = token_code(large.text)
    assert len(console.services.messaging().envelope(message)) > 3 << 20
    over = client.post("/release", data=fields,
                       files={"file": ("big.bin", b"x" * (MAX_BODY + 1))})  # fmt: skip
    assert over.status_code == 422
    assert f"file: 1 to {MAX_BODY} bytes" in over.text
    # A body sent without its length is counted as it arrives and refused at the limit.
    head = (b'--b\r\nContent-Disposition: form-data; name="file"; filename="f"\r\n'
            b"Content-Type: application/octet-stream\r\n\r\n")  # fmt: skip

    def endless() -> Iterator[bytes]:
        yield head
        for _ in range(20):
            yield b"z" * (1 << 20)

    counted = client.post("/release", content=endless(),
                          headers={"content-type": "multipart/form-data; boundary=b"})  # fmt: skip
    assert counted.status_code == 413
    # No session, no body read: back to sign in; a session without the form's token: 403.
    stranger = console.client()
    refused = stranger.post("/release", data=fields, files={"file": ("m.bin", b"m" * 4096)},
                            follow_redirects=False)  # fmt: skip
    assert refused.status_code == 303
    assert refused.headers["location"] == "/login"
    forged = client.post("/release", data=fields | {"csrf": "x"}, files={"file": ("m", b"m")})
    assert forged.status_code == 403
