"""The architecture is enforced, not described: one-way layers (import-linter) and the lint rules."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _tool(name: str) -> str:
    path = Path(sys.executable).parent / name
    return str(path) if path.exists() else (shutil.which(name) or name)


def test_dependencies_point_one_way() -> None:
    """model -> text -> spans -> io -> systems -> evaluate -> corpus | annotation -> cli (pyproject.toml)."""
    result = subprocess.run([_tool("lint-imports")], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_a_backward_import_breaks_the_contract(tmp_path: Path) -> None:
    """The contract can fail: a copy of the package in which the model imports the evaluator is refused."""
    copy = tmp_path / "newsgold"
    shutil.copytree(REPO / "newsgold", copy, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "model" / "problems.py").write_text((copy / "model" / "problems.py").read_text() + "\nimport newsgold.evaluate.scorer\n")
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    result = subprocess.run([_tool("lint-imports")], cwd=tmp_path, capture_output=True, text=True,
                            env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert result.returncode != 0 and "broken" in result.stdout, result.stdout + result.stderr
    assert "newsgold.model.problems -> newsgold.evaluate.scorer" in result.stdout


def test_ruff_finds_nothing() -> None:
    result = subprocess.run([_tool("ruff"), "check", "newsgold", "tests", "benchmarks", "examples"], cwd=REPO,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_on_the_model_spans_and_scorer() -> None:
    """Type-checked strictly (pyproject.toml [tool.mypy]): the data model, the span logic and the scorer."""
    result = subprocess.run([_tool("mypy"), "newsgold/model", "newsgold/spans", "newsgold/evaluate"], cwd=REPO,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success: no issues found" in result.stdout


HEAVY = ("spacy", "datasets", "pyarrow", "label_studio_sdk", "scipy", "httpx")


def test_the_command_line_imports_no_heavy_library_until_a_command_runs() -> None:
    """`--help` stays instant: each command imports spaCy, datasets, pyarrow, the Label Studio SDK,
    scipy or httpx itself, when it runs (benchmarks/cli_bench.py measures the start-up)."""
    probe = "import sys, newsgold.cli; print(','.join(m for m in %r if m in sys.modules))" % (HEAVY,)
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "", f"import newsgold.cli imported {done.stdout.strip()}"
