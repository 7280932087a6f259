"""A fake GitHub REST API on 127.0.0.1 for `mlops propose`: pull requests and their comments in memory, every
request recorded (method, path, query, JSON body, headers), and errors injectable per (method, path prefix)."""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Call:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    headers: dict[str, str]


@dataclass
class State:
    repo: str
    calls: list[Call] = field(default_factory=list)
    pulls: list[dict[str, Any]] = field(default_factory=list)
    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    reviewers: dict[int, list[Any]] = field(default_factory=dict)
    fail: dict[tuple[str, str], tuple[int, Any]] = field(default_factory=dict)   # (method, path prefix) -> answer
    url: str = ""

    def writes(self) -> list[Call]:
        return [c for c in self.calls if c.method != "GET"]


def _answer(state: State, call: Call) -> tuple[int, Any]:
    for (method, prefix), answer in state.fail.items():
        if call.method == method and call.path.startswith(prefix):
            return answer
    base = f"/repos/{state.repo}"
    if not call.path.startswith(base):
        return 404, {"message": "Not Found"}
    path = call.path[len(base):]
    if path == "/pulls" and call.method == "GET":
        owner = state.repo.split("/")[0]
        return 200, [p for p in state.pulls if f"{owner}:{p['head']['ref']}" == call.query.get("head")
                     and p["state"] == call.query.get("state", "open")]
    if path == "/pulls" and call.method == "POST":
        number = len(state.pulls) + 1
        pull = {"number": number, "state": "open", "title": call.body["title"], "body": call.body["body"],
                "head": {"ref": call.body["head"]}, "base": {"ref": call.body["base"]},
                "html_url": f"https://github.example/{state.repo}/pull/{number}"}
        state.pulls.append(pull)
        return 201, pull
    parts = path.strip("/").split("/")
    if parts[0] == "pulls" and len(parts) == 2 and call.method == "PATCH":
        pull = state.pulls[int(parts[1]) - 1]
        pull.update(call.body)
        return 200, pull
    if parts[0] == "pulls" and parts[2:] == ["requested_reviewers"]:
        state.reviewers.setdefault(int(parts[1]), []).append(call.body)
        return 201, state.pulls[int(parts[1]) - 1]
    if parts[0] == "issues" and parts[2:] == ["comments"]:
        comments = state.comments.setdefault(int(parts[1]), [])
        if call.method == "GET":
            return 200, comments
        comment = {"id": 1000 + sum(map(len, state.comments.values())), "body": call.body["body"],
                   "user": {"type": "Bot"}}
        comments.append(comment)
        return 201, comment
    if parts[:2] == ["issues", "comments"] and call.method == "PATCH":
        for comment in (c for cs in state.comments.values() for c in cs if c["id"] == int(parts[2])):
            comment["body"] = call.body["body"]
            return 200, comment
    return 404, {"message": "Not Found"}


def _handler(state: State) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            url = urllib.parse.urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            call = Call(self.command, urllib.parse.unquote(url.path), dict(urllib.parse.parse_qsl(url.query)),
                        json.loads(raw) if raw else None, {k.lower(): v for k, v in self.headers.items()})
            state.calls.append(call)
            status, body = _answer(state, call)
            data = json.dumps(body).encode() if not isinstance(body, bytes) else body
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = _serve

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def fake_github(repo: str = "acme/platform") -> Iterator[State]:
    state = State(repo)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
