"""The web editor for real: the built /admin/ page in Chromium against Decap's local
backend (decap-server, git mode) on a temporary git repository; a sanction created
through the form is committed to a review branch, and that file passes `gongshi check`."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest
import yaml
from click.testing import CliRunner

from generator import pipeline
from generator.cli import main
from generator.cms import cache_dir
from tests.conftest import FIXTURES, IN_CI, require_tool
from tests.serve_static import serve_dir

AS_OF = dt.date(2025, 6, 1)
GIT = ["git", "-c", "user.name=秘书处", "-c", "user.email=secretariat@example.org", "-c", "commit.gpgsign=false"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def decap_server_bin() -> str:
    """decap-server from the npm registry, installed once into the build cache."""
    npm = require_tool("npm")
    prefix = cache_dir() / "npm" / "decap-server-3"
    exe = prefix / "node_modules" / ".bin" / "decap-server"
    if not exe.exists():
        done = subprocess.run([npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund", "--no-save",
                               "--loglevel=error", "decap-server@3"], capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            (pytest.fail if IN_CI else pytest.skip)(f"cannot install decap-server: {done.stderr[-500:]}")
    return str(exe)


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    """A content repository like an association's: content/ in git, on main, Chinese paths unquoted."""
    root = tmp_path / "协会仓库"
    shutil.copytree(FIXTURES / "minimal", root / "content")
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    # decap-server reads `git diff` output: with quoted (octal-escaped) Chinese paths it cannot find files.
    subprocess.run(["git", "-C", str(root), "config", "core.quotePath", "false"], check=True)
    subprocess.run([*GIT, "-C", str(root), "add", "."], check=True)
    subprocess.run([*GIT, "-C", str(root), "commit", "-q", "-m", "初始内容"], check=True)
    return root


@pytest.fixture()
def site(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, int]]:
    port = free_port()
    monkeypatch.setenv("GONGSHI_CMS_LOCAL_BACKEND", f"http://localhost:{port}/api/v1")
    out = tmp_path / "public"
    result = pipeline.build(repo / "content", out, AS_OF)
    assert result.ok, [d.message() for d in result.diagnostics]
    if not (out / "admin" / "index.html").exists():
        (pytest.fail if IN_CI else pytest.skip)("admin/ not built (npm unavailable)")
    with serve_dir(out) as (url, _handler):
        yield url, port


@pytest.fixture()
def decap_server(repo: Path, site: tuple[str, int]) -> Iterator[None]:
    require_tool("node")
    exe = decap_server_bin()
    port = site[1]
    env = {**os.environ, "PORT": str(port), "MODE": "git", "GIT_REPO_DIRECTORY": str(repo), "BIND_HOST": "127.0.0.1",
           "GIT_AUTHOR_NAME": "秘书处", "GIT_AUTHOR_EMAIL": "secretariat@example.org",
           "GIT_COMMITTER_NAME": "秘书处", "GIT_COMMITTER_EMAIL": "secretariat@example.org"}
    proc = subprocess.Popen([exe], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                req = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1", data=b'{"action":"info"}',
                                             headers={"Content-Type": "application/json"})
                urllib.request.urlopen(req, timeout=2).read()
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, "decap-server did not start"
                time.sleep(0.2)
        yield
    finally:
        proc.terminate()
        proc.wait(10)


def test_admin_is_served_from_the_site_not_a_cdn(site: tuple[str, int]) -> None:
    url, _ = site
    page = urllib.request.urlopen(url + "/admin/").read().decode()
    scripts = re.findall(r'<script src="([^"]+)"', page)
    assert scripts and all(s.startswith("/admin/decap-cms/") for s in scripts)
    assert urllib.request.urlopen(url + scripts[0]).status == 200
    config = yaml.safe_load(urllib.request.urlopen(url + "/admin/config.yml").read())
    assert config["backend"]["name"] == "github"


def test_create_a_sanction_through_the_form(repo: Path, site: tuple[str, int], decap_server: None,
                                            browser: object, tmp_path: Path) -> None:
    url, _ = site
    config = yaml.safe_load(urllib.request.urlopen(url + "/admin/config.yml").read())
    collection = next(c["name"] for c in config["collections"]
                      if c.get("folder", "").endswith("测试协会/sanctions"))
    page = browser.new_page(viewport={"width": 1400, "height": 1000})  # type: ignore[attr-defined]
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(url + "/admin/")
        page.get_by_role("button", name="登录").click()           # the local backend: no account needed
        page.wait_for_timeout(500)
        page.goto(f"{url}/admin/#/collections/{collection}/new")
        page.wait_for_selector("[id^=title-field]", timeout=30_000)
        assert page.get_by_text("惩戒决定书文号").count() > 0     # Chinese labels from the models

        def fill(field: str, value: str) -> None:
            page.locator(f"[id^={field}-field]").first.fill(value)

        fill("title", "关于对深圳市甲公司予以公开谴责的决定")
        fill("decision_number", "深测协自律〔2025〕7号")
        fill("name", "深圳市甲公司")
        fill("uscc", "91440300MA5F00012E")
        measure = page.locator("[id^=measure-field]").first
        measure.click()
        measure.type("公开谴责")                                   # the select shows Chinese labels…
        page.keyboard.press("Enter")
        fill("rule_broken", "《行业自律公约》第十二条")
        fill("facts", "在宣传中使用“最高级”等用语，经提醒后仍未改正。")
        fill("basis", "《行业自律公约》第二十条")
        fill("decided_by", "行业自律委员会")
        fill("decided_on", "2025-05-20")
        page.get_by_role("button", name="保存").first.click()
        page.get_by_text("已保存").first.wait_for(timeout=30_000)
    finally:
        page.close()
    assert not errors, errors

    # Saving opens a review branch (a pull request on GitHub); main is untouched until it is merged.
    branches = subprocess.run(["git", "-C", str(repo), "branch", "--format=%(refname:short)"], capture_output=True,
                              text=True, check=True).stdout.split()
    review = [b for b in branches if b.startswith(f"cms/{collection}/")]
    assert len(review) == 1, branches
    # Read main and the review branch from git itself: decap-server switches branches in the
    # working tree while it saves, so the working tree is not evidence of what main holds.
    on_main = subprocess.run(["git", "-C", str(repo), "-c", "core.quotePath=false", "ls-tree", "-r", "--name-only",
                              "main", "--", "content/associations/测试协会/sanctions"],
                             capture_output=True, text=True, check=True).stdout.split()
    assert on_main == ["content/associations/测试协会/sanctions/2025-警告-001.md"]

    tree = tmp_path / "审核"
    tree.mkdir()
    archive = subprocess.run(["git", "-C", str(repo), "archive", review[0], "content"], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
    written = [p for p in (tree / "content/associations/测试协会/sanctions").iterdir() if p.name != "2025-警告-001.md"]
    assert len(written) == 1
    front = yaml.safe_load(written[0].read_text(encoding="utf-8").split("---")[1])
    assert front["measure"] == "public_censure"                  # …and writes the code
    assert front["decision_number"] == "深测协自律〔2025〕7号"
    result = CliRunner().invoke(main, ["check", "--content", str(tree / "content"), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert '"errors": 0' in result.output
    assert written[0].name in {d.raw.path.name for d in pipeline.check(tree / "content").documents}
