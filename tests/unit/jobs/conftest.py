"""Fixtures for the job tests: a Pushgateway stand-in on 127.0.0.1 that records what it is sent."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Gateway:
    url: str
    status: int = 200
    requests: list[tuple[str, str, str]] = field(default_factory=list)   # method, path, body


@pytest.fixture
def pushgateway() -> Iterator[Gateway]:
    gateway = Gateway(url="")

    class Handler(BaseHTTPRequestHandler):
        def _record(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            gateway.requests.append((self.command, self.path, body))
            self.send_response(gateway.status)
            self.end_headers()

        do_PUT = do_POST = do_DELETE = _record

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    gateway.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield gateway
    server.shutdown()
    server.server_close()
