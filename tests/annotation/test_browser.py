"""The labeling interface as an annotator uses it: headless Chromium (Debian's, driven by Playwright)
against a real Label Studio started by `newsgold annotate up`.

The annotator logs in, activates a label by its hotkey, selects text with the mouse, picks the
attributes with their hotkeys, types the SPEAKER entity, draws an `attributed_to` relation,
submits, then accepts a pre-annotation; `annotate pull` must give exactly what was selected.
Screenshots of every step go to build/test-artifacts/browser/.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml
from test_labelstudio import _free_port as free_port
from test_labelstudio import invoke

from newsgold.io.documents import read_documents, write_documents
from newsgold.model.document import Document, Relation, Span

pytestmark = pytest.mark.server
REPO = Path(__file__).parents[2]
ARTIFACTS = REPO / "build" / "test-artifacts" / "browser"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
# Flags for a closed network: no background requests, no sandbox as root, no GPU.
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# One emoji, a CRLF line ending and a non-breaking space inside the EVENT span.
MANUAL_ID = "browser-manual"
MANUAL_TEXT = "Officials 🙂 said the “truce” held.\r\nShe added that aid\u00a0convoys would arrive soon.\r\n"
PRE_ID = "browser-prelabelled"
PRE_TEXT = "The ministry 🙂 said\u00a0talks had failed.\r\n"

# Selection geometry of a substring inside Label Studio's rendered text lines.
RECT_JS = """([needle, occurrence]) => {
  let seen = 0;
  for (const line of document.querySelectorAll('.lsf-richtext__container .lsf-richtext__line')) {
    const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {
      let i = node.data.indexOf(needle);
      while (i >= 0 && seen < occurrence) { seen += 1; i = node.data.indexOf(needle, i + 1); }
      if (i < 0) continue;
      const range = document.createRange();
      range.setStart(node, i); range.setEnd(node, i + 1);
      const a = range.getBoundingClientRect();
      range.setStart(node, i + needle.length - 1); range.setEnd(node, i + needle.length);
      const b = range.getBoundingClientRect();
      return {x0: a.left + 1, y0: a.top + a.height / 2, x1: b.right - 1, y1: b.top + b.height / 2};
    }
  }
  return null;
}"""


def _at(text: str, part: str) -> tuple[int, int]:
    start = text.index(part)
    return start, start + len(part)


def _span(span_id: str, label: str, part: str, attrs: dict[str, str]) -> Span:
    return Span(span_id, label, *_at(PRE_TEXT, part), text=part, attrs=attrs)


def expected_manual() -> set[tuple[Any, ...]]:
    """What the annotator selects in the manual task, as (label, start, end, text, attrs)."""
    claim = {"voice": "attributed", "quote": "indirect", "checkworthy": "no"}
    return {
        ("SPEAKER", *_at(MANUAL_TEXT, "Officials"), "Officials", (("entity", "Syrian officials 🙂"), ("mention", "nominal"))),
        ("CLAIM", *_at(MANUAL_TEXT, "the “truce” held"), "the “truce” held", tuple(sorted(claim.items()))),
        ("EVENT", *_at(MANUAL_TEXT, "aid\u00a0convoys"), "aid\u00a0convoys", (("factuality", "planned"), ("type", "AID"))),
    }


def prelabelled() -> Document:
    """The pre-annotation pushed for the second task and accepted unchanged."""
    return Document(id=PRE_ID, text=PRE_TEXT, spans=[
        _span("p1", "SPEAKER", "ministry", {"mention": "nominal", "entity": "the ministry"}),
        _span("p2", "CLAIM", "talks had failed", {"voice": "attributed", "quote": "indirect", "checkworthy": "yes"}),
        _span("p3", "EVENT", "talks", {"type": "OTHER", "factuality": "negated"}),
    ], relations=[Relation("attributed_to", "p2", "p1"), Relation("about", "p2", "p3")])


def span_keys(document: Document) -> set[tuple[Any, ...]]:
    return {(s.label, s.start, s.end, s.text, tuple(sorted(s.attrs.items()))) for s in document.spans}


def relation_keys(document: Document) -> set[tuple[str, str, str]]:
    texts = {s.id: f"{s.label}:{s.text}" for s in document.spans}
    return {(r.label, texts[r.head], texts[r.tail]) for r in document.relations}


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A real server from `annotate up` with both tasks and the pre-annotation, stopped at the end."""
    root = tmp_path_factory.mktemp("browser")
    seeds = root / "seeds"
    seeds.mkdir()
    (seeds / f"{MANUAL_ID}.txt").write_bytes(MANUAL_TEXT.encode("utf-8"))
    (seeds / f"{PRE_ID}.txt").write_bytes(PRE_TEXT.encode("utf-8"))
    config = root / "labelstudio.yaml"
    config.write_text(yaml.safe_dump({
        "project_title": "newsgold browser", "maximum_annotations": 1,
        "server": {"host": "127.0.0.1", "port": free_port(), "data_dir": str(root / "data"), "startup_timeout": 240},
    }))
    invoke("annotate", "up", "--seeds", str(seeds), "--ls-config", str(config))
    predictions = root / "predictions.jsonl"
    write_documents([prelabelled()], predictions)
    invoke("corpus", "ingest", "--seeds", str(seeds), "--out", str(root / "documents.jsonl"))
    pushed = json.loads(invoke("annotate", "push", str(root / "documents.jsonl"), "--predictions", str(predictions),
                               "--model-version", "browser-test", "--ls-config", str(config), "--json").stdout)
    assert pushed["predictions_added"] == 2  # documents missing from the file get an empty pre-annotation
    state = json.loads((root / "data" / "server.json").read_text())
    credentials = json.loads((root / "data" / "credentials.json").read_text())
    yield {"root": root, "config": config, "url": state["url"], **credentials}
    invoke("annotate", "down", "--ls-config", str(config))


class Annotator:
    """A person at the labeling interface: keys, mouse selections, clicks; a screenshot per step."""

    def __init__(self, page: Any, url: str) -> None:
        self.page, self.url, self.step = page, url, 0

    def shot(self, name: str) -> None:
        self.step += 1
        self.page.screenshot(path=str(ARTIFACTS / f"{self.step:02d}-{name}.png"))

    def login(self, email: str, password: str) -> None:
        self.page.goto(f"{self.url}/user/login/")
        self.page.fill('input[name="email"]', email)
        self.page.fill('input[name="password"]', password)
        self.page.click('button[type="submit"]')
        self.page.wait_for_load_state("networkidle")

    def open_task(self, project_id: int, task_id: int) -> None:
        self.page.goto(f"{self.url}/projects/{project_id}/data?task={task_id}")
        self.page.wait_for_selector(".lsf-richtext__line")
        self.page.wait_for_timeout(800)

    def key(self, *keys: str) -> None:
        for key in keys:
            self.page.keyboard.press(key)
            self.page.wait_for_timeout(150)

    def select(self, needle: str) -> None:
        """Drag the mouse over the first occurrence of `needle`."""
        box = self.page.evaluate(RECT_JS, [needle, 0])
        assert box is not None, f"{needle!r} is not rendered"
        mouse = self.page.mouse
        mouse.move(box["x0"], box["y0"])
        mouse.down()
        mouse.move((box["x0"] + box["x1"]) / 2, box["y1"], steps=5)
        mouse.move(box["x1"], box["y1"], steps=5)
        mouse.up()
        self.page.wait_for_timeout(300)

    def click_region(self, text: str) -> None:
        """Select a region by clicking it in the region list (a new region is not selected by itself)."""
        self.page.locator(".lsf-panel-tabs__tab", has_text="Regions").first.click()
        self.page.get_by_text(text, exact=True).last.click()
        self.page.wait_for_timeout(300)

    def label(self, hotkey: str, text: str) -> None:
        """Activate a label by its hotkey, then select its text and open the new region."""
        self.key(hotkey)
        self.select(text)
        self.click_region(text)


def test_annotator_labels_links_submits_and_accepts_a_pre_annotation(lab: dict[str, Any]) -> None:
    from playwright import sync_api as playwright_api  # the test extra installs it

    assert Path(CHROMIUM).exists(), "scripts/test.sh installs Debian's chromium"
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    from label_studio_sdk import LabelStudio

    client = LabelStudio(base_url=lab["url"], api_key=(lab["root"] / "data" / "api-token").read_text().strip())
    [project] = [p for p in client.projects.list() if p.title == "newsgold browser"]
    tasks = {t.data["doc_id"]: t.id for t in client.tasks.list(project=project.id)}

    def saved(task_id: int) -> None:
        """Wait until the server has the submitted annotation (the toast alone can be a stale one)."""
        for _ in range(60):
            if client.annotations.list(id=task_id):
                return
            time.sleep(0.25)
        raise AssertionError(f"task {task_id}: the submitted annotation never reached the server")

    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            person = Annotator(page, lab["url"])
            person.login(lab["email"], lab["password"])
            person.open_task(project.id, tasks[MANUAL_ID])
            person.shot("task-opened")

            # the instructions are the whole guidelines, hand-written rules included, with padded tables
            page.get_by_role("button", name="Instructions").click()
            page.get_by_text("1. Boundaries (all labels)").wait_for(timeout=10_000)
            padding = page.evaluate("() => getComputedStyle(document.querySelector('.newsgold-guidelines td')).paddingLeft")
            assert float(padding.removesuffix("px")) > 0
            page.wait_for_timeout(600)  # the modal fades in
            person.shot("instructions")
            page.keyboard.press("Escape")
            page.wait_for_timeout(300)

            # CLAIM: c, drag, then voice/quote/checkworthy by their choice hotkeys (1 4 8)
            person.label("c", "the “truce” held")
            person.key("1", "4", "8")
            person.shot("claim-with-attributes")
            person.key("u")
            # SPEAKER: s, drag, mention nominal (2), entity typed with an emoji
            person.label("s", "Officials")
            person.key("2")
            entity = page.locator('[data-testid="textarea-input"]:visible')
            entity.fill("Syrian officials 🙂")
            entity.press("Enter")
            person.shot("speaker-with-entity")
            person.key("u")
            # EVENT across the non-breaking space: type AID (3), factuality planned (w)
            person.label("e", "aid\u00a0convoys")
            person.key("3", "w")
            person.shot("event-with-attributes")

            # attributed_to: select the claim, Alt+R, click the speaker, pick the relation label
            person.click_region("the “truce” held")
            person.key("Alt+r")
            box = page.evaluate(RECT_JS, ["Officials", 0])
            page.mouse.click(box["x0"] + 5, box["y0"])
            page.wait_for_timeout(400)
            page.locator(".lsf-panel-tabs__tab", has_text="Relations").first.click()
            page.locator(".lsf-relations__item").first.hover()
            page.get_by_role("button", name="Show Relation Labels").click()
            page.get_by_text("Select labels").click()
            page.get_by_text("attributed_to", exact=True).last.click()
            page.keyboard.press("Escape")
            person.shot("relation-drawn")

            page.get_by_test_id("bottombar-submit-button").click()
            saved(tasks[MANUAL_ID])
            person.shot("submitted")

            # the pre-annotated task opens with the prediction's regions; the annotator submits them
            person.open_task(project.id, tasks[PRE_ID])
            page.get_by_text("talks had failed", exact=True).last.wait_for(timeout=15_000)
            person.shot("pre-annotation-shown")
            page.get_by_test_id("bottombar-submit-button").click()
            saved(tasks[PRE_ID])
            person.shot("pre-annotation-accepted")
            assert errors == [], errors
        finally:
            browser.close()

    root = lab["root"]
    result = json.loads(invoke("annotate", "pull", "--out", str(root / "ann"), "--gold", str(root / "gold"),
                               "--ls-config", str(lab["config"]), "--json").stdout)
    assert result["problems"] == [] and result["annotations"] == 2
    gold = {d.id: d for d in read_documents(root / "gold")}
    manual = gold[MANUAL_ID]
    assert manual.text == MANUAL_TEXT
    assert span_keys(manual) == expected_manual()
    assert relation_keys(manual) == {("attributed_to", "CLAIM:the “truce” held", "SPEAKER:Officials")}
    accepted = gold[PRE_ID]
    assert span_keys(accepted) == span_keys(prelabelled())
    assert relation_keys(accepted) == relation_keys(prelabelled())
    assert sorted(p.name for p in ARTIFACTS.iterdir())[-1].endswith("pre-annotation-accepted.png")
