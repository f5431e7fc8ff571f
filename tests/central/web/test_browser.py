"""End to end in headless Chromium (Debian's `chromium`, driven by Playwright; never
`playwright install`): sign in, draft and publish a "You said, we heard" item, see it on the
public page, open a concern. Screenshots go to test-artifacts/web/ to be looked at."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.central.web.staff import CONTACT, PASSWORD, response
from tests.conftest import missing, need_module

ROOT = Path(__file__).resolve().parents[3]
SHOTS = ROOT / "test-artifacts" / "web"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip


@pytest.fixture(scope="module")
def browser():
    if not shutil.which(CHROMIUM):
        missing("Debian chromium is not installed (scripts/setup.sh installs it)")
    sync_api = need_module("playwright.sync_api", "pip install -e '.[test]'")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


def _sign_in(page, url: str, username: str) -> None:
    page.goto(f"{url}/staff/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


A11Y = """() => {
  const problems = [];
  for (const el of document.querySelectorAll('input, select, textarea, button')) {
    if (el.type === 'hidden') continue;
    const name = el.labels && el.labels.length ? el.labels[0].textContent.trim()
      : (el.getAttribute('aria-label') || (el.tagName === 'BUTTON' ? el.textContent.trim() : ''));
    if (!name) problems.push('no label: ' + (el.id || el.name || el.tagName));
  }
  if (document.querySelectorAll('h1').length !== 1) problems.push('not exactly one h1');
  if (!document.documentElement.lang) problems.push('no lang on html');
  if (!document.querySelector('main')) problems.push('no main landmark');
  const skip = document.querySelector('a.skip-link');
  if (!skip || skip.getAttribute('href') !== '#main-content') problems.push('no skip link');
  for (const img of document.querySelectorAll('svg[role=img]')) {
    if (!img.querySelector('title') || !img.querySelector('desc')) problems.push('svg no text');
  }
  return problems;
}"""


def _shot(page, name: str) -> None:
    assert page.evaluate(A11Y) == [], name  # the basics, on every page looked at
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_publish_an_item_and_open_a_concern_in_chromium(sqlite_web, browser):
    c = sqlite_web
    c.ingest([response(c, "ward-3", fft=1 + i % 5, comment=f"Comment number {i}", name="Ward 3")
              for i in range(12)] + [response(c, "ward-4", fft=2, name="Ward 4")]
             + [response(c, "ward-3", fft=4, contact=CONTACT)])  # fmt: skip
    ctx = browser.new_context(viewport={"width": 1200, "height": 900})
    page = ctx.new_page()

    page.goto(f"{c.url}/staff/sign-in")
    page.keyboard.press("Tab")  # the first stop is the skip link, and it shows itself
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    _shot(page, "01-sign-in-skip-link-focused")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").is_visible()
    _shot(page, "02-sign-in-error")

    _sign_in(page, c.url, "wendy")
    assert page.get_by_role("heading", name="Dashboard").is_visible()
    _shot(page, "03-ward-manager-dashboard")
    page.get_by_role("link", name="You said, we heard").click()
    page.get_by_role("link", name="Write a new item").click()
    page.get_by_role("button", name="Save as draft").click()
    summary = page.get_by_role("alert")
    assert "Enter 'Title' in English" in summary.inner_text()
    _shot(page, "04-draft-errors")
    summary.get_by_role("link", name="Enter 'Title' in English").click()
    assert page.evaluate("document.activeElement.id") == "title_en"
    page.get_by_label("Ward 3").check()
    page.locator("#title_en").fill("Quieter nights")
    page.locator("#said_en").fill("It was too noisy at night.")
    page.locator("#did_en").fill("We fitted soft-close bins on every bay.")
    page.locator("#when_en").fill("October 2026")
    page.get_by_role("button", name="Save as draft").click()
    assert "The item was saved" in page.get_by_role("status").inner_text()
    page.get_by_role("button", name="Sign out").click()

    _sign_in(page, c.url, "pat")
    page.goto(f"{c.url}/staff/trends")
    assert page.locator("svg[role=img] title").text_content().startswith("% positive over time")
    _shot(page, "05-trends")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download this report as a web page").click()
    saved = SHOTS / "trends-report.html"
    SHOTS.mkdir(parents=True, exist_ok=True)
    download.value.save_as(saved)
    offline = ctx.new_page()
    offline.goto(saved.as_uri())  # no server needed: styles and chart are inside the file
    _shot(offline, "05a-trends-report-offline")
    offline.close()
    page.goto(f"{c.url}/staff/comments?location=ward-3")
    assert page.get_by_role("cell", name="Comment number 11").is_visible()
    _shot(page, "05b-comments")
    page.get_by_role("link", name="Confirm or correct the themes of this comment").first.click()
    _shot(page, "05c-comment-themes")
    page.get_by_label("Staff responsiveness").check()
    page.get_by_label("Mixed").check()
    page.get_by_role("button", name="Confirm these themes").click()
    assert page.get_by_text("Confirmed", exact=True).first.is_visible()
    page.goto(f"{c.url}/staff/yswh")
    page.get_by_role("link", name="Check and publish Quieter nights").click()
    page.get_by_text("Cymraeg (Welsh)").first.click()
    page.get_by_label("Show the English text for Cymraeg (Welsh)").check()
    _shot(page, "06-publish-form")
    page.get_by_role("button", name="Publish").click()
    assert "published" in page.get_by_role("status").inner_text()
    _shot(page, "07-published")
    page.get_by_role("button", name="Sign out").click()

    page.goto(f"{c.url}/public/ward-3")
    assert page.get_by_role("heading", name="Quieter nights").is_visible()
    _shot(page, "08-public-ward-3")
    page.get_by_role("link", name="Cymraeg (Welsh)").click()
    assert page.locator("html").get_attribute("lang") == "cy"
    _shot(page, "08b-public-ward-3-welsh-labels-english-fallback")

    _sign_in(page, c.url, "connie")
    assert page.get_by_role("heading", name="Concerns queue").is_visible()
    _shot(page, "09-concerns-queue")
    page.locator("table").get_by_role("link").first.click()
    page.get_by_role("button", name="Show communication needs and contact details").click()
    needs = page.get_by_role("region", name="Communication needs (read first)")
    assert "British Sign Language interpreter" in needs.inner_text()
    assert CONTACT["name"] in page.content()
    _shot(page, "10-concern-opened")
    ctx.close()
