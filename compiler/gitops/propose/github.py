"""The few GitHub REST calls a proposal needs, with the standard library's urllib (no HTTP dependency for five
endpoints). Endpoints and fields: the OpenAPI description, @octokit/openapi-types@29.0.1 (/work/notes/facts-loop.md
§11): pulls/list (`head=owner:branch`), pulls/create, pulls/update, pulls/request-reviewers, issues/list-comments,
issues/create-comment, issues/update-comment.

The token (GITHUB_TOKEN: the workflow's, or a GitHub App installation token, which can also request team reviewers
and whose pull requests do trigger the plan workflow) is sent only in the Authorization header, only to the API
URL, and never printed: an error says the method, the path, the status and GitHub's message, redacted.
"""

from __future__ import annotations

import ipaddress
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import Any

from mlops import __version__
from mlops.diagnostics import shown
from mlops.errors import Failure, UsageError

API = "https://api.github.com"
TIMEOUT = 30                     # seconds per request
MAX_RESPONSE = 8 * 1024 * 1024   # bytes: a page of 100 pull requests or comments is far less
# https://docs.github.com/en/rest/about-the-rest-api/api-versions: the version these endpoints are described at
API_VERSION = "2022-11-28"


class GitHubError(Failure):
    """The API refused or failed a call: the status and GitHub's message, never the token."""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect would carry the Authorization header to wherever it points: refuse it (GitHub's API answers in
    place; a moved repository's 301 is an error to fix, not to follow)."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def api_url(url: str | None) -> str:
    """GITHUB_API_URL (Actions sets it, also on GitHub Enterprise Server), https only; plain http only to this
    machine (a test server)."""
    url = (url or API).rstrip("/")
    parsed = urllib.parse.urlsplit(url)
    local = False
    try:
        local = parsed.hostname == "localhost" or ipaddress.ip_address(parsed.hostname or "").is_loopback
    except ValueError:
        pass
    if parsed.scheme != "https" and not (parsed.scheme == "http" and local) or parsed.query or parsed.fragment:
        raise UsageError(f"GITHUB_API_URL must be an https URL (got {shown(url, 120)}): the token is sent to it")
    return url


class GitHub:
    def __init__(self, repo: str, token: str, api: str | None = None):
        self.repo, self.api = repo, api_url(api)
        self._token = token
        self._open = urllib.request.build_opener(_NoRedirect).open

    def call(self, method: str, path: str, body: Mapping[str, Any] | None = None,
             query: Mapping[str, str] | None = None) -> Any:
        """The decoded JSON answer of `method /repos/<repo><path>`."""
        where = f"/repos/{self.repo}{path}"
        url = self.api + urllib.parse.quote(where) + (f"?{urllib.parse.urlencode(query)}" if query else "")
        data = json.dumps(body, sort_keys=True).encode("utf-8") if body is not None else None
        request = urllib.request.Request(url, data=data, method=method, headers={
            "Accept": "application/vnd.github+json", "X-GitHub-Api-Version": API_VERSION,
            "Authorization": f"Bearer {self._token}", "User-Agent": f"mlops-compiler/{__version__}",
            **({"Content-Type": "application/json"} if data is not None else {})})
        try:
            with self._open(request, timeout=TIMEOUT) as answer:
                raw = answer.read(MAX_RESPONSE + 1)
        except urllib.error.HTTPError as exc:
            raise GitHubError(f"GitHub API {method} {where}: {exc.code} {_message(exc)}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise GitHubError(f"GitHub API {method} {where}: no answer from {self.api}: {shown(str(reason), 200)}") \
                from None
        if len(raw) > MAX_RESPONSE:
            raise GitHubError(f"GitHub API {method} {where}: the answer is larger than {MAX_RESPONSE:,} bytes")
        try:
            return json.loads(raw) if raw.strip() else None
        except ValueError:
            raise GitHubError(f"GitHub API {method} {where}: the answer is not JSON") from None

    def open_pull(self, branch: str, base: str) -> dict[str, Any] | None:
        owner = self.repo.split("/", 1)[0]
        found = self.call("GET", "/pulls", query={"head": f"{owner}:{branch}", "base": base, "state": "open"})
        return found[0] if isinstance(found, list) and found else None

    def comments(self, number: int) -> list[dict[str, Any]]:
        found = self.call("GET", f"/issues/{number}/comments", query={"per_page": "100"})
        return found if isinstance(found, list) else []


def _message(exc: urllib.error.HTTPError) -> str:
    """GitHub's `message` and each `errors[].message` (e.g. "Validation Failed: Reviews may only be requested
    from collaborators"), redacted and cut; the reason phrase when the body says nothing."""
    try:
        found = json.loads(exc.read(64 * 1024))
    except (ValueError, OSError):
        found = None
    if not isinstance(found, dict):
        return shown(str(exc.reason), 200)
    parts = [str(found.get("message") or exc.reason)]
    errors = found.get("errors")
    if isinstance(errors, list):
        parts += [str(e.get("message") or e.get("code")) if isinstance(e, dict) else str(e) for e in errors[:3]]
    return shown(": ".join(parts), 300)
