"""Tamper evidence: the manifest hashes every output and source; `verify` finds a single
changed byte in a deployed copy (folder or URL); a changed record shows its revisions."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import pipeline
from generator.cli import main
from generator.verify import verify_site
from tests.serve_static import serve_dir

from .conftest import AS_OF, ASSOC
from .corpus import tree_digest


def _manifest(public: Path) -> dict:
    return json.loads((public / "manifest.json").read_text("utf-8"))


def test_manifest_hashes_every_output_and_public_source(rich_site: tuple[Path, Path]) -> None:
    content, public = rich_site
    manifest = _manifest(public)
    outputs = {k: v for k, v in tree_digest(public).items() if k != "manifest.json"}
    assert manifest["files"] == outputs
    sources = manifest["sources"]
    assert sources["site.yaml"] == hashlib.sha256((content / "site.yaml").read_bytes()).hexdigest()
    for rel in (f"{ASSOC}/association.yaml", f"{ASSOC}/sanctions/2025-批评-002.md"):
        assert sources[rel] == hashlib.sha256((content / rel).read_bytes()).hexdigest()
    # A private record's path is not published, not even in the manifest.
    assert not [s for s in sources if "member-disclosures" in s or "2025-警告-004" in s]
    assert manifest["built_from"] == {"commit": None, "dirty": None}


def _deployed_copy(public: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "deployed"
    shutil.copytree(public, copy)
    return copy


def test_verify_accepts_an_exact_copy(rich_site: tuple[Path, Path], tmp_path: Path) -> None:
    content, public = rich_site
    result = CliRunner().invoke(main, ["verify", str(_deployed_copy(public, tmp_path)), "--content", str(content)])
    assert result.exit_code == 0, result.output


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_verify_reports_exactly_the_file_with_a_flipped_byte(rich_site: tuple[Path, Path], tmp_path_factory:
                                                             pytest.TempPathFactory, data: st.DataObject) -> None:
    content, public = rich_site
    files = sorted(k for k in tree_digest(public) if k != "manifest.json")
    victim = data.draw(st.sampled_from(files), label="file")
    deployed = _deployed_copy(public, tmp_path_factory.mktemp("flip"))
    raw = bytearray((deployed / victim).read_bytes())
    at = data.draw(st.integers(0, len(raw) - 1), label="offset")
    raw[at] ^= data.draw(st.integers(1, 255), label="xor")
    (deployed / victim).write_bytes(bytes(raw))
    differences = verify_site(str(deployed), content)
    assert len(differences) == 1 and differences[0].startswith(victim + ":"), differences


def test_verify_over_http(rich_site: tuple[Path, Path], tmp_path: Path) -> None:
    content, public = rich_site
    deployed = _deployed_copy(public, tmp_path)
    page = f"{ASSOC}/sanctions/2025-批评-003/index.html"
    with serve_dir(deployed) as (base, _handler):
        assert verify_site(base, content) == []
        text = (deployed / page).read_text("utf-8").replace("李某某", "李明华", 1)
        (deployed / page).write_text(text, "utf-8")
        differences = verify_site(base + "/", content)
    assert len(differences) == 1 and differences[0].startswith(page + ":")


def test_verify_lists_missing_extra_and_changed_sources(rich_content: Path, tmp_path: Path) -> None:
    public = tmp_path / "public"
    assert pipeline.build(rich_content, public, AS_OF).ok
    deployed = _deployed_copy(public, tmp_path)
    (deployed / "robots.txt").unlink()
    (deployed / "extra.html").write_text("<p>多出来的页面</p>", "utf-8")
    charter = rich_content / ASSOC / "charter.md"
    charter.write_text(charter.read_text("utf-8").replace("非营利性社会组织", "非营利性社会团体"), "utf-8")
    differences = verify_site(str(deployed), rich_content)
    by_file = {d.split(": ", 1)[0]: d for d in differences}
    assert "robots.txt" in by_file and "extra.html" in by_file
    assert f"source {ASSOC}/charter.md" in by_file
    assert f"{ASSOC}/charter/index.html" in by_file  # the page a rebuild would now write differently


def test_verify_without_manifest_or_with_a_forged_one(rich_site: tuple[Path, Path], tmp_path: Path) -> None:
    content, public = rich_site
    deployed = _deployed_copy(public, tmp_path)
    manifest = _manifest(deployed)
    manifest["files"]["../../etc/passwd"] = "0" * 64
    (deployed / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    assert verify_site(str(deployed), content) == ["../../etc/passwd: 清单中的路径不安全 / unsafe path in the manifest"]
    (deployed / "manifest.json").unlink()
    assert len(verify_site(str(deployed), content)) == 1


# --- git: built-from commit and revision history ---------------------------------------------

GIT_ENV = {"GIT_AUTHOR_NAME": "秘书处", "GIT_AUTHOR_EMAIL": "office@example.org", "GIT_COMMITTER_NAME": "秘书处",
           "GIT_COMMITTER_EMAIL": "office@example.org", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def _git(repo: Path, *args: str, date: str | None = None) -> str:
    env = {**os.environ, **GIT_ENV}
    if date:
        env.update(GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True).stdout.strip()


def test_commit_is_recorded_and_a_changed_record_shows_two_revisions(rich_content: Path, tmp_path: Path) -> None:
    repo = rich_content
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "发布惩戒决定", date="2025-06-10T10:00:00+08:00")
    first = _git(repo, "rev-parse", "HEAD")
    sanction = repo / ASSOC / "sanctions/2025-批评-002.md"
    sanction.write_text(sanction.read_text("utf-8").replace("第二十条", "第二十一条"), "utf-8")
    _git(repo, "commit", "-qam", "更正惩戒依据条款", date="2025-06-12T09:30:00+08:00")
    head = _git(repo, "rev-parse", "HEAD")

    public = tmp_path / "public"
    assert pipeline.build(repo, public, AS_OF).ok
    assert _manifest(public)["built_from"] == {"commit": head, "dirty": False}
    page = (public / ASSOC / "sanctions/2025-批评-002/index.html").read_text("utf-8")
    history = page[page.index('class="history"'):]
    for commit, message in ((first, "发布惩戒决定"), (head, "更正惩戒依据条款")):
        assert commit[:7] in history and message in history
    assert "第二十一条" in page

    # The repository moves on: the deployed copy no longer matches its HEAD.
    (repo / "site.yaml").write_text((repo / "site.yaml").read_text("utf-8") + "page_size: 20\n", "utf-8")
    _git(repo, "commit", "-qam", "调整分页")
    differences = verify_site(str(public), repo)
    assert any(d.startswith("commit:") and head in d for d in differences)
    assert any(d.startswith("source site.yaml:") for d in differences)


def test_dirty_tree_is_recorded(rich_content: Path, tmp_path: Path) -> None:
    _git(rich_content, "init", "-q", "-b", "main")
    _git(rich_content, "add", "-A")
    _git(rich_content, "commit", "-qm", "初始内容")
    (rich_content / ASSOC / "charter.md").write_text(
        (rich_content / ASSOC / "charter.md").read_text("utf-8") + "\n第二条　未提交的修改。\n", "utf-8")
    public = tmp_path / "public"
    assert pipeline.build(rich_content, public, AS_OF).ok
    assert _manifest(public)["built_from"]["dirty"] is True
    assert any("uncommitted" in d for d in verify_site(str(public), rich_content))
