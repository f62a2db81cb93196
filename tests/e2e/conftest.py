"""Real-browser end-to-end tests: Playwright driving Debian's chromium against pytest-django's
``live_server`` (a thread of this process; it serves static files through staticfiles).

Run them with ``.venv/bin/pytest -m e2e tests/e2e`` (pyproject's addopts deselect them from
``make test``). Needs ``chromium`` on the PATH (``apt-get install chromium fonts-noto-cjk``);
``playwright install`` is never needed.

When a test fails, every page still open is kept in ``test-artifacts/e2e/<test name>/``:
a full-page screenshot (.png), the HTML (.html, with its URL on the first line) and the
browser console (.console.log).

A test also fails (at teardown, artifacts kept) when the browser's console reports a
Content-Security-Policy violation: the pages must work under the policy in settings.py.
"""

import re
import shutil
from pathlib import Path

import pytest

ARTIFACTS_DIR = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

DEVICES = {
    "tablet": {
        "viewport": {"width": 1024, "height": 768},
        "device_scale_factor": 1,
        "is_mobile": False,
        "has_touch": True,
    },
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
}

ACTION_TIMEOUT_MS = 15_000  # clicks, fills, navigations
EXPECT_TIMEOUT_MS = 10_000  # auto-waiting expect(...) assertions


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item (``item.rep_call``) for the artifact teardown."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        pytest.fail("The e2e tests need the playwright package: .venv/bin/pip install playwright==1.65.2")
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("The e2e tests need chromium: apt-get install -y chromium fonts-noto-cjk")
    with pytest.MonkeyPatch.context() as mp:
        # Playwright's sync API runs an asyncio loop in this thread, so Django would refuse
        # ORM calls from the test body (SynchronousOnlyOperation). Only while e2e tests run.
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        expect.set_options(timeout=EXPECT_TIMEOUT_MS)
        playwright = sync_playwright().start()
        try:
            browser = playwright.chromium.launch(
                executable_path=executable, headless=True, args=CHROMIUM_ARGS
            )
            try:
                yield browser
            finally:
                browser.close()
        finally:
            playwright.stop()


class BrowserContexts:
    """Creates browser contexts (one per staff member) and remembers them for the artifacts."""

    def __init__(self, browser):
        self.browser = browser
        self.opened: list[tuple[str, object, list[str]]] = []
        self.csp_violations: list[str] = []

    def new(self, label: str, *, device: str = "tablet", locale: str = "en-US"):
        context = self.browser.new_context(**DEVICES[device], locale=locale, timezone_id="Asia/Shanghai")
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        console: list[str] = []

        def watch(page):
            def on_console(msg):
                console.append(f"[{msg.type}] {msg.text}")
                if "Content Security Policy" in msg.text:
                    self.csp_violations.append(f"{label} on {page.url}: {msg.text}")

            page.on("console", on_console)
            page.on("pageerror", lambda exc: console.append(f"[pageerror] {exc}"))

        context.on("page", watch)
        self.opened.append((label, context, console))
        return context

    def save_artifacts(self, target: Path) -> None:
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        for label, context, console in self.opened:
            (target / f"{label}.console.log").write_text("\n".join(console) + "\n", encoding="utf-8")
            for number, page in enumerate(context.pages, start=1):
                stem = target / f"{label}-page{number}"
                try:
                    page.screenshot(path=f"{stem}.png", full_page=True, timeout=10_000)
                except Exception as exc:  # noqa: BLE001 — keep saving the other artifacts
                    Path(f"{stem}.png.error.txt").write_text(repr(exc), encoding="utf-8")
                try:
                    html = page.content()
                except Exception as exc:  # noqa: BLE001
                    html = f"(page.content() failed: {exc!r})"
                Path(f"{stem}.html").write_text(f"<!-- {page.url} -->\n{html}", encoding="utf-8")

    def close(self) -> None:
        for _label, context, _console in self.opened:
            context.close()


def _artifact_dir(node) -> Path:
    return ARTIFACTS_DIR / re.sub(r"[^A-Za-z0-9_.-]+", "_", node.name).strip("_")


@pytest.fixture
def browser_contexts(browser, request):
    """``browser_contexts.new("li", device="phone", locale="zh-CN")``; artifacts on failure."""
    contexts = BrowserContexts(browser)
    yield contexts
    report = getattr(request.node, "rep_call", None)
    try:
        if (report is not None and report.failed) or contexts.csp_violations:
            contexts.save_artifacts(_artifact_dir(request.node))
    finally:
        contexts.close()
    if contexts.csp_violations:
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(contexts.csp_violations))


@pytest.fixture
def tablet_context(browser_contexts):
    """A tablet (1024x768) in English."""
    return browser_contexts.new("tablet", device="tablet")


@pytest.fixture
def phone_context(browser_contexts):
    """A phone (390x844) in English."""
    return browser_contexts.new("phone", device="phone")


@pytest.fixture(autouse=True)
def _e2e_only(request):
    if request.node.get_closest_marker("e2e") is None:
        pytest.fail("tests under tests/e2e must be marked e2e (pytestmark = [pytest.mark.e2e, ...])")
