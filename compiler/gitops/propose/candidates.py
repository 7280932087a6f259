"""The candidates a retraining run published, read defensively: each run folder under a model's `training.output`
holds the gate's report.json (its verdict, and the candidate's artifact URI as `candidate.name`) and report.md
(the pull request's body).

`--candidates DIR` is a local copy of the outputs, one folder per model: DIR/<model>/<run>/report.json (the
scheduled workflow copies each model's `training.output` there; in tests it is a plain folder). A report is input
from a cluster, so it is bounded, parsed strictly, and its artifact must lie inside its own run folder under
`training.output`: a report cannot propose an artifact anywhere else.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from mlops.diagnostics import shown
from mlops.diagnostics.redact import redact

REPORT, BODY = "report.json", "report.md"
MAX_REPORT = 1024 * 1024          # bytes: the gate writes a few kilobytes; more is not a gate report
MAX_BODY = 60_000                 # characters: GitHub refuses a pull request body over 65,536
MAX_ARTIFACT = 1024
_RUN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$")      # an Argo workflow name or uid, a timestamp
_URI_CHARS = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[!-~]+$")   # printable ASCII, no space


@dataclass(frozen=True)
class Candidate:
    model: str
    run: str
    artifact: str                 # the URI the environment will serve
    body: str                     # report.md, redacted and bounded
    mtime_ns: int                 # when report.json was written: the newest candidate wins...
    started_ns: int | None = None  # ...or, when the gate was given it (`--run-started`), when its run started


@dataclass(frozen=True)
class Rejected:
    model: str
    run: str
    reason: str                   # a sentence, already safe to print
    failed_gate: bool = False     # a well-formed report whose verdict is fail (not a broken one)


def scan(folder: Path, model: str, output: str) -> tuple[list[Candidate], list[Rejected]]:
    """The passing candidates in folder/<model>/, and every run that is not one (with why)."""
    root = folder / model
    if not root.is_dir():
        return [], []
    passing: list[Candidate] = []
    rejected: list[Rejected] = []
    for run_dir in sorted(root.iterdir()):
        if run_dir.name.startswith((".", "_")) or not run_dir.is_dir() or run_dir.is_symlink():
            continue
        found = read(run_dir, model, output)
        (passing if isinstance(found, Candidate) else rejected).append(found)  # type: ignore[arg-type]
    return passing, rejected


def newest(passing: list[Candidate]) -> Candidate | None:
    """The latest run (by its start when its report says it, else by report.json's mtime: a copied folder's mtimes
    are the copy's), ties broken by the run's name (so the same folder always picks the same one)."""
    return max(passing, key=lambda c: (c.mtime_ns if c.started_ns is None else c.started_ns, c.run), default=None)


def read(run_dir: Path, model: str, output: str) -> Candidate | Rejected:
    run = run_dir.name
    if not _RUN.match(run):
        return Rejected(model, shown(run), "its run folder's name is not a run id (letters, digits, . _ -)")
    try:
        report, mtime = _load(run_dir / REPORT)
        verdict = report.get("verdict")
        if verdict != "pass":
            reasons = report.get("failures")
            why = shown(str(reasons[0]), 200) if isinstance(reasons, list) and reasons else f"verdict {verdict!r}"
            return Rejected(model, run, f"it failed its gate: {why}", failed_gate=verdict == "fail")
        artifact = artifact_of(report, output, run)
        body = _body(run_dir / BODY)
    except Unusable as exc:
        return Rejected(model, run, str(exc))
    return Candidate(model, run, artifact, body, mtime, started(report.get("run_started")))


class Unusable(Exception):
    """A report that cannot be proposed; the message is safe to print."""


def _load(path: Path) -> tuple[dict[str, Any], int]:
    if path.is_symlink() or not path.is_file():
        raise Unusable(f"it has no {REPORT} (a run that did not finish, or not a gate's output)")
    stat = path.stat()
    if stat.st_size > MAX_REPORT:
        raise Unusable(f"its {REPORT} is {stat.st_size:,} bytes, more than a gate report ({MAX_REPORT:,} at most)")
    try:
        report = json.loads(path.read_bytes().decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise Unusable(f"its {REPORT} is not JSON: {shown(str(exc), 120)}") from None
    if not isinstance(report, dict):
        raise Unusable(f"its {REPORT} is not a JSON object")
    return report, stat.st_mtime_ns


def started(value: object) -> int | None:
    """The gate's `run_started` (RFC 3339 with an offset) in ns since the epoch; None when absent or not one."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return None if parsed.tzinfo is None else int(parsed.timestamp()) * 1_000_000_000 + parsed.microsecond * 1000


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not JSON")          # NaN, Infinity: Python's json accepts them, JSON does not


def artifact_of(report: dict[str, Any], output: str, run: str) -> str:
    """`candidate.name`, which must be a URI inside `<output>/<run>/`: no `..`, `.` or empty segment, no query."""
    candidate = report.get("candidate")
    name = candidate.get("name") if isinstance(candidate, dict) else None
    if not isinstance(name, str) or not name:
        raise Unusable(f"its {REPORT} names no candidate artifact (candidate.name)")
    if redact(name) != name:
        raise Unusable(f"its candidate artifact holds a secret: {shown(name, 120)}")
    prefix = output.rstrip("/") + f"/{run}/"
    if len(name) > MAX_ARTIFACT or not _URI_CHARS.match(name) or any(c in name for c in "?#%\\"):
        raise Unusable(f"its candidate artifact is not a plain URI: {shown(name, 120)}")
    rest = name[len(prefix):]
    if not name.startswith(prefix) or any(part in ("", ".", "..") for part in rest.rstrip("/").split("/")):
        raise Unusable(f"its candidate artifact {shown(name, 120)} is not inside its run folder {shown(prefix, 120)}")
    return name


def _body(path: Path) -> str:
    if path.is_symlink() or not path.is_file():
        raise Unusable(f"it has no {BODY} (the gate's report, the pull request's body)")
    if path.stat().st_size > MAX_REPORT:
        raise Unusable(f"its {BODY} is larger than a gate report ({MAX_REPORT:,} bytes at most)")
    text = redact(path.read_bytes().decode("utf-8", "replace"))
    if len(text) > MAX_BODY:
        text = text[:MAX_BODY] + "\n\n(the report is cut here: GitHub limits a pull request's body)\n"
    return text

