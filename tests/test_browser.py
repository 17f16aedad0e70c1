"""The Practice tab in a real browser: headless Debian Chromium driven by playwright.

Run with ``EMPATHY_COACH_MODEL=/tmp/dev/model pytest -m browser``; needs ``apt-get install chromium``.
Saves a screenshot to ``eval/reports/screenshots/practice.png``.
"""

from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.test_app import ARTICLE_LINE, require_model, running
from tests.test_views import write_tiny_report

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOT = REPO / "eval" / "reports" / "screenshots" / "practice.png"
REPLY = (
    "That sounds like a lot to carry in here today. <script>alert('x')</script> "
    "I was exactly the same before my first session, I nearly left too."
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium (apt-get install -y chromium)"
    ),
]


@pytest.fixture(scope="module")
def app_url(tmp_path_factory, model_dir):
    from app import build_demo

    require_model(model_dir)
    root = tmp_path_factory.mktemp("browser")
    write_tiny_report(root / "reports" / Path(model_dir).name)
    with running(build_demo(model_dir, root / "reports", root / "corrections.jsonl")) as url:
        yield url


@pytest.fixture(scope="module")
def page(app_url):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.dialogs = []
        page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
        # Not "networkidle": gradio keeps a heartbeat connection open.
        page.goto(app_url, wait_until="domcontentloaded")
        page.locator("#scenario input").wait_for(timeout=30_000)
        yield page
        browser.close()


def pick_scenario(page, title: str) -> None:
    page.locator("#scenario input").click()
    page.get_by_role("option", name=title).click()


def test_practice_scenario_reply_and_feedback(page):
    # Pick another article case first, so picking social anxiety is a real change of scenario.
    pick_scenario(page, "Article case: Hyperarousal while recounting trauma")
    page.locator("#exemplars").get_by_text("a lot to process").wait_for()
    pick_scenario(page, "Article case: First session, fearing judgement")
    page.locator("#exemplars").get_by_text(ARTICLE_LINE).wait_for()
    assert "car park" in page.locator("#client textarea").input_value()

    page.locator("#reply textarea").fill(REPLY)
    page.locator("#submit").click()
    page.locator("#scores").get_by_text("Affective empathy").wait_for(timeout=15_000)
    page.locator("#suggestions .ec-suggestion").first.wait_for(timeout=30_000)

    text = page.locator("#scores").inner_text()
    for title in ("Affective empathy", "Cognitive empathy", "Compassionate empathy", "Over-identification"):
        assert title in text
    assert ARTICLE_LINE in page.locator("#exemplars").inner_text()
    assert "Model reply quoted from" in page.locator("#exemplars").inner_text()
    # The reply's HTML is shown as text, never run.
    assert "<script>alert('x')</script>" in page.locator("#highlighted").inner_text()
    assert page.dialogs == []
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)


def test_use_this_inserts_the_suggestion_only_when_clicked(page):
    """Runs on the page the test above left: its reply, feedback and suggestions."""
    before = page.locator("#reply textarea").input_value()
    option = page.locator("#suggestion-pick label").first
    suggestion = option.inner_text().split(": ", 1)[1].strip()
    assert suggestion not in before  # shown, not applied
    option.click()
    page.locator("#use-suggestion").click()
    page.wait_for_function("s => document.querySelector('#reply textarea').value.includes(s)", arg=suggestion)
