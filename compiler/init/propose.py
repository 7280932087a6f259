"""mlops-propose.yml, the scheduled workflow `mlops init` writes when a model has `training`: one job per
environment that models train in (never one with `promotion`), which copies each model's gate reports out of its
`training.output` and runs `mlops propose` (mlops.gitops.propose): one pull request per model with a better
candidate.

Least privilege: `contents: write` (push the proposal branches), `pull-requests: write` (open and update them, post
the plan), and `id-token: write` only for the OIDC credentials that read the outputs. Like the drift jobs, the jobs
run outside GitHub environments (whose reviewers would hold every scheduled run) and read credentials named per
environment. The token: the workflow's GITHUB_TOKEN, or a GitHub App installation token when the repository
variable MLOPS_PROPOSE_APP_ID is set (team reviewers need one, and only its pull requests start the plan workflow:
/work/notes/facts-loop.md §11).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mlops import ir
from mlops.init.install import Install
from mlops.init.workflows import checkout, drift_credentials, drift_suffix, install_step, promotion_order, python

PROPOSE_PATH = ".github/workflows/mlops-propose.yml"
PROPOSE_SCHEDULE = "23 * * * *"      # hourly, off the hour; a run proposes only what changed since the last
CANDIDATES = "mlops-candidates"

# Copies report.json and report.md of every run (not the models) into mlops-candidates/<model>/. `aws s3 sync` keeps
# each object's LastModified as the file's time (aws-cli awscli/customizations/s3/subscribers.py,
# ProvideLastModifiedTimeSubscriber), which is how propose tells the newest run; --exclude/--include filters:
# https://docs.aws.amazon.com/cli/latest/reference/s3/sync.html
COPY_SCRIPT = """set -euo pipefail
mkdir -p "$CANDIDATES"
mlops propose "$MLOPS_SPEC" --env "$MLOPS_ENV" --list-outputs > "$RUNNER_TEMP/mlops-outputs.tsv"
while IFS=$'\t' read -r model output; do
  if [[ "$output" != s3://* ]]; then
    echo "::error::copy the reports of $model from $output into $CANDIDATES/$model/ (this step copies s3:// only)"
    exit 1
  fi
  aws s3 sync "$output" "$CANDIDATES/$model/" --only-show-errors \
    --exclude '*' --include '*/report.json' --include '*/report.md'
done < "$RUNNER_TEMP/mlops-outputs.tsv"
"""

PROPOSE_SCRIPT = 'mlops propose "$MLOPS_SPEC" --env "$MLOPS_ENV" --candidates "$CANDIDATES" --base "$BASE"\n'


def training_environments(envs: Sequence[ir.Environment]) -> list[ir.Environment]:
    """The environments propose opens pull requests for: some model trains there, and it has no `promotion`."""
    return [e for e in promotion_order(envs) if not e.promotion_from
            and any(m.training and m.training.environment == e.name for m in e.models)]


def app_token() -> dict[str, Any]:
    """A GitHub App installation token, when the repository has one configured (else the step is skipped), scoped
    to the two permissions propose uses (inputs app-id, private-key, permission-*; output token:
    https://github.com/actions/create-github-app-token action.yml)."""
    return {"name": "GitHub App token (when vars.MLOPS_PROPOSE_APP_ID is set)", "id": "app",
            "if": "vars.MLOPS_PROPOSE_APP_ID != ''", "uses": "actions/create-github-app-token@v2",
            "with": {"app-id": "${{ vars.MLOPS_PROPOSE_APP_ID }}",
                     "private-key": "${{ secrets.MLOPS_PROPOSE_APP_KEY }}",
                     "permission-contents": "write", "permission-pull-requests": "write"}}


def _job(env: ir.Environment, spec: str, install: Install) -> dict[str, Any]:
    variables = {"MLOPS_SPEC": spec, "MLOPS_ENV": env.name, "CANDIDATES": CANDIDATES}
    token = "${{ steps.app.outputs.token || secrets.GITHUB_TOKEN }}"
    fetch = {**checkout(), "with": {"fetch-depth": 0, "token": token}}    # pushes with the same token
    return {"name": f"propose for {env.name}", "runs-on": "ubuntu-latest", "steps": [
        app_token(), fetch, python(PROPOSE_PATH),
        install_step(install, ["propose", env.target.provider]), drift_credentials(env),
        {"name": f"Copy the gate reports of the models training in {env.name}", "run": COPY_SCRIPT,
         "env": variables},
        {"name": "Open or update one pull request per better model", "run": PROPOSE_SCRIPT,
         "env": {**variables, "BASE": "${{ github.event.repository.default_branch }}", "GITHUB_TOKEN": token}},
    ]}


def propose_workflow(envs: Sequence[ir.Environment], spec: str, install: Install) -> dict[str, Any] | None:
    """The workflow, or None when no model trains (nothing to propose)."""
    chosen = training_environments(envs)
    if not chosen:
        return None
    return {
        "name": "mlops propose",
        "on": {"schedule": [{"cron": PROPOSE_SCHEDULE}], "workflow_dispatch": {}},
        "permissions": {"contents": "write", "pull-requests": "write", "id-token": "write"},
        "concurrency": {"group": "mlops-propose", "cancel-in-progress": False},
        "jobs": {f"propose-{e.name}": _job(e, spec, install) for e in chosen},
    }


# "Allow GitHub Actions to create and approve pull requests" (Settings -> Actions -> General -> Workflow permissions)
# gates pull requests opened with the workflow's token:
# https://github.blog/changelog/2022-05-03-github-actions-prevent-github-actions-from-creating-and-approving-pull-requests
def header(envs: Sequence[ir.Environment]) -> str:
    suffixes = ", ".join(f"{drift_suffix(e)} ({e.name})" for e in training_environments(envs))
    return f"""\
# Written by `mlops init`: every hour (and on demand, Actions -> mlops propose -> Run workflow), copy the gate
# reports each model's retraining published under its training.output, and open or update ONE pull request per
# model whose newest candidate passed its gate (branch mlops/propose/<env>/<model>): it bumps the artifact in the
# environment's overrides, with the gate report as its body and the plan as its first comment. Production still
# changes only by merging, and through the promotion gate. Credentials are read from repository variables and
# secrets ending in {suffixes}; outputs in another cloud than the environment's need that cloud's
# credentials step added before the copy. For team reviewers, and for the plan workflow to run on these pull
# requests, install a GitHub App (contents and pull requests: write) and set vars.MLOPS_PROPOSE_APP_ID and
# secrets.MLOPS_PROPOSE_APP_KEY; otherwise the workflow's token is used (allow it to create pull requests in the
# repository's Actions settings).
"""
