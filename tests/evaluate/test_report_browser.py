"""The HTML score report in headless Chromium at desktop and phone width: attribute errors marked and
listed, relations drawn with their spans' text, hover text as `key: value` lines, no sideways scroll
on a phone. Screenshots go to build/test-artifacts/report/."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsgold.cli import app
from newsgold.io.documents import read_documents, write_documents
from newsgold.model.document import Relation

pytestmark = pytest.mark.server
REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "build" / "test-artifacts" / "report"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
SEED = "000_1c4f7a9ed72f78a1"


def _report(tmp_path: Path) -> Path:
    """The seed's gold against a copy with one attribute changed, one span moved and one relation redirected."""
    [gold] = read_documents(REPO / "gold" / f"{SEED}.json")
    [prediction] = read_documents(REPO / "gold" / f"{SEED}.json")
    prediction.meta = {}
    event = next(s for s in prediction.spans if s.label == "EVENT")
    event.attrs["factuality"] = "negated" if event.attrs.get("factuality") != "negated" else "asserted"
    speakers = [s for s in prediction.spans if s.label == "SPEAKER"]
    first = next(i for i, r in enumerate(prediction.relations) if r.label == "attributed_to")
    other = next(s for s in speakers if s.id != prediction.relations[first].tail)
    prediction.relations[first] = Relation("attributed_to", prediction.relations[first].head, other.id)
    write_documents([gold], tmp_path / "gold.jsonl")
    write_documents([prediction], tmp_path / "pred.jsonl")
    out = tmp_path / "report.html"
    result = CliRunner().invoke(app, ["eval", "score", str(tmp_path / "gold.jsonl"), str(tmp_path / "pred.jsonl"), "--samples", "20",
                                      "--html", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_report_in_a_browser_at_desktop_and_phone_width(tmp_path: Path) -> None:
    from playwright import sync_api

    assert Path(CHROMIUM).exists(), "scripts/test.sh installs Debian's chromium"
    page_path = _report(tmp_path)
    page_text = page_path.read_text(encoding="utf-8")
    assert "wrong attribute" in page_text and "factuality" in page_text and "all span modes" in page_text
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for name, width, height in (("desktop", 1400, 900), ("phone", 390, 844)):
                page = browser.new_page(viewport={"width": width, "height": height})
                page.goto(page_path.as_uri())
                page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)
                panes = page.eval_on_selector_all(".pane", "els => els.slice(0, 2).map(e => e.getBoundingClientRect().x)")
                if name == "desktop":
                    assert panes[0] < panes[1]  # gold and predicted side by side
                else:
                    assert panes[0] == panes[1]  # stacked
                    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1  # no sideways scroll
                marked = page.locator(".span.attr").first
                assert marked.count() == 1
                assert page.evaluate("e => getComputedStyle(e).outlineStyle", marked.element_handle()) == "dotted"
                title = marked.get_attribute("title") or ""
                assert "\nfactuality: " in title and "{" not in title  # key: value lines, not a Python dict
                wrong = page.locator(".rels li.err")
                assert wrong.count() == 2  # the missed relation (gold pane) and the spurious one (predicted pane)
                assert "“" in wrong.first.inner_text() and " → " in wrong.first.inner_text()  # spans' text, not ids
                page.close()
        finally:
            browser.close()
    assert sorted(p.name for p in ARTIFACTS.iterdir()) == ["desktop.png", "phone.png"]
