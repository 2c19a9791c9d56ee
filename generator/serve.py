"""`gongshi serve`: a local preview that follows every edit and reloads the open page.

The site is held in memory by a warm session (`generator.live.Session`), never written to
`public/`: after an edit only the edited association is read, validated and evaluated again,
the outputs are listed again, and a page is rendered when the browser asks for it (and kept
until an edit may change it). It is served by Tornado and reloaded in the browser through
livereload's websocket protocol and script, as soon as the model is up to date. When the
content is broken, every page answers with the diagnostics (file, line, message in Chinese,
the offending line) instead of the last good site, so nobody mistakes a stale page for their
edit; the first good build after the fix brings the site back and reloads the page again.
A theme template that fails to render shows its traceback the same way.

Changes are told by the kernel on Linux (inotify, `generator.watch`: no walk of 10,000
files several times a second); elsewhere, or past the watch limit, noticed by polling a
snapshot (path → mtime, size) of the content folder and the theme, which works on every file
system and editor (atomic saves, network drives). Either way what changed is known. Edits of
site.yaml, calendar/ or a theme read everything again.

`PreviewServer` runs in a background thread with its own event loop, so tests (and other
tools) can start it, talk to it over real HTTP and stop it; `serve()` is the blocking
command. livereload keeps its websocket clients in class attributes, so one preview server
per process at a time.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import mimetypes
import os
import sys
import threading
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler
from livereload.server import LiveScriptInjector
from livereload.watcher import get_watcher_class
from tornado import web
from tornado.httpserver import HTTPServer
from tornado.ioloop import IOLoop, PeriodicCallback
from tornado.netutil import bind_sockets

from . import pipeline
from .diagnostics import Diagnostic, errors
from .live import Session
from .render import DEFAULT_THEME
from .watch import Inotify

POLL_SECONDS = 0.4
# The livereload client, asked from the page's own origin (no second port, works behind tunnels).
LIVE_SCRIPT = (b'<script>(function(){var s=document.createElement("script");'
               b's.src="/livereload.js?port="+(window.location.port||(location.protocol=="https:"?443:80));'
               b'document.head.appendChild(s);})();</script>')

Snapshot = dict[str, tuple[int, int]]


def skipped(name: str) -> bool:
    """VCS folders, caches and editor droppings: never content."""
    return name.startswith(".") or name.endswith(("~", ".swp", ".swx", ".tmp")) or name == "__pycache__"


def snapshot(roots: tuple[Path, ...]) -> Snapshot:
    """(mtime_ns, size) of every file under `roots`, skipping VCS folders and editor droppings."""
    out: Snapshot = {}
    stack = [r for r in roots if r.exists()]
    while stack:
        top = stack.pop()
        if top.is_file():
            st = top.stat()
            out[str(top)] = (st.st_mtime_ns, st.st_size)
            continue
        try:
            entries = list(os.scandir(top))
        except OSError:
            continue
        for e in entries:
            if skipped(e.name):
                continue
            try:
                if e.is_dir(follow_symlinks=False):
                    stack.append(Path(e.path))
                elif e.is_file():
                    st = e.stat()
                    out[e.path] = (st.st_mtime_ns, st.st_size)
            except OSError:
                continue  # deleted between listing and stat: the next poll sees it
    return out


def changed_paths(before: Snapshot, after: Snapshot) -> list[str]:
    return sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))


# --- the diagnostics page --------------------------------------------------------------------


@dataclass(frozen=True)
class Failure:
    """Why the preview cannot show the site: content diagnostics, or a crash (e.g. a theme error)."""

    diagnostics: tuple[Diagnostic, ...] = ()
    crash: str | None = None


def _source_line(file: str, line: int) -> str | None:
    try:
        with open(file, encoding="utf-8", errors="replace") as fh:
            for n, text in enumerate(fh, 1):
                if n == line:
                    return text.rstrip("\n")
    except OSError:
        return None
    return None


def failure_page(failure: Failure, content_dir: Path) -> str:
    """A self-contained HTML page listing what to fix, Chinese first."""
    items = []
    for d in errors(failure.diagnostics):
        try:
            shown = Path(d.file).resolve().relative_to(content_dir.resolve()).as_posix()
        except ValueError:
            shown = d.file
        src = _source_line(d.file, d.line)
        code = (f'<pre class="src"><span class="ln">{d.line}</span> {html.escape(src)}</pre>' if src is not None else "")
        items.append(
            f'<li><p class="where"><code>{html.escape(shown)}</code> 第 {d.line} 行，第 {d.column} 列 '
            f'<span class="code">[{html.escape(d.code)}]</span></p>'
            f'<p class="msg" lang="zh">{html.escape(d.message("zh"))}</p>'
            f'<p class="en" lang="en">{html.escape(d.message("en"))}</p>{code}</li>')
    if failure.crash:
        items.append(f'<li><p class="msg">生成网站时出错（多半是主题模板的问题）：</p><pre>{html.escape(failure.crash)}</pre></li>')
    n = len(errors(failure.diagnostics))
    heading = f"内容有 {n} 个错误，网站暂未更新" if n else "网站生成失败"
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{heading} — gongshi 预览</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:system-ui,"Noto Sans CJK SC","PingFang SC",sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}}
h1{{color:#a40000;font-size:1.5rem}}li{{margin:0 0 1.2rem}}.where code{{font-weight:bold}}.code,.en{{color:#666;font-size:.9em}}
pre{{background:#f6f6f6;padding:.5rem;overflow:auto}}.ln{{color:#999;user-select:none}}</style></head>
<body><main id="gongshi-diagnostics"><h1>{heading}</h1>
<p>请按提示修改下列文件并保存；修改正确后本页会自动刷新为网站。<br><span class="en" lang="en">Fix the files below and save; this page reloads into the site once the content is valid.</span></p>
<ol>{"".join(items)}</ol></main></body></html>
"""


# --- the server ------------------------------------------------------------------------------


class _PageHandler(web.RequestHandler):
    """The preview's files from the session, or the diagnostics page while the content is broken."""

    def initialize(self, preview: "PreviewServer") -> None:  # type: ignore[override]
        self.preview = preview

    def head(self, path: str) -> None:
        self.get(path, include_body=False)

    def get(self, path: str, include_body: bool = True) -> None:
        self.set_header("Cache-Control", "no-store")  # never a page from before the edit
        failure = self.preview.failure
        if failure is not None and _is_page(path):
            return self._failure(failure, include_body)
        session = self.preview.session
        target = path + "index.html" if path == "" or path.endswith("/") else path
        try:
            data = session.page(target)
            if data is None and "." not in path.rsplit("/", 1)[-1] and session.page(path + "/index.html") is not None:
                self.redirect("/" + path + "/")
                return
            status = 200
            if data is None:
                status, target, data = 404, "404.html", session.page("404.html")
        except Exception:  # a theme template error must show in the browser, not kill the server
            crash = Failure(crash=traceback.format_exc(limit=8))
            self.preview.log("生成页面出错 / rendering failed:\n" + (crash.crash or ""))
            return self._failure(crash, include_body)
        if data is None:
            raise web.HTTPError(404)
        self.set_status(status)
        kind, _ = mimetypes.guess_type(target)
        self.set_header("Content-Type", (kind or "application/octet-stream") +
                        ("; charset=utf-8" if (kind or "").startswith("text/") or target.endswith((".json", ".xml", ".js")) else ""))
        if include_body:
            self.finish(data)
        else:
            self.set_header("Content-Length", str(len(data)))
            self.finish()

    def _failure(self, failure: "Failure", include_body: bool) -> None:
        self.set_status(500)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(failure_page(failure, self.preview.content_dir) if include_body else None)


def _quiet(handler: web.RequestHandler) -> None:
    """No access log: the terminal is for what changed and what is wrong."""


def _is_page(path: str) -> bool:
    last = path.rsplit("/", 1)[-1]
    return last == "" or last.endswith(".html") or "." not in last


class PreviewServer:
    """Build, serve, watch, rebuild. `start()` returns once the first build is served."""

    def __init__(self, content_dir: Path, host: str = "127.0.0.1", port: int = 8000, *,
                 as_of: dt.date | None = None, cache: Any = None, poll_seconds: float = POLL_SECONDS,
                 log: Callable[[str], None] = lambda msg: print(msg, file=sys.stderr, flush=True)) -> None:
        self.content_dir = content_dir.absolute()
        self.host, self.port = host, port
        self.as_of = as_of        # None: today at every rebuild (a preview left open overnight moves on)
        self.cache = cache
        self.poll_seconds = poll_seconds
        self.log = log
        self.failure: Failure | None = None
        self.builds = 0
        self._snapshot: Snapshot = {}
        self.session = Session(self.content_dir, as_of, search=pipeline.search_enabled())
        self._inotify: Inotify | None = None
        self._pending: set[str] = set()
        self._loop: IOLoop | None = None
        self._http: HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    def watched(self) -> tuple[Path, ...]:
        """Content (site.yaml, calendar, associations, the site's own theme) and the default theme."""
        return (self.content_dir, DEFAULT_THEME)

    # -- building

    def rebuild(self, changed: list[str] | None = None) -> None:
        """Bring the model up to date with `changed` (None: read everything), then reload."""
        started = time.perf_counter()
        self.session.base_url = self.url.rstrip("/")
        try:
            result = self.session.rebuild(changed)
        except Exception:  # whatever went wrong must show in the browser, not kill the server
            self.failure = Failure(crash=traceback.format_exc(limit=8))
            self.log("构建出错 / build crashed:\n" + self.failure.crash)
        else:
            if result.ok:
                self.failure = None
                self.log(f"已更新，{len(result.outputs)} 个文件将按需重新生成（{time.perf_counter() - started:.2f} 秒）"
                         f" / updated, {len(result.outputs)} files to render on request")
            else:
                self.failure = Failure(diagnostics=result.diagnostics)
                self.log(f"内容有 {len(errors(result.diagnostics))} 个错误，浏览器中显示错误说明 / content errors, "
                         "showing diagnostics")
        self.builds += 1
        LiveReloadHandler.reload_waiters(path=(changed or ["*"])[0])

    def poll(self) -> None:
        if self._inotify is not None:
            return self._notified()
        now = snapshot(self.watched())
        changed = changed_paths(self._snapshot, now)
        if changed:
            self._snapshot = now
            self._changed(changed)

    def _notified(self) -> None:
        """inotify: gather paths until a tick brings no more (an editor's save is several
        writes), then rebuild; a dropped event queue reads everything again."""
        assert self._inotify is not None
        news = self._inotify.changes()
        if news is None:
            self._pending = set()
            self.log("已修改 / changed: …")
            self.rebuild(None)
        elif news:
            self._pending.update(news)
        elif self._pending:
            changed, self._pending = sorted(self._pending), set()
            self._changed(changed)

    def _changed(self, changed: list[str]) -> None:
        self.log("已修改 / changed: " + "、".join(os.path.relpath(p, self.content_dir) for p in changed[:5])
                 + (" …" if len(changed) > 5 else ""))
        self.rebuild(changed)

    # -- running

    def _app(self) -> web.Application:
        class Inject(LiveScriptInjector):
            script = LIVE_SCRIPT

        return web.Application([
            (r"/livereload", LiveReloadHandler),
            (r"/livereload.js", LiveReloadJSHandler),
            (r"/(.*)", _PageHandler, {"preview": self}),
        ], transforms=[Inject], log_function=_quiet)

    def _run(self) -> None:
        try:
            asyncio.set_event_loop(asyncio.new_event_loop())
            self._loop = IOLoop.current()
            LiveReloadHandler.watcher = get_watcher_class()()  # only read for its log line
            LiveReloadHandler.waiters = set()
            LiveReloadHandler._last_reload_time = time.time()
            sockets = bind_sockets(self.port, self.host)
            self.port = sockets[0].getsockname()[1]  # port 0 → the one the OS chose
            # The kernel says what changed (Linux); elsewhere, or past the watch limit, poll.
            self._inotify = Inotify.open(self.watched(), skipped)
            if self._inotify is None:
                self._snapshot = snapshot(self.watched())
            self.rebuild(None)
            self._http = HTTPServer(self._app())
            self._http.add_sockets(sockets)
            tick = min(self.poll_seconds, 0.02) if self._inotify is not None else self.poll_seconds
            PeriodicCallback(self.poll, tick * 1000).start()
        except BaseException as exc:
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        self._loop.start()
        self._http.stop()
        if self._inotify is not None:
            self._inotify.close()
        self._loop.close(all_fds=True)

    def start(self, timeout: float = 120) -> "PreviewServer":
        self._thread = threading.Thread(target=self._run, name="gongshi-preview", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise TimeoutError("预览服务器没有启动 / the preview server did not start")
        if self._error is not None:
            raise self._error
        return self

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None and self._thread.is_alive():
            self._loop.add_callback(self._loop.stop)
            self._thread.join(30)

    def __enter__(self) -> "PreviewServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve(content_dir: Path, host: str, port: int) -> None:
    """The `serve` command: run until Ctrl-C."""
    server = PreviewServer(content_dir, host, port).start()
    server.log(f"预览地址 / preview at {server.url}（Ctrl-C 退出 / to stop）")
    try:
        while server._thread is not None and server._thread.is_alive():
            server._thread.join(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


__all__ = ["PreviewServer", "serve", "snapshot", "changed_paths", "failure_page", "Failure"]
