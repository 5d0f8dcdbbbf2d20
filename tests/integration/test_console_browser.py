"""The console in a real browser: Debian's chromium, driven by Playwright, against a real
``accord serve``. An officer signs in, watches the live decision preview, releases a message that
is refused (its reasons shown) and one that is permitted; reads the PAK timeline; an auditor opens
the entry of that release and sees its inclusion proof verified by the browser itself. Every page
is checked with axe-core (no serious or critical violation) and its form reached by keyboard; a
screenshot of each page is written to ``test-screenshots/console/`` for a reviewer.

``scripts/ensure-browser`` (run by ``make test``) installs chromium and axe-core when missing;
without them this test fails, it does not skip.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from accord.clock import SystemClock
from accord.config import load_settings
from accord.node.services import NodeServices
from tests.support.api import prepare
from tests.support.cli import ACCORD
from tests.support.servers import free_port, stop, wait_until_healthy

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
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A USA node with PAK pinned, an officer and an auditor with console passwords, served by
    a real ``accord serve`` on a free port; its base URL."""
    home = tmp_path_factory.mktemp("console") / "usa"
    with pytest.MonkeyPatch.context() as monkeypatch:
        # The node's clock is the system's: a session's timeouts run on real time here.
        prepare(home, monkeypatch, None, SystemClock())
        services = NodeServices.open(load_settings(), SystemClock())
        try:
            for name in ("alice", "audrey"):
                services.console.set_password(name, PASSWORD)
        finally:
            services.close()
    environment = {**os.environ, "ACCORD_HOME": str(home)}
    environment.pop("ACCORD_DATABASE_URL", None)
    port = free_port()
    server = subprocess.Popen(
        [ACCORD, "serve", "--port", str(port)], env=environment, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base)
        yield base
    finally:
        stop(server)


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
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator(".user-name")).to_have_text(name)


def _reached_by_keyboard(page: Page, ids: list[str]) -> None:
    """Tab from the top of the page reaches every one of ``ids`` (no mouse needed)."""
    reached: set[str] = set()
    page.locator("body").focus()
    for _ in range(40):
        page.keyboard.press("Tab")
        reached.add(str(page.evaluate("document.activeElement.id || document.activeElement.name")))
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
def test_an_officer_and_an_auditor_do_their_work_in_a_browser(node: str, browser: Browser) -> None:
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    _sign_in(page, node, "alice")
    expect(page.locator("#marking-top")).to_have_text("SECRET")
    _accessible(page, "dashboard")

    page.goto(f"{node}/release")
    _reached_by_keyboard(page, ["recipient", "label", "capability", "activity", "text"])
    _release(page, "SECRET//REL TO USA, PAK")
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

    page.goto(f"{node}/register/timeline?nation=PAK")
    expect(page.locator("svg.timeline")).to_be_visible()
    _accessible(page, "timeline")
    page.goto(f"{node}/register")
    _accessible(page, "register")
    # A page of another role, forced: refused.
    assert page.goto(f"{node}/audit/entries/0").status == 403  # type: ignore[union-attr]
    context.close()

    auditor = browser.new_context(bypass_csp=True).new_page()
    _sign_in(auditor, node, "audrey")
    auditor.goto(f"{node}/audit/entries/1")
    expect(auditor.locator("#server-check")).to_contain_text("the proof verified")
    expect(auditor.locator("#browser-check")).to_contain_text("In your browser: verified")
    _accessible(auditor, "audit-entry")
    # The browser's check can say no: against another root, the same proof does not verify.
    auditor.evaluate(
        "() => { const node = document.getElementById('browser-check');"
        " node.dataset.root = '00'.repeat(32); return checkInclusion(node); }"
    )
    expect(auditor.locator("#browser-check")).to_contain_text("In your browser: NOT verified")
