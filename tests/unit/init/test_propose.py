"""mlops-propose.yml as data: a job per environment models train in (never one with `promotion`), least
permissions, pinned actions, spec values only through `env:`, and none at all when no model trains."""

from __future__ import annotations

import pytest

from mlops.init import propose
from mlops.init.install import Install
from tests.unit.init.test_workflows import envs, installs

PINNED = Install(version="0.1.0")


def test_one_job_for_the_environment_models_train_in_never_a_promoted_one() -> None:
    loop = envs("loop")
    workflow = propose.propose_workflow(loop, "mlops.yaml", PINNED)
    assert workflow is not None
    assert list(workflow["jobs"]) == ["propose-staging"]                       # production is promoted from it
    assert installs(workflow) == {"propose-staging": "mlops-compiler[gcp,propose]==0.1.0"}
    assert workflow["permissions"] == {"contents": "write", "pull-requests": "write", "id-token": "write"}
    assert workflow["on"] == {"schedule": [{"cron": "23 * * * *"}], "workflow_dispatch": {}}


def test_the_steps_copy_the_reports_then_propose_with_the_app_token_or_the_workflows() -> None:
    (job,) = propose.propose_workflow(envs("loop"), "mlops.yaml", PINNED)["jobs"].values()  # type: ignore[index]
    uses = [s["uses"] for s in job["steps"] if "uses" in s]
    assert uses == ["actions/create-github-app-token@v2", "actions/checkout@v4", "actions/setup-python@v5",
                    "google-github-actions/auth@v2"]
    token = "${{ steps.app.outputs.token || secrets.GITHUB_TOKEN }}"
    assert job["steps"][1]["with"] == {"fetch-depth": 0, "token": token}      # the push uses it too
    copy_step, propose_step = job["steps"][-2:]
    assert copy_step["run"] == propose.COPY_SCRIPT and propose_step["run"] == propose.PROPOSE_SCRIPT
    assert propose_step["env"] == {"MLOPS_SPEC": "mlops.yaml", "MLOPS_ENV": "staging", "CANDIDATES": "mlops-candidates",
                                   "BASE": "${{ github.event.repository.default_branch }}", "GITHUB_TOKEN": token}
    assert "staging" not in copy_step["run"] + propose_step["run"]            # values reach scripts by env only


@pytest.mark.parametrize("example", ["north-star", "quickstart", "retail-edge", "llm-platform"])
def test_no_workflow_when_no_model_trains(example: str) -> None:
    assert propose.propose_workflow(envs(example), "mlops.yaml", PINNED) is None
