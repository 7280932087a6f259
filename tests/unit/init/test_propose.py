"""mlops-propose.yml as data: a job per environment models train in (never one with `promotion`), least
permissions, pinned actions, spec values only through `env:`, the credentials of the cloud each OUTPUT is in (not
the environment's), and none at all when no model trains."""

from __future__ import annotations

import re

import pytest

from mlops import ir
from mlops.init import propose
from mlops.init.install import Install
from mlops.init.scaffold import dump
from mlops.pipeline import environments
from mlops.spec.load import parse
from tests.support.proposals import loop_with_output
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
                    "aws-actions/configure-aws-credentials@v6.2.3"]     # staging is on GCP, its output on S3
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


def _variant(output: str) -> tuple[ir.Environment, ...]:
    return environments(parse(loop_with_output(output), "mlops.yaml"))[0]


def _readers(loop: tuple[ir.Environment, ...]) -> list[dict[str, object]]:
    (job,) = propose.propose_workflow(loop, "mlops.yaml", PINNED)["jobs"].values()  # type: ignore[index]
    return [s for s in job["steps"] if "credentials" in s.get("name", "")]


def test_an_output_on_gcs_reads_with_google_workload_identity_federation() -> None:
    assert _readers(_variant("gs://fraud-models/fraud-scorer/")) == [{
        "name": "Google Cloud credentials to read training outputs (workload identity federation)",
        "uses": "google-github-actions/auth@v3.0.0",
        "with": {"workload_identity_provider": "${{ vars.MLOPS_OUTPUTS_GCP_WORKLOAD_IDENTITY_PROVIDER_STAGING }}",
                 "service_account": "${{ vars.MLOPS_OUTPUTS_GCP_SERVICE_ACCOUNT_STAGING }}"}}]


def test_an_output_on_azure_blob_reads_with_a_federated_credential_and_no_subscription() -> None:
    assert _readers(_variant("az://fraudmodels/models/fraud-scorer/")) == [{
        "name": "Azure credentials to read training outputs (federated credential)",
        "uses": "azure/login@v3.0.1",
        "with": {"client-id": "${{ vars.MLOPS_OUTPUTS_AZURE_CLIENT_ID_STAGING }}",
                 "tenant-id": "${{ vars.MLOPS_OUTPUTS_AZURE_TENANT_ID_STAGING }}", "allow-no-subscriptions": True}}]


def test_the_job_reads_only_the_outputs_credentials_and_no_stored_cloud_key() -> None:
    for loop in (envs("loop"), _variant("gs://fraud-models/fraud-scorer/"), _variant("az://fraudmodels/models/x/")):
        (job,) = propose.propose_workflow(loop, "mlops.yaml", PINNED)["jobs"].values()  # type: ignore[index]
        text = str(job)
        assert {v for v in re.findall(r"vars\.(\w+)", text) if not v.startswith("MLOPS_PROPOSE_")} == {
            v for v in re.findall(r"vars\.(\w+)", str(_readers(loop)))}            # the environment's: none
        assert all(v.startswith("MLOPS_OUTPUTS_") and v.endswith("_STAGING") for v in re.findall(
            r"vars\.(\w+)", str(_readers(loop))))
        assert set(re.findall(r"secrets\.(\w+)", text)) == {"MLOPS_PROPOSE_APP_KEY", "GITHUB_TOKEN"}


def test_the_header_names_each_variable_and_what_its_identity_may_do() -> None:
    lines = propose.header(envs("loop")).splitlines()
    start = lines.index("# they are in (OIDC, no stored key), from repository variables; each names an identity "
                        "that only reads them:")
    assert lines[start + 1:start + 4] == [
        "#   staging (s3://fraud-models/fraud-scorer/): MLOPS_OUTPUTS_AWS_ROLE_ARN_STAGING and",
        "#     MLOPS_OUTPUTS_AWS_REGION_STAGING, for an IAM role trusting GitHub's OIDC provider for this repository, "
        "with",
        "#     s3:GetObject under each output prefix and s3:ListBucket on its bucket with an s3:prefix condition."]


# The file `mlops init` writes for the loop spec (without its header): staging trains on GCP, its output is
# on S3, so the job reads it with AWS credentials and no GCP step.
LOOP_WORKFLOW = r'''name: mlops propose
'on':
  schedule:
  - cron: 23 * * * *
  workflow_dispatch: {}
permissions:
  contents: write
  pull-requests: write
  id-token: write
concurrency:
  group: mlops-propose
  cancel-in-progress: false
jobs:
  propose-staging:
    name: propose for staging
    runs-on: ubuntu-latest
    steps:
    - name: GitHub App token (when vars.MLOPS_PROPOSE_APP_ID is set)
      id: app
      if: vars.MLOPS_PROPOSE_APP_ID != ''
      uses: actions/create-github-app-token@v2
      with:
        app-id: ${{ vars.MLOPS_PROPOSE_APP_ID }}
        private-key: ${{ secrets.MLOPS_PROPOSE_APP_KEY }}
        permission-contents: write
        permission-pull-requests: write
    - uses: actions/checkout@v4
      with:
        fetch-depth: 0
        token: ${{ steps.app.outputs.token || secrets.GITHUB_TOKEN }}
    - uses: actions/setup-python@v5
      with:
        python-version: '3.11'
        cache: pip
        cache-dependency-path: .github/workflows/mlops-propose.yml
    - name: Install mlops (mlops-compiler, pinned, with the gcp, propose extras)
      run: |
        python -m pip install "$MLOPS_PACKAGE"
        mlops --version
      env:
        MLOPS_PACKAGE: mlops-compiler[gcp,propose]==0.1.0
    - name: AWS credentials to read training outputs (OIDC)
      uses: aws-actions/configure-aws-credentials@v6.2.3
      with:
        role-to-assume: ${{ vars.MLOPS_OUTPUTS_AWS_ROLE_ARN_STAGING }}
        aws-region: ${{ vars.MLOPS_OUTPUTS_AWS_REGION_STAGING }}
        role-session-name: mlops-propose
    - name: Copy the gate reports of the models training in staging
      run: |
        set -euo pipefail
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
      env:
        MLOPS_SPEC: mlops.yaml
        MLOPS_ENV: staging
        CANDIDATES: mlops-candidates
    - name: Open or update one pull request per better model
      run: |
        mlops propose "$MLOPS_SPEC" --env "$MLOPS_ENV" --candidates "$CANDIDATES" --base "$BASE"
      env:
        MLOPS_SPEC: mlops.yaml
        MLOPS_ENV: staging
        CANDIDATES: mlops-candidates
        BASE: ${{ github.event.repository.default_branch }}
        GITHUB_TOKEN: ${{ steps.app.outputs.token || secrets.GITHUB_TOKEN }}
'''


def test_the_loop_specs_workflow_as_written() -> None:
    assert dump(propose.propose_workflow(envs("loop"), "mlops.yaml", PINNED)).decode() == LOOP_WORKFLOW
