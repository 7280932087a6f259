"""What the `mlops propose` tests share: a checkout of the loop spec with a bare `origin`, candidate folders as a
retraining run publishes them (report.json + report.md under <model>/<run>/), and the command run against the
fake GitHub API."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import run
from tests.support.gitrepo import GIT, Repo

ROOT = Path(__file__).resolve().parents[2]
LOOP_SPEC = (ROOT / "examples" / "loop" / "mlops.yaml").read_text(encoding="utf-8")
OUTPUT = "s3://fraud-models/fraud-scorer/"        # the loop spec's fraud-scorer training.output
TOKEN = "ghs_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"   # shaped like an installation token: must never be printed


# The Secrets the loop spec's targets need to read an output in another cloud's store (validation asks them).
_READERS = {"gs": "gs: {secretRef: {name: fraud-models-gcp-reader}}",
            "az": "az: {secretRef: {name: fraud-models-azure-reader}}"}
# Argo uploads to az:// only from an Azure cluster (mlops.spec.rules.training): staging moves to one for az outputs.
_AZURE_STAGING = """\
  azure-staging:
    provider: azure
    region: westeurope
    subscription: 0f6c3a52-9d1e-4b7a-8c2f-5e4d3b2a1c0f
    storageCredentials:
      s3: {secretRef: {name: fraud-data-aws-reader}}
"""


def loop_with_output(output: str) -> str:
    """The loop spec with fraud-scorer's training.output at `output` (gs:// or az://), and the storageCredentials
    that the targets of other clouds then need to read it (production serves the champion from it); for az://,
    staging trains on Azure."""
    scheme = output.partition("://")[0]
    spec = LOOP_SPEC.replace(f"output: {OUTPUT}", f"output: {output}", 1)
    spec = spec.replace("    region: eu-central-1\n",
                        f"    region: eu-central-1\n    storageCredentials:\n      {_READERS[scheme]}\n", 1)
    if scheme == "az":
        spec = spec.replace("  dc1:\n", f"{_AZURE_STAGING}  dc1:\n", 1)
        spec = spec.replace("  staging:\n    target: gcp-staging\n", "  staging:\n    target: azure-staging\n", 1)
    return spec


@dataclass
class Checkout:
    repo: Repo
    origin: Path
    candidates: Path

    def remote(self, *args: str) -> str:
        done = subprocess.run([*GIT, "-C", str(self.origin), *args], capture_output=True, text=True, check=False)
        return done.stdout.strip()


def report(verdict: str = "pass", artifact: str | None = None, run: str = "run-1", **extra: Any) -> dict[str, Any]:
    out = {"program": "gate", "verdict": verdict, "failures": [] if verdict == "pass" else ["roc_auc is 0.8100; "
                                                                                            "the gate asks >= 0.9"],
           "candidate": {"name": artifact or f"{OUTPUT}{run}/model/", "kind": "xgboost"}}
    return {**out, **extra}


def publish(folder: Path, run: str, data: dict[str, Any] | bytes | str | None = None, *, model: str = "fraud-scorer",
            body: str | None = None, mtime: int | None = None) -> Path:
    """A run folder as the retraining workflow publishes it; `mtime` orders runs (seconds)."""
    run_dir = folder / model / run
    run_dir.mkdir(parents=True, exist_ok=True)
    data = report(run=run) if data is None else data
    raw = data if isinstance(data, (bytes, str)) else json.dumps(data)
    path = run_dir / "report.json"
    path.write_bytes(raw if isinstance(raw, bytes) else raw.encode())
    (run_dir / "report.md").write_text(body if body is not None else f"## Gate: the candidate passes\n\nrun {run}\n")
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return run_dir


def checkout(tmp_path: Path, spec: str = LOOP_SPEC) -> Checkout:
    origin = tmp_path / "origin.git"
    subprocess.run([*GIT, "init", "-q", "--bare", str(origin)], check=True)
    (tmp_path / "work").mkdir()
    repo = Repo(tmp_path / "work", spec)
    repo.git("remote", "add", "origin", str(origin))
    repo.git("push", "-q", "origin", "main")
    repo.git("fetch", "-q", "origin")
    candidates = tmp_path / "candidates"
    candidates.mkdir()
    return Checkout(repo, origin, candidates)


def propose(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, co: Checkout, api: str | None,
            *args: str, token: str | None = TOKEN) -> tuple[int, str, str]:
    if token is None:
        monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    else:
        monkeypatch.setenv("GITHUB_TOKEN", token)
    if api is not None:
        monkeypatch.setenv("GITHUB_API_URL", api)
    monkeypatch.delenv("GITHUB_REPOSITORY", raising=False)
    return run(capsys, "propose", str(co.repo.spec), "--candidates", str(co.candidates), "--repo", "acme/platform",
               *args)


def copy_reports(co: Checkout, tmp_path: Path, tool: str, fake: str) -> None:
    """Runs the propose workflow's copy step (mlops.init.propose.COPY_SCRIPT) for staging with `fake`, a script, as
    the cloud CLI `tool` on PATH; it must succeed."""
    import sys

    from mlops.init import propose as workflow

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / tool).write_text(fake)
    (bin_dir / tool).chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}:{Path(sys.executable).parent}:{os.environ['PATH']}",
           "MLOPS_SPEC": str(co.repo.spec), "MLOPS_ENV": "staging", "CANDIDATES": str(co.candidates),
           "RUNNER_TEMP": str(tmp_path)}
    done = subprocess.run(["bash", "-c", workflow.COPY_SCRIPT], env=env, capture_output=True, text=True, timeout=120,
                          cwd=co.repo.root)
    assert done.returncode == 0, done.stderr
