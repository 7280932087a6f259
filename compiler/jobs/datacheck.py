"""mlops.jobs.datacheck: a dataset against its data contract (ODCS v3, run with datacontract-cli's Python API).

    python -m mlops.jobs.datacheck --contract FILE --out DIR [--server NAME] [--data PATH] [--format FMT]
        [--dataset NAME] [--prediction COL] [--features A,B,...] [--pushgateway URL --model M --namespace NS]
        [--exit-zero]

`--data` (a file or folder) replaces the server's `path`: a folder becomes the glob `<folder>/**/*.<ext>`.
Newline-delimited JSON (`--format json`, or a contract server of format json), gzip files and logged inference
events (see mlops.jobs.records) are first read into rows and written to `<out>/rows.parquet`, which is then
tested: DuckDB's glob would miss `.log.gz` files, and events are not rows.

Verdict: pass when datacontract-cli's result is `passed` or `warning`, fail on `failed` / `error`. Its parquet
type checks always end as warnings ("Checking types in parquet files is not supported yet.",
datacontract-cli 1.2.8 datacontract/engines/checks/create_checks.py:609), and `Run.has_passed()` is `result ==
passed` (datacontract/model/run.py:233-235), so has_passed() would fail every clean parquet run.
"""

from __future__ import annotations

import argparse
import glob
import logging
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mlops.jobs import common, odcs, records
from mlops.jobs.common import BadInput

JOB = "mlops-datacheck"
FORMATS = ("parquet", "csv", "json")
EXTENSIONS = {"parquet": "parquet", "csv": "csv", "json": "json"}


def arguments() -> common.Parser:
    p = common.parser("datacheck", "Test a dataset against its ODCS data contract (datacontract-cli).")
    p.add_argument("--contract", required=True, type=Path, help="the ODCS v3 contract (YAML)")
    p.add_argument("--server", help="the contract's server entry to test (default: its first)")
    p.add_argument("--data", type=Path, help="a file or folder to test instead of the server's path")
    p.add_argument("--format", choices=FORMATS, help="the data's format (default: the server's)")
    p.add_argument("--dataset", help="the `dataset` label of the metrics (default: the server's name)")
    p.add_argument("--prediction", default="prediction", help="logged inference events: the prediction column")
    p.add_argument("--features", default="", help="logged 2-D input tensors: their column names, comma-separated")
    return p


def server(doc: dict[str, Any], name: str | None) -> dict[str, Any]:
    servers = doc.get("servers") or []
    if not servers:
        raise BadInput("the contract has no servers entry")
    chosen = next((s for s in servers if s.get("server") == name), None) if name else servers[0]
    if chosen is None:
        names = ", ".join(str(s.get("server", "?")) for s in servers)
        raise BadInput(f"the contract has no server {name!r} (it has {names})")
    if chosen.get("type") != "local":
        raise BadInput(f"server {chosen.get('server')!r} is of type {chosen.get('type')!r}: the job reads local files")
    return dict(chosen)


def point(entry: dict[str, Any], args: argparse.Namespace) -> str:
    """Set the server's format and path to the data to test; the path, for the report."""
    fmt = args.format or entry.get("format") or "parquet"
    if fmt not in FORMATS:
        raise BadInput(f"server format {fmt!r}: expected one of {', '.join(FORMATS)}")
    if args.data is not None:
        files = common.table_files(args.data)
        needs_rows = fmt == "json" or any(p.name.endswith(".gz") for p in files)
        if needs_rows:
            return _as_parquet(entry, args)
        entry["path"] = str(args.data / f"**/*.{EXTENSIONS[fmt]}") if args.data.is_dir() else str(args.data)
    if not glob.glob(str(entry.get("path", "")), recursive=True):
        if args.data is not None:
            raise BadInput(f"{args.data}: no .{EXTENSIONS[fmt]} file here (the format is {fmt}; --format sets another)")
        raise BadInput(f"no file matches the server's path {entry.get('path')!r}")
    entry["format"] = fmt
    return str(entry["path"])


def _as_parquet(entry: dict[str, Any], args: argparse.Namespace) -> str:
    features = tuple(f for f in args.features.split(",") if f)
    frame = records.rows(common.read_table(args.data), args.prediction, features)
    args.out.mkdir(parents=True, exist_ok=True)
    target = args.out / "rows.parquet"
    frame.to_parquet(target, index=False)
    entry.update(path=str(target), format="parquet")
    return str(args.data)


def test(doc: dict[str, Any], entry: dict[str, Any]) -> Any:
    import yaml
    from datacontract.data_contract import DataContract

    logging.getLogger("datacontract").setLevel(logging.CRITICAL)   # its tracebacks; the report has the reasons
    doc = {**doc, "servers": [entry]}
    return DataContract(data_contract_str=yaml.safe_dump(doc, sort_keys=False), server=entry["server"],
                        inline_references=False).test()


def report(doc: dict[str, Any], dataset: str, data: str, run: Any) -> dict[str, Any]:
    checks = [{"key": c.key, "type": c.type, "field": c.field, "name": c.name, "result": _result(c.result),
               "reason": c.reason} for c in run.checks]
    result = _result(run.result)
    return {"program": "datacheck", "verdict": "pass" if result in ("passed", "warning") else "fail",
            "result": result, "dataset": dataset, "data": data,
            "contract": {"id": doc.get("id"), "version": doc.get("version"), "apiVersion": doc.get("apiVersion")},
            "counts": dict(sorted(Counter(c["result"] for c in checks).items())), "checks": checks}


def _result(value: Any) -> str:
    return str(getattr(value, "value", value))


def markdown(out: dict[str, Any]) -> str:
    verdict = "passes" if out["verdict"] == "pass" else "**fails**"
    counts = ", ".join(f"{n} {k}" for k, n in out["counts"].items())
    lines = [f"### Data check: {out['dataset']} {verdict} its contract", "",
             f"Contract `{out['contract']['id']}` {out['contract']['version']} on `{out['data']}`: {counts}."]
    bad = [c for c in out["checks"] if c["result"] in ("failed", "error")]
    if bad:
        lines += ["", common.table(["check", "column", "why"], [(c["name"] or c["type"], c["field"], c["reason"])
                                                              for c in bad])]
    return "\n".join(lines)


def metrics(out: dict[str, Any]) -> common.Metrics:
    m = common.Metrics(JOB, {"dataset": out["dataset"]})
    failed = [c for c in out["checks"] if c["result"] in ("failed", "error")]
    m.set("mlops_data_check_passed", "1 when the dataset keeps its data contract, else 0.",
          1 if out["verdict"] == "pass" else 0)
    m.set("mlops_data_check_failures", "Checks of the data contract that failed.", len(failed))
    m.set("mlops_data_check_warnings", "Checks that ended as warnings (e.g. types not checkable in parquet).",
          out["counts"].get("warning", 0))
    m.set("mlops_data_check_checks", "Checks of the data contract that ran.", len(out["checks"]))
    for c in out["checks"]:
        m.set("mlops_data_check_check_passed", "Per check: 1 passed (or warning), 0 failed.",
              0 if c in failed else 1, check=c["key"] or c["type"], type=c["type"], column=c["field"] or "")
    return m


def main(args: argparse.Namespace) -> int:
    doc = odcs.load(args.contract)
    entry = server(doc, args.server)
    data = point(entry, args)
    out = report(doc, args.dataset or entry["server"], data, test(doc, entry))
    common.write_reports(args.out, out, markdown(out))
    print(f"{JOB}: {out['dataset']}: {out['verdict']} ({', '.join(f'{n} {k}' for k, n in out['counts'].items())})")
    return common.outcome(args, out["verdict"] == "pass", common.publish(metrics(out), args))


def cli(argv: Sequence[str] | None = None) -> int:
    return common.cli("datacheck", arguments(), main, argv)


if __name__ == "__main__":
    sys.exit(cli())
