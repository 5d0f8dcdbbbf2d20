"""The console in a real browser: Debian's chromium, driven by Playwright, against two real
``accord serve`` nodes (USA and PAK). An officer signs in, watches the live decision preview,
releases a message that is refused (its reasons shown) and one that is permitted, follows it in
the outbox until PAK's node accepts it, and reads the PAK timeline; at PAK an officer reads the
message between its markings; an auditor opens the entry of the release and sees its inclusion
proof verified by the browser itself; an operator records a suspension of the CISMOA and sees
the channel close on the matrix. Every page
is checked with axe-core (no serious or critical violation) and its form reached by keyboard; a
screenshot of each page is written to ``test-screenshots/console/`` for a reviewer.

``scripts/ensure-browser`` (run by ``make test``) installs chromium and axe-core when missing;
without them this test fails, it does not skip.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from accord.clock import SystemClock
from accord.node.cluster import running
from accord.node.services import NodeServices
from tests.support.nodes import Node

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-screenshots" / "console"
AXE = ROOT / ".cache" / "axe-core" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "correct horse battery staple"
#: As the machine's notes say: headless, no sandbox as root, and no background networking (a
#: closed network refuses those connections).
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


@pytest.fixture(scope="module")
def nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Node]]:
    """USA and PAK nodes, peered, served by real ``accord serve`` processes on free ports: at
    USA an officer (alice), an auditor (audrey) and an operator (olga), at PAK an officer
    (babar), each with a console password."""
    root = tmp_path_factory.mktemp("console")
    usa = Node(root / "usa", "USA", "usa.example")
    pak = Node(root / "pak", "PAK", "pak.example")
    for node in (usa, pak):
        assert node.run("init", "--nation", node.nation, "--name", node.name).returncode == 0
    for here, there in ((usa, pak), (pak, usa)):
        added = here.run("peers", "add", "--descriptor", str(there.home / "descriptor.json"),
                         "--url", there.url)  # fmt: skip
        assert added.returncode == 0, added.stderr
    people = {
        usa: [("alice", "officer"), ("audrey", "auditor"), ("olga", "operator")],
        pak: [("babar", "officer")],
    }
    for node, users in people.items():
        for name, role in users:
            clearance = ["--clearance", "SECRET"] if role == "officer" else []
            assert node.run("users", "add", name, "--role", role, *clearance).returncode == 0
        services = NodeServices.open(node.settings(), SystemClock())
        try:
            for name, _ in users:
                services.console.set_password(name, PASSWORD)
        finally:
            services.close()
    with running([usa, pak]):
        yield {"USA": usa, "PAK": pak}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: run scripts/ensure-browser"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def _accessible(page: Page, name: str) -> None:
    """axe-core's WCAG 2.1 A/AA rules on the page: no serious or critical violation. The page's
    own Content-Security-Policy allows no injected script, so axe runs in a context that
    bypasses it (``bypass_csp``): the test's instrument, not the console's."""
    page.add_script_tag(path=str(AXE))
    found: dict[str, Any] = page.evaluate(
        "async () => await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa']})"
    )
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']}"
        for v in found["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, (name, bad)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def _sign_in(page: Page, base: str, name: str) -> None:
    page.goto(f"{base}/login")
    _accessible(page, "login")
    _reached_by_keyboard(page, ["username", "password"])
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator(".user-name")).to_have_text(name)


def _reached_by_keyboard(page: Page, ids: list[str]) -> None:
    """Tab from the top of the page reaches every one of ``ids`` (a field's id or name, a
    button's text): no mouse needed."""
    reached: set[str] = set()
    page.locator("body").focus()
    for _ in range(150):
        page.keyboard.press("Tab")
        reached.add(str(page.evaluate(
            "(e => e.id || e.name || e.textContent.trim())(document.activeElement)")))  # fmt: skip
        if set(ids) <= reached:
            return
    raise AssertionError(f"not reached by Tab: {sorted(set(ids) - reached)}")


def _release(page: Page, label: str) -> None:
    page.fill("#recipient", "PAK")
    page.fill("#label", label)
    page.fill("#capability", "secure-communications")
    page.fill("#activity", "joint-exercises")
    page.fill("#text", "exercise starts at 0600")


@pytest.mark.real_processes
def test_officers_and_an_auditor_do_their_work_in_a_browser(
    nodes: dict[str, Node], browser: Browser
) -> None:
    usa, pak = nodes["USA"].url, nodes["PAK"].url
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    _sign_in(page, usa, "alice")
    expect(page.locator("#marking-top")).to_have_text("SECRET")
    _accessible(page, "dashboard")

    page.goto(f"{usa}/release")
    _reached_by_keyboard(page, ["recipient", "label", "capability", "activity", "text", "file"])
    _release(page, "UNCLASSIFIED")
    # The label picker, by keyboard: open it, choose SECRET releasable to PAK, use the label.
    page.locator("#label-picker summary").focus()
    page.keyboard.press("Enter")
    _reached_by_keyboard(page, ["pick-level", "pick-rel-PAK", "pick-use"])
    page.select_option("#pick-level", "SECRET")
    page.check(".pick-rel[value=PAK]")
    page.locator("#pick-use").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#label")).to_have_value("SECRET//REL TO USA, PAK")
    # The live preview: the decision as the fields change, before anything is sent.
    expect(page.locator("#preview .verdict")).to_have_text("Refused")
    expect(page.locator("#preview")).to_contain_text("classification-equivalence")
    _accessible(page, "release-preview")
    page.click("#release-form button[type=submit]")
    expect(page.locator("#result-heading")).to_have_text("Refused")
    expect(page.locator(".result")).to_contain_text(
        "SECRET information needs an agreement in force providing classification equivalence"
    )
    _accessible(page, "release-refused")

    _release(page, "UNCLASSIFIED")
    expect(page.locator("#preview .verdict")).to_have_text("Permitted")
    page.click("#release-form button[type=submit]")
    expect(page.locator("#result-heading")).to_have_text("Permitted")
    # The page shows an UNCLASSIFIED message: its banners say so, in green.
    expect(page.locator("#marking-top")).to_have_text("UNCLASSIFIED")
    expect(page.locator("#marking-bottom")).to_have_class("marking marking-green")
    _accessible(page, "release-permitted")
    message = page.locator(".result code").inner_text()

    # The outbox: the message, then its life until PAK's node accepts it.
    page.goto(f"{usa}/outbox")
    expect(page.locator(f"a[href='/outbox/{message}']")).to_be_visible()
    _accessible(page, "outbox")
    _reached_by_keyboard(page, ["state", "Show"])
    deadline = time.monotonic() + 30
    while True:
        page.goto(f"{usa}/outbox/{message}")
        if page.locator("#message-state").inner_text() == "delivered":
            break
        assert time.monotonic() < deadline, "not delivered"
        time.sleep(0.3)
    expect(page.locator(".facts")).to_contain_text("signed by pak.example: accepted")
    expect(page.locator("#message-history")).to_contain_text("released")
    expect(page.locator("#message-history")).to_contain_text("accepted")
    _accessible(page, "outbox-message")

    page.goto(f"{usa}/register/timeline?nation=PAK")
    expect(page.locator("svg.timeline")).to_be_visible()
    _accessible(page, "timeline")
    _reached_by_keyboard(page, ["nation", "Show"])
    page.goto(f"{usa}/register")
    _accessible(page, "register")
    # A page of another role, forced: refused.
    assert page.goto(f"{usa}/audit/entries/0").status == 403  # type: ignore[union-attr]
    context.close()

    # At PAK, its officer reads the message between its markings.
    reader = browser.new_context(bypass_csp=True).new_page()
    _sign_in(reader, pak, "babar")
    reader.goto(f"{pak}/inbox")
    _accessible(reader, "inbox")
    _reached_by_keyboard(reader, ["sender", "capability", "Show"])
    reader.click(f"a[href='/inbox/{message}']")
    expect(reader.locator("#message-marking-top")).to_have_text("UNCLASSIFIED")
    expect(reader.locator("#message-marking-bottom")).to_have_text("UNCLASSIFIED")
    expect(reader.locator("#content")).to_have_text("exercise starts at 0600")
    expect(reader.locator("#marking-top")).to_have_class("marking marking-green")
    _accessible(reader, "read")

    auditor = browser.new_context(bypass_csp=True).new_page()
    _sign_in(auditor, usa, "audrey")
    auditor.goto(f"{usa}/audit/entries/1")
    expect(auditor.locator("#server-check")).to_contain_text("the proof verified")
    expect(auditor.locator("#browser-check")).to_contain_text("In your browser: verified")
    _accessible(auditor, "audit-entry")
    # The browser's check can say no: against another root, the same proof does not verify.
    auditor.evaluate(
        "() => { const node = document.getElementById('browser-check');"
        " node.dataset.root = '00'.repeat(32); return checkInclusion(node); }"
    )
    expect(auditor.locator("#browser-check")).to_contain_text("In your browser: NOT verified")

    # An operator records a suspension of the CISMOA today; the channel closes on the matrix.
    operator = browser.new_context(bypass_csp=True).new_page()
    _sign_in(operator, usa, "olga")
    operator.goto(f"{usa}/register/channels")
    cell = operator.locator("#cell-PAK-secure-communications")
    expect(cell).to_have_class("open")
    _accessible(operator, "channels-before")
    _reached_by_keyboard(operator, ["on", "Show"])
    operator.goto(f"{usa}/register/agreements/pak-usa-cismoa")
    _accessible(operator, "agreement")
    _reached_by_keyboard(operator, ["kind", "date", "term", "source", "note"])
    operator.select_option("#kind", "suspended")
    operator.fill("#date", time.strftime("%Y-%m-%d", time.gmtime()))
    operator.fill("#note", "suspended in the console test")
    operator.click("#record-form button[type=submit]")
    expect(operator.locator("#agreement-status")).to_have_text("suspended")
    operator.goto(f"{usa}/register/channels")
    expect(cell).to_have_class("closed")
    _accessible(operator, "channels-after")
    # Every other form of an operator's, reached by keyboard alone.
    forms = {"users": ["name", "role", "clearance", "Add"], "alerts": [],
             "peers": ["descriptor-1", "Pin the new keys", "Rotate this node's keys"],
             "register": ["file", "Import"], "": ["message", "Retry", "Sign out"]}  # fmt: skip
    for name, fields in forms.items():
        operator.goto(f"{usa}/{name}")
        _accessible(operator, name or "dashboard-operator")
        _reached_by_keyboard(operator, fields)
    operator.goto(f"{usa}/peers")
    expect(operator.locator(".last-contact")).to_contain_text("answered a delivery: 20")
    auditor.goto(f"{usa}/audit?kind=release-decision")
    expect(auditor.locator("main table").first).to_contain_text("permit USA to PAK")
    _accessible(auditor, "audit")
    _reached_by_keyboard(auditor, ["kind", "from", "to", "user", "partner", "Show"])
