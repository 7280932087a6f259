"""The GitHub Actions workflows `mlops init` writes, built as data (dumped by compiler/scaffold.py).

- mlops-plan.yml, on pull requests: validate, plan against the target branch, then create or update ONE comment
  (found by `plan_report.MARKER`), and fail the check when the plan failed or the promotion gate refused.
- mlops-apply.yml, on pushes to main: one job per environment in promotion order (`needs:` the environment it
  is promoted from), each with `environment:` set to a GitHub environment of the same name; approval is what
  GitHub environments with required reviewers do, configured in the repository's settings.

Values from the spec never enter a shell script: scripts read them from `env:` variables.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mlops import ir, targets
from mlops.gitops.plan.report import MARKER

CHECKOUT = {"uses": "actions/checkout@v4", "with": {"fetch-depth": 0}}   # the base revision must be in the clone
PYTHON = {"uses": "actions/setup-python@v5", "with": {"python-version": "3.11"}}
PULUMI = {"name": "Install the Pulumi CLI", "uses": "pulumi/actions@v6"}

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
mlops plan "$MLOPS_SPEC" --base "origin/$BASE_REF" --format markdown --detailed-exitcode > mlops-plan.md 2> mlops-plan.err
code=$?
cat mlops-plan.md mlops-plan.err
echo "exitcode=$code" >> "$GITHUB_OUTPUT"
"""


def _install(package: str) -> dict[str, Any]:
    return {"name": "Install mlops", "run": 'pip install "$MLOPS_PACKAGE"', "env": {"MLOPS_PACKAGE": package}}


def plan_workflow(spec: str, package: str) -> dict[str, Any]:
    steps = [
        CHECKOUT, PYTHON, _install(package),
        {"name": "Validate", "run": 'mlops validate "$MLOPS_SPEC"', "env": {"MLOPS_SPEC": spec}},
        {"name": "Plan", "id": "plan", "run": PLAN_SCRIPT,
         "env": {"MLOPS_SPEC": spec, "BASE_REF": "${{ github.base_ref }}"}},
        {"name": "Post or update the plan comment", "if": "always() && steps.plan.outcome == 'success'",
         "uses": "actions/github-script@v7", "env": {"MARKER": MARKER}, "with": {"script": COMMENT_SCRIPT}},
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
    """The step giving the job access to the target, through OIDC (no long-lived keys), from repository variables."""
    return targets.get(env.target.provider).ci_credentials(env)


def _job_id(env: str) -> str:
    return f"apply-{env}"


def _apply_job(env: ir.Environment, spec: str, package: str, known: set[str]) -> dict[str, Any]:
    command = 'mlops apply "$MLOPS_SPEC" --env "$MLOPS_ENV" --yes'
    variables = {"MLOPS_SPEC": spec, "MLOPS_ENV": env.name, "PULUMI_ACCESS_TOKEN": "${{ secrets.PULUMI_ACCESS_TOKEN }}"}
    if env.promotion_from:
        command += ' --base "$BEFORE"'
        variables["BEFORE"] = "${{ github.event.before }}"     # what the source environment ran until this push
    title = f"apply {env.name}" + (" (needs a reviewer's approval)" if env.require_approval else "")
    job: dict[str, Any] = {"name": title, "runs-on": "ubuntu-latest", "environment": env.name}
    if env.promotion_from in known:
        job["needs"] = [_job_id(env.promotion_from)]
    job["steps"] = [CHECKOUT, PYTHON, PULUMI, _install(package), credentials(env),
                    {"name": f"Apply {env.name}", "run": command, "env": variables}]
    return job


def apply_workflow(envs: Sequence[ir.Environment], spec: str, package: str) -> dict[str, Any]:
    known = {e.name for e in envs}
    return {
        "name": "mlops apply",
        "on": {"push": {"branches": ["main"]}},
        "permissions": {"contents": "read", "id-token": "write"},
        "concurrency": {"group": "mlops-apply", "cancel-in-progress": False},
        "jobs": {_job_id(e.name): _apply_job(e, spec, package, known) for e in promotion_order(envs)},
    }


PLAN_HEADER = """# Written by `mlops init`: on every pull request, validate mlops.yaml, plan it against the target branch,
# and keep ONE comment on the pull request up to date with the plan. The check fails when the plan fails or
# the promotion gate refuses a change. Pull requests from forks get a read-only token: no comment is posted.
"""

APPLY_HEADER = """# Written by `mlops init`: on every push to main, apply each environment in promotion order, one job each.
# Each job runs in the GitHub environment of the same name. Approval is a GitHub feature, configured in the
# repository's settings, not here: Settings -> Environments -> <environment> -> Required reviewers. Set it for
# every environment marked `requireApproval: true` in mlops.yaml (their jobs say "needs a reviewer's approval").
# A promoted environment passes --base github.event.before: the commit its source environment last ran.
# Secrets and variables to create: PULUMI_ACCESS_TOKEN (or change the backend), and the cloud credentials each
# job's credentials step names (OIDC: no long-lived keys).
"""
