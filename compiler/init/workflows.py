"""The GitHub Actions workflows `mlops init` writes, built as data (dumped by compiler/scaffold.py).

- mlops-plan.yml, on pull requests: validate, plan against the target branch, then create or update ONE comment
  (found by `plan_report.MARKER`), and fail the check when the plan failed or the promotion gate refused.
- mlops-apply.yml, on pushes to main: one job per environment in promotion order (`needs:` the environment it
  is promoted from), each with `environment:` set to a GitHub environment of the same name; approval is what
  GitHub environments with required reviewers do, configured in the repository's settings.
- mlops-drift.yml, daily and on demand: one job per environment running `mlops drift` (`pulumi refresh
  --preview-only` of its stacks through the Automation API); drift opens or updates ONE issue per environment
  (found by `drift.MARKER`), closed again once the drift is gone, and fails the check. Its jobs run outside the
  GitHub environments (whose reviewers would hold a daily job) and read credentials named per environment.

Every job installs this project pinned (`mlops.init.install`) with exactly the extras its targets need: the plan
job those of every environment (so its plan keeps the infrastructure diff), an apply job its environment's. pip's
cache is keyed on the workflow file itself, which holds the pinned requirement (a user repository has no
requirements.txt or pyproject.toml for setup-python to hash: without a path its cache step fails, see
actions/setup-python#807). Each step is a fresh mapping: no YAML anchors and aliases, which actionlint before
1.7.10 and older GitHub Enterprise Server reject. Values from the spec never enter a shell script: scripts read
them from `env:` variables.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from mlops import DISTRIBUTION, ir, targets
from mlops.errors import Failure
from mlops.gitops.drift import MARKER as DRIFT_MARKER
from mlops.gitops.plan.report import ARTIFACT, MARKER
from mlops.init.install import Install

PLAN_PATH = ".github/workflows/mlops-plan.yml"
APPLY_PATH = ".github/workflows/mlops-apply.yml"
DRIFT_PATH = ".github/workflows/mlops-drift.yml"
DRIFT_SCHEDULE = "17 5 * * *"     # daily; off the hour, when GitHub's scheduler is least loaded


def checkout() -> dict[str, Any]:
    return {"uses": "actions/checkout@v4", "with": {"fetch-depth": 0}}   # the base revision must be in the clone


def python(workflow: str) -> dict[str, Any]:
    return {"uses": "actions/setup-python@v5",
            "with": {"python-version": "3.11", "cache": "pip", "cache-dependency-path": workflow}}


def pulumi() -> dict[str, Any]:
    return {"name": "Install the Pulumi CLI", "uses": "pulumi/actions@v6"}


RUN_URL = "${{ github.server_url }}/${{ github.repository }}/actions/runs/${{ github.run_id }}"
INSTALL_SCRIPT = 'python -m pip install "$MLOPS_PACKAGE"\nmlops --version\n'


def install_step(install: Install, extras: Iterable[str]) -> dict[str, Any]:
    chosen = sorted(set(extras))
    what = f"{DISTRIBUTION}, pinned" + (f", with the {', '.join(chosen)} extra{'s' if len(chosen) > 1 else ''}"
                                         if chosen else "")
    return {"name": f"Install mlops ({what})", "run": INSTALL_SCRIPT,
            "env": {"MLOPS_PACKAGE": install.requirement(chosen)}}


def verify(workflow: Mapping[str, Any], install: Install) -> None:
    """Every step that installs anything installs this project, pinned as `install` says. Raises Failure (a bug)."""
    for job in workflow.get("jobs", {}).values():
        for step in job.get("steps", []):
            run = str(step.get("run", ""))
            if "install" not in run:
                continue
            wanted = str(step.get("env", {}).get("MLOPS_PACKAGE", ""))
            base = wanted.split("[", 1)[0].split("==", 1)[0].split(" @ ", 1)[0]
            pin = f"=={install.version}" if install.version else f" @ {install.url}"
            pinned = wanted.endswith(pin)
            if run != INSTALL_SCRIPT or base != DISTRIBUTION or not pinned:
                raise Failure(f"refusing to write a workflow step that installs something else: {step.get('name')}")

COMMENT_SCRIPT = """const fs = require('fs');
const marker = process.env.MARKER;
let body = fs.existsSync('mlops-plan.md') ? fs.readFileSync('mlops-plan.md', 'utf8') : '';
if (!body.trim()) {
  const err = fs.existsSync('mlops-plan.err') ? fs.readFileSync('mlops-plan.err', 'utf8') : '';
  body = `${marker}\\n### mlops plan failed\\n\\n\\`\\`\\`\\n${err.slice(0, 60000)}\\n\\`\\`\\`\\n`;
}
const { owner, repo } = context.repo;
const issue_number = context.issue.number;
const comments = await github.paginate(github.rest.issues.listComments, { owner, repo, issue_number, per_page: 100 });
const mine = comments.find(c => c.user && c.user.type === 'Bot' && (c.body || '').includes(marker));
if (mine) {
  await github.rest.issues.updateComment({ owner, repo, comment_id: mine.id, body });
} else {
  await github.rest.issues.createComment({ owner, repo, issue_number, body });
}
"""

PLAN_SCRIPT = """set +e
mlops plan "$MLOPS_SPEC" --base "origin/$BASE_REF" --format markdown --detailed-exitcode \\
  --save mlops-plan-full --link "$RUN_URL" > mlops-plan.md 2> mlops-plan.err
code=$?
cat mlops-plan.md mlops-plan.err
echo "exitcode=$code" >> "$GITHUB_OUTPUT"
"""


def providers(envs: Iterable[ir.Environment]) -> list[str]:
    """The extras the environments' targets need (one per provider)."""
    return sorted({e.target.provider for e in envs})


def plan_workflow(spec: str, install: Install, envs: Sequence[ir.Environment]) -> dict[str, Any]:
    steps = [
        checkout(), python(PLAN_PATH), install_step(install, providers(envs)),
        {"name": "Validate", "run": 'mlops validate "$MLOPS_SPEC"', "env": {"MLOPS_SPEC": spec}},
        {"name": "Plan", "id": "plan", "run": PLAN_SCRIPT,
         "env": {"MLOPS_SPEC": spec, "BASE_REF": "${{ github.base_ref }}", "RUN_URL": RUN_URL}},
        {"name": "Post or update the plan comment", "if": "always() && steps.plan.outcome == 'success'",
         "uses": "actions/github-script@v7", "env": {"MARKER": MARKER}, "with": {"script": COMMENT_SCRIPT}},
        # The comment holds the summary and what fits of the details; the run keeps every line.
        {"name": "Keep the full plan (artifact mlops-plan)", "if": "always() && steps.plan.outcome == 'success'",
         "uses": "actions/upload-artifact@v4",
         "with": {"name": ARTIFACT, "path": "mlops-plan-full/", "if-no-files-found": "ignore"}},
        {"name": "Fail when the plan failed or the promotion gate refused", "if": "steps.plan.outputs.exitcode == '1'",
         "run": "exit 1"},
    ]
    return {
        "name": "mlops plan",
        "on": {"pull_request": {}},
        "permissions": {"contents": "read", "pull-requests": "write"},
        "concurrency": {"group": "mlops-plan-${{ github.event.pull_request.number }}", "cancel-in-progress": True},
        "jobs": {"plan": {"runs-on": "ubuntu-latest", "steps": steps}},
    }


def promotion_order(envs: Sequence[ir.Environment]) -> list[ir.Environment]:
    """Each environment after the one it is promoted from; otherwise in the spec's order."""
    names = {e.name for e in envs}
    ordered: list[ir.Environment] = []
    remaining = list(envs)
    while remaining:
        ready = [e for e in remaining if e.promotion_from not in names or e.promotion_from in {o.name for o in ordered}]
        if not ready:            # a cycle: validation refuses none today, so keep the spec's order
            return ordered + remaining
        ordered += ready
        remaining = [e for e in remaining if e not in ready]
    return ordered


def credentials(env: ir.Environment) -> dict[str, Any]:
    """The step giving the job access to the target, through OIDC (no long-lived keys), from variables (the job's
    GitHub environment's first, then the repository's: https://docs.github.com/en/actions/learn-github-actions/variables)."""
    return targets.get(env.target.provider).ci_credentials(env)


def _job_id(env: str) -> str:
    return f"apply-{env}"


def _apply_job(env: ir.Environment, spec: str, install: Install, known: set[str]) -> dict[str, Any]:
    command = 'mlops apply "$MLOPS_SPEC" --env "$MLOPS_ENV" --yes'
    variables = {"MLOPS_SPEC": spec, "MLOPS_ENV": env.name, "PULUMI_ACCESS_TOKEN": "${{ secrets.PULUMI_ACCESS_TOKEN }}"}
    if env.promotion_from:
        command += ' --base "$BEFORE"'
        variables["BEFORE"] = "${{ github.event.before }}"     # what the source environment ran until this push
    title = f"apply {env.name}" + (" (needs a reviewer's approval)" if env.require_approval else "")
    job: dict[str, Any] = {"name": title, "runs-on": "ubuntu-latest", "environment": env.name}
    if env.promotion_from in known:
        job["needs"] = [_job_id(env.promotion_from)]
    job["steps"] = [checkout(), python(APPLY_PATH), pulumi(), install_step(install, providers([env])),
                    credentials(env), {"name": f"Apply {env.name}", "run": command, "env": variables}]
    return job


def apply_workflow(envs: Sequence[ir.Environment], spec: str, install: Install) -> dict[str, Any]:
    known = {e.name for e in envs}
    return {
        "name": "mlops apply",
        "on": {"push": {"branches": ["main"]}},
        "permissions": {"contents": "read", "id-token": "write"},
        "concurrency": {"group": "mlops-apply", "cancel-in-progress": False},
        "jobs": {_job_id(e.name): _apply_job(e, spec, install, known) for e in promotion_order(envs)},
    }


DRIFT_SCRIPT = """set +e
mlops drift "$MLOPS_SPEC" --env "$MLOPS_ENV" --format markdown --detailed-exitcode > mlops-drift.md 2> mlops-drift.err
code=$?
cat mlops-drift.md mlops-drift.err
echo "exitcode=$code" >> "$GITHUB_OUTPUT"
"""

ISSUE_SCRIPT = """const fs = require('fs');
const marker = process.env.MARKER;
const drifted = process.env.EXITCODE === '2';
const body = fs.existsSync('mlops-drift.md') ? fs.readFileSync('mlops-drift.md', 'utf8') : '';
const { owner, repo } = context.repo;
const open = await github.paginate(github.rest.issues.listForRepo, { owner, repo, state: 'open', per_page: 100 });
const mine = open.find(i => !i.pull_request && (i.body || '').includes(marker));
const run = `${context.serverUrl}/${owner}/${repo}/actions/runs/${context.runId}`;
if (drifted && mine) {
  await github.rest.issues.update({ owner, repo, issue_number: mine.number, body });
} else if (drifted) {
  await github.rest.issues.create({ owner, repo, title: `mlops drift: ${process.env.MLOPS_ENV}`, body });
} else if (mine) {
  await github.rest.issues.createComment({ owner, repo, issue_number: mine.number, body: `No drift any more: ${run}` });
  await github.rest.issues.update({ owner, repo, issue_number: mine.number, state: 'closed' });
}
"""


_EXPRESSION = re.compile(r"\$\{\{ (vars|secrets)\.([A-Za-z0-9_]+) \}\}")


def drift_suffix(env: ir.Environment) -> str:
    """`_PRODUCTION` for production: environment names are DNS-1123 labels, so this never collides."""
    return "_" + env.name.upper().replace("-", "_")


def renamed(value: Any, suffix: str) -> Any:
    if isinstance(value, str):
        return _EXPRESSION.sub(lambda m: f"${{{{ {m[1]}.{m[2]}{suffix} }}}}", value)
    if isinstance(value, dict):
        return {k: renamed(v, suffix) for k, v in value.items()}
    return value


def drift_credentials(env: ir.Environment) -> dict[str, Any]:
    """The apply job's credentials step, each variable and secret it reads renamed NAME_<ENV> (AWS_ROLE_ARN_PRODUCTION).

    A drift job runs outside the GitHub environment: a scheduled job in an environment with required reviewers
    waits for one every day. Outside it, `vars.AWS_ROLE_ARN` is the repository's one value for every environment,
    so each environment's credentials get their own names, which may well name a read-only role."""
    suffix = drift_suffix(env)
    step: dict[str, Any] = renamed(credentials(env), suffix)
    step["name"] = f"{env.name} credentials (repository variables and secrets ending in {suffix})"
    return step


def _drift_job(env: ir.Environment, spec: str, install: Install) -> dict[str, Any]:
    marker = DRIFT_MARKER.format(env=env.name)
    return {"name": f"drift of {env.name}", "runs-on": "ubuntu-latest", "steps": [
        checkout(), python(DRIFT_PATH), pulumi(), install_step(install, providers([env])), drift_credentials(env),
        {"name": f"Look for drift in {env.name}", "id": "drift", "run": DRIFT_SCRIPT,
         "env": {"MLOPS_SPEC": spec, "MLOPS_ENV": env.name,
                 "PULUMI_ACCESS_TOKEN": "${{ secrets.PULUMI_ACCESS_TOKEN }}"}},
        {"name": "Open, update or close the drift issue",
         "if": "always() && steps.drift.outcome == 'success' && steps.drift.outputs.exitcode != '1'",
         "uses": "actions/github-script@v7",
         "env": {"MARKER": marker, "MLOPS_ENV": env.name, "EXITCODE": "${{ steps.drift.outputs.exitcode }}"},
         "with": {"script": ISSUE_SCRIPT}},
        {"name": "Fail on drift or error", "if": "steps.drift.outputs.exitcode != '0'", "run": "exit 1"},
    ]}


def drift_workflow(envs: Sequence[ir.Environment], spec: str, install: Install) -> dict[str, Any]:
    return {
        "name": "mlops drift",
        "on": {"schedule": [{"cron": DRIFT_SCHEDULE}], "workflow_dispatch": {}},
        "permissions": {"contents": "read", "id-token": "write", "issues": "write"},
        # Its own group: in apply's, a queued drift run would cancel a pending apply (a group keeps one pending
        # run, the newest: https://docs.github.com/en/actions/using-jobs/using-concurrency).
        "concurrency": {"group": "mlops-drift", "cancel-in-progress": False},
        "jobs": {f"drift-{e.name}": _drift_job(e, spec, install) for e in promotion_order(envs)},
    }


DRIFT_HEADER = """\
# Written by `mlops init`: every day (and on demand, Actions -> mlops drift -> Run workflow), look for drift in
# each environment: `mlops drift` runs `pulumi refresh --preview-only` of its infra and workloads stacks, which
# compares the live resources with the state the last apply left, changing nothing. Drift opens (or updates) one
# issue per environment, closed again once it is gone, and fails the check. The jobs run outside GitHub
# environments, so no approval holds them: each reads its credentials from repository variables and secrets
# named after its environment (AWS_ROLE_ARN_PRODUCTION, KUBECONFIG_DEV, ...), and a read-only role is enough
# (nothing is written to the cloud or the stack). A run during an apply may report its changes in flight.
"""


PLAN_HEADER = """\
# Written by `mlops init`: on every pull request, validate mlops.yaml, plan it against the target branch,
# and keep ONE comment on the pull request up to date with the plan. The check fails when the plan fails or
# the promotion gate refuses a change. Pull requests from forks get a read-only token: no comment is posted.
# It installs mlops-compiler pinned, with the extras of the spec's targets (their Pulumi SDKs preview the
# infrastructure); after adding a target on another provider, rerun `mlops init --force` (the plan says so).
"""

APPLY_HEADER = """\
# Written by `mlops init`: on every push to main, apply each environment in promotion order, one job each.
# Each job runs in the GitHub environment of the same name. Approval is a GitHub feature, configured in the
# repository's settings, not here: Settings -> Environments -> <environment> -> Required reviewers. Set it for
# every environment marked `requireApproval: true` in mlops.yaml (their jobs say "needs a reviewer's approval").
# A promoted environment passes --base github.event.before: the commit its source environment last ran.
# Secrets and variables to create: PULUMI_ACCESS_TOKEN (or change the backend), and the cloud credentials each
# job's credentials step names (OIDC: no long-lived keys). A job reads `vars.*` and `secrets.*` from its GitHub
# environment first, then from the repository: set them per environment where environments differ (projects,
# accounts, subscriptions, clusters).
"""
