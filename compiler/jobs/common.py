"""What every job program shares: the exit codes, the one-line error, reading tables, writing reports and
pushing metrics to the Pushgateway.

Heavy libraries (pandas, prometheus_client) are imported inside the functions that need them, so `--help` and
argument errors answer at once.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import os
import sys
import time
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    import pandas as pd

OK, FAILED, BAD_INPUT, PUSH_FAILED = 0, 1, 2, 3
LAST_RUN = "mlops_job_last_run_timestamp_seconds"     # in every push: alert when a monitor stops running

# Table files a folder may hold. `.json` and `.log` are newline-delimited JSON, as request logging (Vector) writes
# them; each text format may be gzip-compressed (`.gz`). Hidden files and `_SUCCESS`-style markers are skipped.
PARQUET, CSV, JSONL = ".parquet", ".csv", (".jsonl", ".ndjson", ".json", ".log")
SUFFIXES = (PARQUET, CSV, *JSONL)


class BadInput(Exception):
    """Input the program cannot work with (exit 2). The message is one line, shown as is."""


class Parser(argparse.ArgumentParser):
    """argparse with a one-line error (`mlops.jobs.gate: error: ...`, exit 2) instead of usage + error."""

    def error(self, message: str) -> NoReturn:
        self.exit(BAD_INPUT, f"{self.prog}: error: {message}\n")


def parser(program: str, description: str) -> Parser:
    p = Parser(prog=f"mlops.jobs.{program}", description=description)
    p.add_argument("--out", required=True, type=Path, help="folder for report.json (and report.md); created")
    p.add_argument("--pushgateway", metavar="URL",
                   help="push the metrics to this Pushgateway (needs --model and --namespace)")
    p.add_argument("--model", help="the model's name: the `model` grouping label of the pushed metrics")
    p.add_argument("--namespace", help="the model's namespace: the `namespace` grouping label")
    p.add_argument("--exit-zero", action="store_true",
                   help="exit 0 even when the check fails (monitors: Prometheus alerts, the Job stays green)")
    return p


def cli(program: str, arguments: argparse.ArgumentParser, main: Callable[[argparse.Namespace], int],
        argv: Sequence[str] | None = None) -> int:
    """Parse `argv` and call `main`; BadInput becomes its one line on stderr and exit 2 (as argparse's errors)."""
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    os.environ.setdefault("ITERATIVE_DO_NOT_TRACK", "1")   # evidently's telemetry (iterative_telemetry/__init__.py:29)
    try:
        args = arguments.parse_args(argv)
    except SystemExit as done:           # --help (0) or a usage error (2, already printed)
        return int(done.code or 0)
    try:
        if args.pushgateway and not (args.model and args.namespace):
            raise BadInput("--pushgateway needs --model and --namespace (the metrics' grouping key)")
        return main(args)
    except BadInput as error:
        print(f"mlops.jobs.{program}: error: {error}", file=sys.stderr)
        return BAD_INPUT


def outcome(args: argparse.Namespace, passed: bool, pushed: bool) -> int:
    """The exit code: a failed check (1) wins over a failed push (3); --exit-zero turns a failed check into 0."""
    if not passed and not args.exit_zero:
        return FAILED
    return OK if pushed else PUSH_FAILED


# --- tables -------------------------------------------------------------------------------------------------

def table_files(path: str | Path) -> list[Path]:
    """`path` itself, or every table file under the folder `path` (recursively, in name order)."""
    root = Path(path)
    if root.is_file():
        return [root]
    if not root.is_dir():
        raise BadInput(f"{root}: no such file or folder")
    found = sorted(p for p in root.rglob("*") if p.is_file() and _kind(p) and not _hidden(p.relative_to(root)))
    if not found:
        raise BadInput(f"{root}: no {', '.join(SUFFIXES)} file (optionally .gz) in this folder")
    return found


def _hidden(relative: Path) -> bool:
    return any(part.startswith((".", "_")) for part in relative.parts)


def _kind(path: Path) -> str | None:
    name = path.name.lower()
    name = name[:-3] if name.endswith(".gz") else name
    return next((s for s in SUFFIXES if name.endswith(s)), None)


def read_table(path: str | Path) -> pd.DataFrame:
    """Every table file at `path` as one DataFrame (files concatenated; columns missing in one file are NaN)."""
    import pandas as pd

    frames = [_read_file(p) for p in table_files(path)]
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    if frame.empty:
        raise BadInput(f"{path}: no rows")
    return frame


def _read_file(path: Path) -> pd.DataFrame:
    import pandas as pd

    kind = _kind(path)
    if kind is None:
        raise BadInput(f"{path}: not a table file (expected {', '.join(SUFFIXES)}, optionally .gz)")
    try:
        if kind == PARQUET:
            return pd.read_parquet(path)
        if kind == CSV:
            return pd.read_csv(path)
        opener = gzip.open if path.name.lower().endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8") as handle:
            records = [json.loads(line) for line in handle if line.strip()]
        return pd.DataFrame.from_records(records) if records else pd.DataFrame()
    except Exception as error:   # the readers raise many types; any of them means this file is unreadable
        raise BadInput(f"{path}: cannot read it as {kind}: {one_line(error)}") from error


def require_columns(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise BadInput(f"{what} has no column {', '.join(repr(c) for c in missing)} "
                       f"(it has {', '.join(map(str, list(frame.columns)[:20]))})")


def one_line(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return text[:300] + ("…" if len(text) > 300 else "")


# --- reports ------------------------------------------------------------------------------------------------

def plain(value: Any) -> Any:
    """JSON-ready: numpy scalars to Python numbers, NaN/inf to None, tuples to lists, keys to str."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_reports(out: Path, report: Mapping[str, Any], markdown: str | None = None) -> None:
    out.mkdir(parents=True, exist_ok=True)
    text = json.dumps(plain(report), indent=2, sort_keys=True, allow_nan=False, ensure_ascii=False)
    (out / "report.json").write_text(text + "\n", encoding="utf-8")
    if markdown is not None:
        (out / "report.md").write_text(markdown.rstrip("\n") + "\n", encoding="utf-8")


def cell(value: Any, digits: int = 4) -> str:
    """A Markdown table cell: numbers rounded, None as an em dash, pipes escaped."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def segment_name(labels: Mapping[str, str]) -> str:
    """A segment of the live rows (mlops.jobs.records.segments) in a report, e.g. "Variant `canary`, revision
    `5d8f`"."""
    text = ", ".join(f"{key} `{value}`" for key, value in labels.items())
    return text[:1].upper() + text[1:]


def table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


# --- metrics ------------------------------------------------------------------------------------------------

@dataclass
class Metrics:
    """Gauges for one push. `job` is the Pushgateway job (e.g. mlops-drift); the grouping key adds namespace and
    model, and `extra_group` (e.g. dataset) when one model pushes several independent groups."""

    job: str
    extra_group: dict[str, str] = field(default_factory=dict)
    samples: dict[str, tuple[str, list[tuple[dict[str, str], float]]]] = field(default_factory=dict)

    def set(self, name: str, help_text: str, value: float | None, **labels: str) -> None:
        """One sample; a None or NaN value is left out (Prometheus has no "unknown")."""
        if value is None or not math.isfinite(float(value)):
            return
        self.samples.setdefault(name, (help_text, []))[1].append((labels, float(value)))

    def registry(self) -> Any:
        from prometheus_client import CollectorRegistry, Gauge

        registry = CollectorRegistry()
        stamp: tuple[str, list[tuple[dict[str, str], float]]] = ("When this job last ran (Unix time).",
                                                                 [({}, time.time())])
        for name, (help_text, samples) in sorted({**self.samples, LAST_RUN: stamp}.items()):
            names = sorted({k for labels, _ in samples for k in labels})
            gauge = Gauge(name, help_text, names, registry=registry)
            for labels, value in samples:
                (gauge.labels(**{k: labels.get(k, "") for k in names}) if names else gauge).set(value)
        return registry

    def push(self, url: str, model: str, namespace: str) -> bool:
        """PUT the group (replacing what this job pushed last time). False, with one line on stderr, if it fails."""
        from prometheus_client import push_to_gateway

        grouping = {"namespace": namespace, "model": model, **self.extra_group}
        try:
            push_to_gateway(url, job=self.job, registry=self.registry(), grouping_key=grouping, timeout=30)
        except Exception as error:   # URLError, HTTPError, socket errors: all mean "not pushed"
            print(f"{self.job}: could not push metrics to {url}: {one_line(error)}", file=sys.stderr)
            return False
        return True


def publish(metrics: Metrics, args: argparse.Namespace) -> bool:
    """Push when --pushgateway was given; True when there was nothing to push."""
    if not args.pushgateway:
        return True
    return metrics.push(args.pushgateway, args.model, args.namespace)
