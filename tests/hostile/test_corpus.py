"""Every hostile case: `check` and `build` exit 1 with the diagnostic at its file and line,
never a traceback, and a previously built public/ stays byte for byte as it was. Accepted
oddities (BOM, CRLF) build."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from generator.cli import main

from .corpus import Case, fresh_content, load_cases, tree_digest

CASES = load_cases()
AS_OF = "2026-01-15"


def test_corpus_is_large_and_unique() -> None:
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))
    assert len(CASES) >= 50
    codes = {e.code for c in CASES for e in c.expect}
    # The corpus exercises every family of refusal, not fifty variants of one.
    for family in ("yaml.", "file.", "schema.", "ref.", "date.", "privacy.", "markdown.", "attachment.", "frontmatter."):
        assert any(code.startswith(family) for code in codes), family


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The minimal site built once; each case starts from a copy of this output."""
    root = tmp_path_factory.mktemp("baseline")
    content = fresh_content(root / "content")
    result = _run("build", "--content", str(content), "--out", str(root / "public"), "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    return root / "public"


def _run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=True)


def _no_traceback(result: Result) -> None:
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"crashed: {result.exception!r}\n{result.output}") from result.exception


def _found(diagnostics: list[dict], content: Path) -> set[tuple[str, str, int]]:
    out = set()
    for d in diagnostics:
        absolute = os.path.normpath(os.path.join(os.getcwd(), d["file"]))
        try:
            rel = Path(absolute).relative_to(content).as_posix()
        except ValueError:
            rel = absolute
        out.add((d["code"], rel, d["line"]))
    return out


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_case(case: Case, baseline: Path, tmp_path: Path) -> None:
    content = fresh_content(tmp_path / "content")
    case.apply(content, tmp_path / "scratch")
    public = tmp_path / "public"
    shutil.copytree(baseline, public)
    before = tree_digest(public)

    checked = _run("check", "--content", str(content), "--format", "json")
    _no_traceback(checked)
    report = json.loads(checked.output)
    found = _found(report["diagnostics"], content)

    built = _run("build", "--content", str(content), "--out", str(public), "--as-of", AS_OF)
    _no_traceback(built)

    if case.accept:
        assert checked.exit_code == 0, found
        assert built.exit_code == 0, built.output
        assert tree_digest(public) != {}
        return
    assert checked.exit_code == 1, f"{case.about}: check passed"
    for e in case.expect:
        assert (e.code, e.file, e.line) in found, f"{case.about}: expected {e} in {sorted(found)}"
    assert built.exit_code == 1, f"{case.about}: build passed"
    assert tree_digest(public) == before, f"{case.about}: public/ changed by a failed build"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".public")) == [], "staging left behind"
