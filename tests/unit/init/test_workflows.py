"""The workflows `mlops init` writes, as data: each job installs mlops-compiler pinned with exactly the extras its
targets need, pip's cache is keyed on the workflow file, nothing is aliased, and a step installing anything else
is refused before it is written."""

from __future__ import annotations

import copy

import pytest

from mlops.errors import Failure
from mlops.init import workflows
from mlops.init.install import Install
from mlops.pipeline import environments
from mlops.spec.load import load
from tests.support import EXAMPLES

PINNED = Install(version="0.1.0")


def envs(example: str) -> tuple[object, ...]:
    return environments(load(str(next(p for p in EXAMPLES if p.name == example) / "mlops.yaml")))[0]


def installs(workflow: dict[str, object]) -> dict[str, str]:
    return {job: step["env"]["MLOPS_PACKAGE"] for job, spec in workflow["jobs"].items()  # type: ignore[attr-defined]
            for step in spec["steps"] if "MLOPS_PACKAGE" in step.get("env", {})}


def test_the_plan_job_gets_every_targets_extra_and_each_apply_job_its_own() -> None:
    north = envs("north-star")
    assert installs(workflows.plan_workflow("mlops.yaml", PINNED, north)) == {"plan": "mlops-compiler[aws,gcp]==0.1.0"}
    assert installs(workflows.apply_workflow(north, "mlops.yaml", PINNED)) == {
        "apply-staging": "mlops-compiler[gcp]==0.1.0", "apply-production": "mlops-compiler[aws]==0.1.0"}
    retail = envs("retail-edge")
    assert installs(workflows.plan_workflow("mlops.yaml", PINNED, retail)) == {
        "plan": "mlops-compiler[azure,onprem]==0.1.0"}


@pytest.mark.parametrize("example", [p.name for p in EXAMPLES])
def test_pip_is_cached_on_the_workflow_file_and_no_mapping_is_shared(example: str) -> None:
    for path, workflow in ((workflows.PLAN_PATH, workflows.plan_workflow("mlops.yaml", PINNED, envs(example))),
                           (workflows.APPLY_PATH, workflows.apply_workflow(envs(example), "mlops.yaml", PINNED))):
        steps = [s for job in workflow["jobs"].values() for s in job["steps"]]
        python = [s for s in steps if s.get("uses", "").startswith("actions/setup-python@")]
        assert python and all(s["with"]["cache"] == "pip" and s["with"]["cache-dependency-path"] == path
                              for s in python)
        assert len({id(s) for s in steps}) == len(steps)           # a shared dict is what PyYAML turns into an alias
        workflows.verify(workflow, PINNED)


def test_a_step_installing_anything_else_is_refused() -> None:
    workflow = workflows.plan_workflow("mlops.yaml", PINNED, envs("quickstart"))
    for tamper in ({"MLOPS_PACKAGE": "mlops==0.1.0"}, {"MLOPS_PACKAGE": "mlops-compiler[onprem]==0.2.0"}):
        bad = copy.deepcopy(workflow)
        step = next(s for s in bad["jobs"]["plan"]["steps"] if "MLOPS_PACKAGE" in s.get("env", {}))
        step["env"] = tamper
        with pytest.raises(Failure, match="installs something else"):
            workflows.verify(bad, PINNED)
    bad = copy.deepcopy(workflow)
    bad["jobs"]["plan"]["steps"].append({"name": "sneaky", "run": "pip install mlops"})
    with pytest.raises(Failure, match="sneaky"):
        workflows.verify(bad, PINNED)
