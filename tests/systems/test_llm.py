"""Language-model extractors against a local OpenAI-compatible server (tests/llm_server.py): the
schema-generated prompt, retries on 429/5xx/timeouts/bad JSON, failures recorded, grounding with the
number/negation veto, ungrounded rates per label, the cache, the token budget, the API key."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from llm_server import Answer, FakeLlm
from strategies import SCHEMA
from typer.testing import CliRunner

from newsgold.cli import app
from newsgold.cli.llm import few_shot_examples
from newsgold.corpus.settings import load_settings
from newsgold.io.config import load_schema
from newsgold.io.documents import read_documents, write_documents
from newsgold.model.document import Document
from newsgold.spans.grounding import Grounder, changes_meaning
from newsgold.systems.llm import LlmSystem
from newsgold.systems.llm_client import LlmSettings
from newsgold.systems.llm_prompt import answer_of, build_prompt, output_schema, parse_answer

REPO = Path(__file__).resolve().parents[2]
runner = CliRunner()
GOLD = {d.id: d for d in read_documents(REPO / "gold")}
TEST_IDS = sorted(d for d in GOLD if load_settings().splits.assign(d) == "test")[:3]


def _gold(tmp_path: Path, ids: list[str] = TEST_IDS) -> Path:
    path = tmp_path / "gold.jsonl"
    write_documents([GOLD[i] for i in ids], path)
    return path


def _perfect(body: dict[str, Any], article: str, call: int) -> Answer:
    """A model that answers with the gold annotations, by text alone."""
    [document] = [d for d in GOLD.values() if d.text == article]
    return Answer(json.dumps(answer_of(document, SCHEMA), ensure_ascii=False))


def _run(gold: Path, server: FakeLlm, tmp_path: Path, *extra: str) -> Any:
    return runner.invoke(app, ["eval", "run", "--llm", "fake-model", "--base-url", server.base_url, "--gold", str(gold),
                               "--out", str(tmp_path / "pred.jsonl"), "--llm-cache", str(tmp_path / "cache"),
                               "--samples", "50", "--json", *extra])


def test_prompt_and_json_schema_come_from_the_schema_file(tmp_path: Path) -> None:
    prompt = build_prompt(SCHEMA)
    for label in SCHEMA.labels:
        assert f"- {label.name}: {label.description}" in prompt.system
        for attribute in label.attributes:
            for value in attribute.value_names:
                assert f"    - {value}: " in prompt.system
    variants = prompt.json_schema["properties"]["spans"]["items"]["anyOf"]
    assert [v["properties"]["label"]["enum"] for v in variants] == [[name] for name in SCHEMA.label_names]
    # a label added to the schema file appears in the prompt and the JSON Schema, with nothing written for it
    data = yaml.safe_load((REPO / "configs" / "schema.yaml").read_text(encoding="utf-8"))
    data["labels"]["QUOTE"] = {"description": "A verbatim quotation.", "color": "#000000", "hotkey": "q",
                               "attributes": {"length": {"description": "How long.", "kind": "choice", "required": True,
                                                         "values": {"short": "One sentence.", "long": "Several."}}}}
    (tmp_path / "schema.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    extended = load_schema(tmp_path / "schema.yaml")
    other = build_prompt(extended)
    assert "- QUOTE: A verbatim quotation." in other.system and "    - short: One sentence." in other.system
    assert ["QUOTE"] in [v["properties"]["label"]["enum"] for v in output_schema(extended)["properties"]["spans"]["items"]["anyOf"]]
    assert other.sha256 != prompt.sha256


def test_few_shot_examples_come_from_the_train_split_only() -> None:
    examples = few_shot_examples(REPO / "gold", SCHEMA, 3, None)
    assign = load_settings().splits.assign
    assert len(examples) == 3 and all(assign(d.id) == "train" for d in examples)
    assert [len(d.text or "") for d in examples] == sorted(len(d.text or "") for d in examples)
    prompt = build_prompt(SCHEMA, examples=examples)
    assert len(prompt.examples) == 6 and prompt.examples[1]["role"] == "assistant"
    assert json.loads(prompt.examples[1]["content"])["spans"][0]["text"] in (examples[0].text or "")


def test_parse_answer_names_what_is_wrong() -> None:
    assert "not valid JSON" in (parse_answer("d", "{spans: [", SCHEMA)[1] or "")
    assert "unknown label 'PERSON'" in (parse_answer("d", '{"spans": [{"id": "s1", "label": "PERSON", "text": "x", "attributes": {}}], '
                                                     '"relations": []}', SCHEMA)[1] or "")
    document, problem = parse_answer("d", '```json\n{"spans": [], "relations": []}\n```', SCHEMA)
    assert problem is None and document is not None and document.spans == []


def test_a_perfect_model_scores_like_the_gold_and_a_rerun_is_served_from_the_cache(tmp_path: Path) -> None:
    gold = _gold(tmp_path)
    with FakeLlm(_perfect) as server:
        first = _run(gold, server, tmp_path)
        assert first.exit_code == 0, first.output
        report = json.loads(first.stdout)
        assert report["scores"]["strict"]["micro"]["f1"] > 0.99 and report["scores"]["relations"]["micro"]["f1"] > 0.99
        assert report["grounding"]["ungrounded"] == 0 and report["system_failures"] == []
        assert len(server.requests) == len(TEST_IDS)
        body = server.requests[0]
        assert body["response_format"]["type"] == "json_schema" and body["temperature"] == 0
        assert body["response_format"]["json_schema"]["schema"] == output_schema(SCHEMA)
        predictions = (tmp_path / "pred.jsonl").read_bytes()
        again = _run(gold, server, tmp_path)
        assert again.exit_code == 0 and len(server.requests) == len(TEST_IDS)  # nothing asked again
        assert (tmp_path / "pred.jsonl").read_bytes() == predictions
        assert f"0 request(s), {len(TEST_IDS)} cached" in again.stderr
        meta = read_documents(tmp_path / "pred.jsonl", require_text=False)[0].meta
        assert meta["model_version"].startswith("fake-model@prompt-") and meta["attempts"] == 1


def test_429_500_timeouts_and_bad_json_are_retried_and_unusable_answers_become_failures(tmp_path: Path) -> None:
    ids = TEST_IDS[:3]
    flaky, broken, slow = (GOLD[i].text for i in ids)

    def script(body: dict[str, Any], article: str, call: int) -> Answer:
        if article == flaky:
            if call == 1:
                return Answer(status=429, headers={"Retry-After": "0"})
            if call == 2:
                return Answer(status=503)
            if call == 3:
                return Answer("{\"spans\": [ {\"id\": \"s1\", ")  # cut off: not JSON, re-asked with the reason
            assert "not valid JSON" in body["messages"][-1]["content"]
        if article == broken:
            return Answer('{"spans": [{"id": "s1", "label": "PERSON", "text": "x", "attributes": {}}], "relations": []}')
        if article == slow and call == 1:
            return Answer("{}", delay=1.5)
        return _perfect(body, article, call)

    with FakeLlm(script) as server:
        result = _run(_gold(tmp_path, ids), server, tmp_path, "--llm-timeout", "0.5", "--repairs", "1", "--concurrency", "2")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    [failure] = report["system_failures"]
    assert failure["doc_id"] == ids[1] and "no usable answer after 2 attempt(s)" in failure["error"] and "PERSON" in failure["error"]
    scores = report["per_document"]
    assert scores[ids[0]]["strict"]["f1"] > 0.99 and scores[ids[2]]["strict"]["f1"] > 0.99
    assert scores[ids[1]]["strict"]["f1"] == 0.0  # the failed document is scored as an empty prediction
    predictions = {d.id: d for d in read_documents(tmp_path / "pred.jsonl", require_text=False)}
    assert predictions[ids[0]].meta["attempts"] == 2 and predictions[ids[1]].spans == []


def test_hallucinated_and_meaning_changing_spans_are_ungrounded_per_label(tmp_path: Path) -> None:
    document = GOLD[TEST_IDS[0]]
    number = next(s for s in document.spans if s.label == "CLAIM" and any(c.isdigit() for c in s.text or ""))
    changed = "".join(str((int(c) + 1) % 10) if c.isdigit() else c for c in number.text or "")

    def script(body: dict[str, Any], article: str, call: int) -> Answer:
        answer = answer_of(document, SCHEMA)
        claim = next(s for s in answer["spans"] if s["text"] == number.text)
        claim["text"] = changed
        answer["spans"].append({"id": "s999", "label": "SPEAKER", "text": "the Martian ambassador",
                                "attributes": {"mention": "nominal", "entity": "Mars"}})
        return Answer(json.dumps(answer, ensure_ascii=False))

    with FakeLlm(script) as server:
        result = _run(_gold(tmp_path, [document.id]), server, tmp_path, "--html", str(tmp_path / "report.html"))
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    by_label = report["grounding"]["by_label"]
    assert by_label["CLAIM"]["ungrounded"] == 1 and by_label["SPEAKER"]["ungrounded"] == 1 and by_label["EVENT"]["ungrounded"] == 0
    assert by_label["SPEAKER"]["rate"] == pytest.approx(1 / by_label["SPEAKER"]["predicted"])
    reasons = {u["text"]: u["reason"] for u in report["grounding"]["spans"]}
    assert "changes a number" in reasons[changed] and "not found" in reasons["the Martian ambassador"]
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Ungrounded spans" in page and "the Martian ambassador" in page


def test_token_budget_stops_sending_and_records_the_rest(tmp_path: Path) -> None:
    with FakeLlm(_perfect) as server:
        result = _run(_gold(tmp_path), server, tmp_path, "--max-tokens", "10", "--concurrency", "1")
    assert result.exit_code == 0, result.output
    failures = json.loads(result.stdout)["system_failures"]
    assert len(server.requests) == 1 and [f["doc_id"] for f in failures] == TEST_IDS[1:]
    assert all("token budget exhausted" in f["error"] for f in failures)


def test_the_api_key_comes_from_the_environment_and_a_wrong_one_stops_the_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeLlm(_perfect, api_key="sk-test-secret") as server:
        monkeypatch.setenv("NEWSGOLD_TEST_KEY", "sk-test-secret")
        ok = _run(_gold(tmp_path, TEST_IDS[:1]), server, tmp_path, "--api-key-env", "NEWSGOLD_TEST_KEY")
        assert ok.exit_code == 0 and "sk-test-secret" not in ok.output
        monkeypatch.setenv("NEWSGOLD_TEST_KEY", "wrong")
        refused = _run(_gold(tmp_path, TEST_IDS[1:2]), server, tmp_path, "--api-key-env", "NEWSGOLD_TEST_KEY")
    assert refused.exit_code == 1 and "Traceback" not in refused.output
    assert "401" in refused.output and "$NEWSGOLD_TEST_KEY" in refused.output


def test_an_unreachable_server_is_one_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["eval", "run", "--llm", "m", "--base-url", "http://127.0.0.1:9/v1", "--gold", str(_gold(tmp_path, TEST_IDS[:1])),
                                 "--out", str(tmp_path / "p.jsonl"), "--no-llm-cache", "--retries", "1"])
    assert result.exit_code == 1 and "Traceback" not in result.output and "unreachable" in result.output
    missing = runner.invoke(app, ["eval", "run", "--llm", "m", "--gold", str(_gold(tmp_path, TEST_IDS[:1]))], env={"OPENAI_BASE_URL": ""})
    assert missing.exit_code == 1 and "--base-url" in missing.output


def test_the_system_keeps_input_order_with_concurrency() -> None:
    documents = [Document(id=f"d{i}", text=f"Officials said {i} people arrived.") for i in range(12)]

    def script(body: dict[str, Any], article: str, call: int) -> Answer:
        count = article.split()[2]
        return Answer(json.dumps({"spans": [{"id": "s1", "label": "CLAIM", "text": f"{count} people arrived",
                                             "attributes": {"voice": "attributed", "quote": "indirect", "checkworthy": "yes"}}],
                                  "relations": []}), delay=0.05 * (12 - int(count)) / 12)

    with FakeLlm(script) as server:
        system = LlmSystem.create(LlmSettings(model="m", base_url=server.base_url, concurrency=4, cache_dir=None), SCHEMA)
        predictions = list(system.predict(documents))
    assert [p.id for p in predictions] == [d.id for d in documents]
    assert [p.spans[0].start for p in predictions] == [15] * 12
    assert all(p.spans[0].text == f"{i} people arrived" for i, p in enumerate(predictions))


def test_near_matches_ground_but_never_change_a_number_or_negation() -> None:
    text = "Officials said 15 people died in the attack on Tuesday. Russia did not attack the convoy, he said."
    grounder = Grounder(text, fuzzy=0.85)
    assert grounder.candidates("people died in an attack on Tuesday") == [((18, 55), False)]
    assert grounder.candidates("16 people died in the attack") == [] and "changes a number" in grounder.vetoed["16 people died in the attack"]
    assert grounder.candidates("Russia did attack the convoy") == [] and "negation" in grounder.vetoed["Russia did attack the convoy"]
    assert Grounder(text).candidates("people died in an attack on Tuesday") == []  # the scorer's grounder stays exact


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(["the", "army", "said", "not", "no", "7", "12", "3.5", "people", "village", "never", "left"]), min_size=3, max_size=25),
       st.data())
def test_a_fuzzy_match_keeps_every_number_and_negation(words: list[str], data: st.DataObject) -> None:
    text = " ".join(words)
    start = data.draw(st.integers(0, len(words) - 1))
    end = data.draw(st.integers(start + 1, len(words)))
    needle = words[start:end]
    index = data.draw(st.integers(0, len(needle) - 1))
    needle[index] = data.draw(st.sampled_from(["8", "13", "not", "army", "village", "never"]))
    found = Grounder(text, fuzzy=0.6).candidates(" ".join(needle))
    for (s, e), _ in found:
        assert changes_meaning(" ".join(needle), text[s:e]) is None


def test_repeated_mentions_in_reading_order_take_successive_occurrences() -> None:
    text = "Peskov said the talks failed. Later Peskov said talks would resume."

    def script(body: dict[str, Any], article: str, call: int) -> Answer:
        speaker = {"label": "SPEAKER", "text": "Peskov", "attributes": {"mention": "name", "entity": "Dmitry Peskov"}}
        return Answer(json.dumps({"spans": [{"id": "s1", **speaker}, {"id": "s2", **speaker}], "relations": []}))

    with FakeLlm(script) as server:
        system = LlmSystem.create(LlmSettings(model="m", base_url=server.base_url, cache_dir=None), SCHEMA)
        [prediction] = list(system.predict([Document(id="d", text=text)]))
        system.close()
    assert [(s.start, s.end) for s in prediction.spans] == [(0, 6), (36, 42)]


def test_a_cut_off_answer_fails_its_document_without_re_asking(tmp_path: Path) -> None:
    def script(body: dict[str, Any], article: str, call: int) -> Answer:
        assert body["max_tokens"] == 50
        return Answer('{"spans": [{"id": "s1", "label": "CLAIM", "text": "Russia has', finish="length")

    with FakeLlm(script) as server:
        result = _run(_gold(tmp_path, TEST_IDS[:1]), server, tmp_path, "--max-output-tokens", "50")
    assert result.exit_code == 0, result.output
    [failure] = json.loads(result.stdout)["system_failures"]
    assert "cut off at 50 tokens" in failure["error"] and len(server.requests) == 1


def test_the_cache_is_per_server(tmp_path: Path) -> None:
    gold = _gold(tmp_path, TEST_IDS[:1])
    with FakeLlm(_perfect) as first, FakeLlm(_perfect) as second:
        assert _run(gold, first, tmp_path).exit_code == 0 and len(first.requests) == 1
        assert _run(gold, second, tmp_path).exit_code == 0 and len(second.requests) == 1  # same model name, another server
        assert _run(gold, first, tmp_path).exit_code == 0 and len(first.requests) == 1  # its own answers: cached


def test_few_shot_examples_are_never_scored(tmp_path: Path) -> None:
    with FakeLlm(_perfect) as server:
        for extra in ([], ["--split", "train"]):
            result = runner.invoke(app, ["eval", "run", "--llm", "m", "--base-url", server.base_url, "--few-shot", "2",
                                         "--out", str(tmp_path / "p.jsonl"), *extra])
            assert result.exit_code == 1 and "--split validation" in result.output
        assert server.requests == []


@pytest.mark.parametrize("url", ["localhost:8000/v1", "ftp://example.org/v1", "http:///v1"])
def test_a_base_url_without_http_and_a_host_is_refused_at_once(url: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["eval", "run", "--llm", "m", "--base-url", url, "--gold", str(_gold(tmp_path, TEST_IDS[:1])),
                                 "--out", str(tmp_path / "p.jsonl")])
    assert result.exit_code == 1 and "not an http(s) URL with a host" in result.output and "Traceback" not in result.output


def test_pre_annotations_leave_out_documents_the_model_failed_on() -> None:
    """`annotate push --llm`: a failed document gets no (empty) pre-annotation; the failure is reported."""
    from newsgold.annotation.preannotate import pre_annotations

    documents = [GOLD[i] for i in TEST_IDS[:2]]

    def script(body: dict[str, Any], article: str, call: int) -> Answer:
        if article == documents[1].text:
            return Answer("not json at all")
        return _perfect(body, article, call)

    with FakeLlm(script) as server:
        system = LlmSystem.create(LlmSettings(model="m", base_url=server.base_url, cache_dir=None, repairs=0), SCHEMA)
        pre = pre_annotations(documents, SCHEMA, system=system)
        system.close()
    assert pre is not None and pre.model_version == system.model_version
    assert list(pre.predictions) == [documents[0].id] and list(pre.failures) == [documents[1].id]
    assert "not valid JSON" in pre.failures[documents[1].id]
