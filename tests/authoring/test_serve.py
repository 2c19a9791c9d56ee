"""`gongshi serve` over real HTTP: edits show up, broken content shows its diagnostics in
Chinese instead of a stale page, and the site comes back as soon as the file is fixed."""

from __future__ import annotations

import datetime as dt
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import quote

import pytest

from generator.serve import PreviewServer

SANCTION = "associations/测试协会/sanctions/2025-警告-001.md"
PAGE = quote("associations/测试协会/sanctions/2025-警告-001/")
TIMEOUT = 30.0
AS_OF = dt.date(2025, 6, 1)  # while the fixture's warning (decided 2025-04-25) is still on public display


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8")


def wait_for(url: str, ok: Callable[[int, str], bool]) -> tuple[int, str]:
    deadline = time.monotonic() + TIMEOUT
    status, body = fetch(url)
    while not ok(status, body):
        if time.monotonic() > deadline:
            raise AssertionError(f"no such page within {TIMEOUT}s; last: {status} {body[:300]}")
        time.sleep(0.2)
        status, body = fetch(url)
    return status, body


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture()
def server(minimal_copy: Path) -> Iterator[PreviewServer]:
    s = PreviewServer(minimal_copy, "127.0.0.1", 0, poll_seconds=0.2, as_of=AS_OF, log=lambda _m: None).start()
    try:
        yield s
    finally:
        s.stop()


def test_edit_break_fix_cycle(server: PreviewServer, minimal_copy: Path) -> None:
    url = server.url + PAGE
    status, body = fetch(url)
    assert status == 200 and "深圳市甲公司" in body
    assert "/livereload.js" in body, "the page must reload itself when the site is rebuilt"
    assert not (minimal_copy.parent / "public").exists(), "the preview never writes public/"

    sanction = minimal_copy / SANCTION
    edit(sanction, "在宣传中使用“最高级”等用语。", "在宣传中使用“最高级”“第一品牌”等用语（已核实）。")
    wait_for(url, lambda s, b: s == 200 and "第一品牌" in b)

    edit(sanction, "decided_on: 2025-04-25", "decided_on: 2025-02-30")
    status, body = wait_for(url, lambda s, b: "2025-02-30" in b)
    assert status == 500
    assert "sanctions/2025-警告-001.md" in body                 # the file
    line = next(n for n, t in enumerate(sanction.read_text(encoding="utf-8").split("\n"), 1) if t.startswith("decided_on:"))
    assert f"第 {line} 行" in body                               # the line
    assert "不是有效日期" in body                                # the Chinese message
    assert "第一品牌" not in body, "a broken site must not be shown as if it were current"
    # Every page of the site says the same while the content is broken, not only the edited one.
    assert "不是有效日期" in fetch(server.url)[1]

    edit(sanction, "decided_on: 2025-02-30", "decided_on: 2025-04-25")
    status, body = wait_for(url, lambda s, b: s == 200 and "第一品牌" in b)
    assert "不是有效日期" not in body


def test_content_broken_from_the_start_then_fixed(minimal_copy: Path) -> None:
    profile = minimal_copy / "associations/测试协会/association.yaml"
    edit(profile, "uscc: 51440300MJL0000103", "uscc: 51440300MJL0000104")
    with PreviewServer(minimal_copy, "127.0.0.1", 0, poll_seconds=0.2, as_of=AS_OF, log=lambda _m: None) as s:
        status, body = fetch(s.url)
        assert status == 500 and "association.yaml" in body and "统一社会信用代码" in body
        assert "<script" in body and "/livereload.js" in body  # so the fix reloads the page
        edit(profile, "uscc: 51440300MJL0000104", "uscc: 51440300MJL0000103")
        wait_for(s.url, lambda st, b: st == 200 and "深圳市测试行业协会" in b)


def test_theme_change_rebuilds(server: PreviewServer, minimal_copy: Path) -> None:
    # A site's own theme overrides the default: adding one is a theme change the preview must pick up.
    override = minimal_copy / "theme" / "static" / "gongshi-preview-test.css"
    override.parent.mkdir(parents=True)
    before = server.builds
    override.write_text("body{color:#111}", encoding="utf-8")
    deadline = time.monotonic() + TIMEOUT
    while server.builds == before:
        assert time.monotonic() < deadline, "no rebuild after a theme file was added"
        time.sleep(0.1)
    served = [p for p in server.session.artifacts if p.startswith("static/gongshi-preview-test.")]
    assert served and fetch(server.url + served[0]) == (200, "body{color:#111}")


def test_unknown_page_is_the_sites_404(server: PreviewServer) -> None:
    status, body = fetch(server.url + quote("没有这个页面/"))
    assert status == 404 and "<html" in body


def test_stop_releases_the_port(minimal_copy: Path) -> None:
    s = PreviewServer(minimal_copy, "127.0.0.1", 0, as_of=AS_OF, log=lambda _m: None).start()
    url = s.url
    assert fetch(url)[0] == 200
    s.stop()
    assert not (minimal_copy.parent / "public").exists(), "the preview keeps the site in memory"
    with pytest.raises(OSError):
        urllib.request.urlopen(url, timeout=3)
