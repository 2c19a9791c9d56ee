"""A static file server on loopback for browser tests: serves a built site like Netlify
would (pretty URLs, 404.html), counts bytes sent, stops with the test."""

from __future__ import annotations

import contextlib
import functools
import http.server
import threading
from pathlib import Path
from typing import Iterator


class _Handler(http.server.SimpleHTTPRequestHandler):
    bytes_sent = 0

    def log_message(self, *args: object) -> None:  # quiet
        pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code == 404 and page.exists():
            body = page.read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            type(self).bytes_sent += len(body)
            return
        super().send_error(code, message, explain)

    def copyfile(self, source, outputfile) -> None:  # type: ignore[no-untyped-def]
        data = source.read()
        type(self).bytes_sent += len(data)
        outputfile.write(data)


@contextlib.contextmanager
def serve_dir(root: Path) -> Iterator[tuple[str, type[_Handler]]]:
    """Yield (base URL, handler class with a `bytes_sent` counter)."""
    handler = type("Handler", (_Handler,), {"bytes_sent": 0})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()
