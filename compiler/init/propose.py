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

import re
import textwrap
from collections.abc import Sequence
from typing import Any

from mlops import ir, targets
from mlops.init.install import Install
from mlops.init.workflows import checkout, drift_suffix, install_step, promotion_order, python, renamed
from mlops.targets.base.artifacts import store_scheme

PROPOSE_PATH = ".github/workflows/mlops-propose.yml"
PROPOSE_SCHEDULE = "23 * * * *"      # hourly, off the hour; a run proposes only what changed since the last
CANDIDATES = "mlops-candidates"

# Copies report.json and report.md of every run (not the models) into mlops-candidates/<model>/, with the tool of
# the output's cloud (each authenticated by its own OIDC step, `output_readers`). propose orders runs by the
# report's `run_started`, so whether a tool keeps the objects' times does not matter.
# - s3: `aws s3 sync` with --exclude/--include filters (https://docs.aws.amazon.com/cli/latest/reference/s3/sync.html).
# - gs: `gcloud storage rsync --recursive`, whose --exclude is a Python regular expression on the path relative to
#   the source (https://cloud.google.com/sdk/gcloud/reference/storage/rsync): everything but the reports is
#   excluded, and the expression matches the whole path, so it works whether gcloud matches or searches.
# - az: `az storage blob download-batch --auth-mode login` (the identity azure/login signed in), whose --pattern is
#   an fnmatch glob over blob names and which writes each blob at its full name under --destination
#   (Azure/azure-cli src/azure-cli/azure/cli/command_modules/storage/operations/blob.py,
#   storage_blob_download_batch); the container's prefix is then stripped. az://ACCOUNT/CONTAINER/PATH as in
#   mlops.emit.k8s.artifacts.
COPY_SCRIPT = r"""set -euo pipefail
mkdir -p "$CANDIDATES"
mlops propose "$MLOPS_SPEC" --env "$MLOPS_ENV" --list-outputs > "$RUNNER_TEMP/mlops-outputs.tsv"
while IFS=$'\t' read -r model output; do
  output="${output%/}/"
  into="$CANDIDATES/$model/"
  if [[ "$output" != s3://* && "$output" != gs://* && "$output" != az://* ]]; then
    echo "::error::copy the reports of $model from $output into $into (this step copies s3://, gs:// and az://)"
    exit 1
  fi
  mkdir -p "$into"
  case "$output" in
    s3://*)
      aws s3 sync "$output" "$into" --only-show-errors \
        --exclude '*' --include '*/report.json' --include '*/report.md' ;;
    gs://*)
      gcloud storage rsync "$output" "$into" --recursive --no-user-output-enabled \
        --exclude '^(?!([^/]+/)*report\.(json|md)$).*' ;;
    az://*)
      path="${output#az://}"; account="${path%%/*}"; path="${path#*/}"; container="${path%%/*}"
      prefix="${path#"$container"}"; prefix="${prefix#/}"
      fetched="$(mktemp -d)"
      for report in report.json report.md; do
        az storage blob download-batch --account-name "$account" --source "$container" \
          --destination "$fetched" --pattern "${prefix}*/$report" --auth-mode login \
          --only-show-errors --output none
      done
      if [[ -d "$fetched/$prefix" ]]; then cp -R "$fetched/$prefix." "$into"; fi ;;
  esac
done < "$RUNNER_TEMP/mlops-outputs.tsv"
"""

PROPOSE_SCRIPT = 'mlops propose "$MLOPS_SPEC" --env "$MLOPS_ENV" --candidates "$CANDIDATES" --base "$BASE"\n'


def training_environments(envs: Sequence[ir.Environment]) -> list[ir.Environment]:
    """The environments propose opens pull requests for: some model trains there, and it has no `promotion`."""
    return [e for e in promotion_order(envs) if not e.promotion_from
            and any(m.training and m.training.environment == e.name for m in e.models)]


_VARIABLE = re.compile(r"\bvars\.([A-Z0-9_]+)")


def outputs(env: ir.Environment) -> list[str]:
    """The `training.output` of each model training in `env` (what the copy step reads)."""
    return sorted({m.training.output for m in env.models if m.training and m.training.environment == env.name})


def output_clouds(env: ir.Environment) -> list[targets.Target]:
    """The clouds holding those outputs: the output's, not the environment's (the loop example trains on GCP and
    publishes to s3://), in the registry's order."""
    schemes = {store_scheme(o) for o in outputs(env)}
    return [t for p in targets.REGISTRY if (t := targets.get(p)).native_schemes & schemes]


def output_readers(env: ir.Environment) -> list[dict[str, Any]]:
    """One OIDC credentials step per output cloud, reading variables named per environment, like drift's
    (MLOPS_OUTPUTS_AWS_ROLE_ARN_STAGING): only read access to the outputs, nothing of the environment itself
    (propose plans without the cloud, as the plan workflow does)."""
    return [renamed(cloud.output_reader(), drift_suffix(env)) for cloud in output_clouds(env)]


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
        install_step(install, ["propose", env.target.provider]), *output_readers(env),
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
def _reads(envs: Sequence[ir.Environment]) -> str:
    lines = []
    for env in training_environments(envs):
        for step, cloud in zip(output_readers(env), output_clouds(env), strict=True):
            mine = [o for o in outputs(env) if store_scheme(o) in cloud.native_schemes]
            text = (f"{env.name} ({', '.join(mine)}): {' and '.join(_VARIABLE.findall(str(step['with'])))}, "
                    f"for {cloud.output_reader_role}.")
            lines += textwrap.wrap(text, 114, initial_indent="#   ", subsequent_indent="#     ",
                                   break_on_hyphens=False, break_long_words=False)
    return "".join(f"{line}\n" for line in lines) or "#   (none: no output is in a cloud's object storage)\n"


def header(envs: Sequence[ir.Environment]) -> str:
    return f"""\
# Written by `mlops init`: every hour (and on demand, Actions -> mlops propose -> Run workflow), copy the gate
# reports each model's retraining published under its training.output, and open or update ONE pull request per
# model whose newest candidate passed its gate (branch mlops/propose/<env>/<model>): it bumps the artifact in the
# environment's overrides, with the gate report as its body and the plan as its first comment. Production still
# changes only by merging, and through the promotion gate. The outputs are read with the credentials of the cloud
# they are in (OIDC, no stored key), from repository variables; each names an identity that only reads them:
{_reads(envs)}\
# For team reviewers, and for the plan workflow to run on these pull requests, install a GitHub App (contents and
# pull requests: write) and set vars.MLOPS_PROPOSE_APP_ID and secrets.MLOPS_PROPOSE_APP_KEY; otherwise the
# workflow's token is used (allow it to create pull requests in the repository's Actions settings).
"""
