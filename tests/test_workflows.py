"""The GitHub workflows: valid by GitHub's schema (check-jsonschema's vendored copy, no network),
one running ``.ci/run``, one building the book and deploying ``_build/html`` to GitHub Pages."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

WORKFLOWS = Path(__file__).resolve().parents[1] / ".github" / "workflows"


def _lint(*paths: Path) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "check_jsonschema", "--builtin-schema",
               "vendor.github-workflows", *map(str, paths)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def _steps(name: str) -> list[dict]:
    jobs = yaml.safe_load((WORKFLOWS / name).read_text())["jobs"]
    return [step for job in jobs.values() for step in job.get("steps", [])]


def test_workflows_are_valid():
    done = _lint(*sorted(WORKFLOWS.glob("*.yml")))
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_linter_rejects_a_broken_workflow(tmp_path: Path):
    broken = tmp_path / "broken.yml"
    broken.write_text("name: x\non: push\njobs:\n  a:\n    steps:\n      - run: echo\n")
    done = _lint(broken)
    assert done.returncode != 0 and "'runs-on' is a required property" in done.stdout


def test_ci_runs_the_ci_script():
    assert any(step.get("run") == ".ci/run" for step in _steps("ci.yml"))


def test_pages_builds_the_book_and_deploys_it():
    steps = _steps("pages.yml")
    assert any(step.get("run") == "make book" for step in steps)
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-pages-artifact"))
    assert upload["with"]["path"] == "_build/html"
    assert any(s.get("uses", "").startswith("actions/deploy-pages") for s in steps)
