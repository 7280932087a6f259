"""The job image's Dockerfile and its release workflow, checked without a Docker daemon: the base pinned by
digest, a numeric non-root user with a passwd entry and a home, the package installed with the jobs extra at
its own version, and a workflow GitHub accepts."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib

import yaml

from mlops import jobs
from mlops.emit.k8s.runtimes import RUN_AS
from tests.support import ROOT

DOCKERFILE = (ROOT / "compiler" / "jobs" / "Dockerfile").read_text()
WORKFLOW = ROOT / ".github" / "workflows" / "jobs-image.yml"
PROGRAMS = ["datacheck", "gate", "drift", "fairness", "explain"]


def instructions() -> list[tuple[str, str]]:
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [(line.split(None, 1)[0], line.split(None, 1)[1]) for line in lines]


def test_the_base_image_is_pinned_by_digest() -> None:
    base = [arg for op, arg in instructions() if op == "FROM"]
    assert len(base) == 1 and re.fullmatch(r"python:3\.11\.\d+-slim-trixie@sha256:[0-9a-f]{64}", base[0])


def test_it_runs_as_the_pods_numeric_user_with_a_home() -> None:
    ops = instructions()
    user = [arg for op, arg in ops if op == "USER"]
    assert user == [f"{RUN_AS}:{RUN_AS}"]
    assert max(i for i, (op, _) in enumerate(ops) if op == "USER") > max(i for i, (op, _) in enumerate(ops)
                                                                         if op == "RUN")
    assert f"useradd --uid {RUN_AS} --gid {RUN_AS} --home-dir /home/mlops --create-home" in DOCKERFILE
    env = " ".join(arg for op, arg in ops if op == "ENV")
    assert "HOME=/home/mlops" in env and "ITERATIVE_DO_NOT_TRACK=1" in env


def test_it_installs_this_package_with_the_jobs_extra_at_its_version() -> None:
    run = " ".join(arg for op, arg in instructions() if op == "RUN")
    assert '"mlops-compiler[jobs] @ file:///tmp/mlops_compiler-${MLOPS_VERSION}-py3-none-any.whl"' in run
    assert "m.version('mlops-compiler') == '${MLOPS_VERSION}'" in run
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert "mlops-compiler[jobs]" in extras["test"]
    pinned = [r for r in extras["jobs"] if "==" in r]
    assert len(pinned) == len(extras["jobs"]) - 1          # every engine exact; python-dateutil is a range


def test_the_release_workflow_is_valid_and_builds_every_program() -> None:
    done = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows",
                           str(WORKFLOW)], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    workflow = yaml.safe_load(WORKFLOW.read_text())
    steps = workflow["jobs"]["image"]["steps"]
    build = next(s for s in steps if s.get("uses", "").startswith("docker/build-push-action@"))
    assert build["with"]["file"] == "compiler/jobs/Dockerfile" and build["with"]["context"] == "dist"
    assert build["with"]["build-args"] == "MLOPS_VERSION=${{ steps.version.outputs.version }}"
    assert "for program in " + " ".join(PROGRAMS) + "; do" in next(s["run"] for s in steps if "for program" in
                                                                  s.get("run", ""))
    assert workflow["permissions"] == {"contents": "read", "packages": "write"}


def test_the_interface_lists_every_program() -> None:
    import importlib

    for program in PROGRAMS:
        module = importlib.import_module(f"mlops.jobs.{program}")
        assert callable(module.cli) and f"| {program} " in (jobs.__doc__ or "")
