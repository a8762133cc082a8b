"""The README's model-developer commands work as written (run through the CLI, from the repo root)."""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsgold.cli import app

REPO = Path(__file__).parents[1]


def _commands() -> list[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Model developers") : readme.index("## The Document record")]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)  # type: ignore[union-attr]
    return [line.split("#")[0].strip() for line in block.splitlines() if line.strip() and not line.startswith("#")]


def test_readme_lists_the_four_ways() -> None:
    commands = _commands()
    assert any(" eval score " in c for c in commands)
    assert any("keyword_system:predict" in c for c in commands)
    assert any("--cmd" in c for c in commands)
    assert any("--llm" in c for c in commands)


def _gold_answers(body, article, call):  # type: ignore[no-untyped-def]
    """The local OpenAI-compatible server answers with the gold annotations (no model runs here)."""
    import json

    from llm_server import Answer

    from newsgold.io.config import load_schema
    from newsgold.io.documents import read_documents
    from newsgold.systems.llm_prompt import answer_of

    [document] = [d for d in read_documents(REPO / "gold") if d.text == article]
    return Answer(json.dumps(answer_of(document, load_schema()), ensure_ascii=False))


def test_model_developer_commands_work_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    runner = CliRunner()
    for line in _commands():
        words = shlex.split(line)
        env = {}
        while "=" in words[0]:
            name, value = words.pop(0).split("=", 1)
            env[name] = value
        if "PYTHONPATH" in env:
            monkeypatch.syspath_prepend(str(REPO / env["PYTHONPATH"]))
        assert words[0] == "newsgold"
        # write into a temporary build folder so the test leaves the working tree alone
        args = [w.replace("build/", f"{tmp_path}/") for w in words[1:]]
        args = [w.replace("python ", f"{os.sys.executable} ") for w in args]
        if "--llm" in args:  # the README's server stands in for a real one: the same command, a local URL
            from llm_server import FakeLlm

            with FakeLlm(_gold_answers) as server:
                args[args.index("--base-url") + 1] = server.base_url
                result = runner.invoke(app, [*args, "--llm-cache", str(tmp_path / "llm-cache")])
            assert len(server.requests) == 3  # the validation split
        else:
            result = runner.invoke(app, args)
        assert result.exit_code == 0, f"{line}\n{result.output}"
        assert "Traceback" not in result.output
