"""One pull request per (environment, model): found by its head branch, opened once, then updated in place.

Its body is the gate's report (report.md, redacted) under a short header saying what merging does; its first
comment is `mlops plan` of the environment (Markdown, the same comment the plan workflow keeps up to date: both
find it by the plan's marker, so there is only ever one). Nothing is written when nothing changed: a second run
with the same candidate only reads.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mlops import ir
from mlops.diagnostics.redact import redact
from mlops.gitops.plan.comment import MARKER as PLAN_MARKER
from mlops.gitops.propose.branch import Pushed
from mlops.gitops.propose.candidates import Candidate
from mlops.gitops.propose.github import GitHub

if TYPE_CHECKING:
    from mlops.gitops.propose import Options

MARKER = "<!-- mlops-propose {env}/{model} -->"


def commit_message(env: str, model: str, chosen: Candidate) -> str:
    return (f"mlops propose: {model} in {env} serves {chosen.artifact}\n\n"
            f"The retraining run {chosen.run} passed its gate; its report is the pull request's body.\n")


def title(env: str, model: str, chosen: Candidate) -> str:
    return f"mlops: {model} in {env}: candidate {chosen.run}"


def body(env: str, model: str, chosen: Candidate) -> str:
    head = (f"{MARKER.format(env=env, model=model)}\nProposed by `mlops propose`: the retraining run `{chosen.run}` "
            f"passed its gate. Merging this makes **{env}** serve `{chosen.artifact}` "
            f"(`environments.{env}.overrides.models.{model}.artifact`); environments promoted from {env} take it "
            f"through their promotion gate, after review.\n\n")
    return redact(head + chosen.body)


def reviewers(names: tuple[str, ...]) -> dict[str, list[str]]:
    """`org/team` is a team (its slug goes to team_reviewers), a plain name a user login (facts-loop §11)."""
    teams = [n.split("/", 1)[1] for n in names if "/" in n]
    return {"reviewers": [n for n in names if "/" not in n], "team_reviewers": teams}


def plan_comment(opts: Options, ref: str, env: str, text: str) -> str:
    from mlops.gitops.plan import plan
    from mlops.gitops.plan import report as plan_report

    result = plan(opts.file, ref, [env], text=text)
    return redact(plan_report.render("markdown", result))


def open_or_update(github: GitHub, opts: Options, env: ir.Environment, model: ir.Model, chosen: Candidate,
                   pushed: Pushed, ref: str, edited: str) -> tuple[str, str]:
    """(opened | updated | unchanged, the pull request's URL)."""
    assert model.training is not None
    wanted = {"title": title(env.name, model.name, chosen), "body": body(env.name, model.name, chosen)}
    found = github.open_pull(pushed.branch, opts.base)
    if found is None:
        found = github.call("POST", "/pulls", {**wanted, "head": pushed.branch, "base": opts.base,
                                               "maintainer_can_modify": False})
        action = "opened"
    elif any(found.get(k) != v for k, v in wanted.items()):
        found = github.call("PATCH", f"/pulls/{found['number']}", wanted)
        action = "updated"
    else:
        action = "updated" if pushed.changed else "unchanged"
    number = int(found["number"])
    comment = _plan(github, number, plan_comment(opts, ref, env.name, edited))
    if action == "unchanged" and comment:
        action = "updated"
    if action != "unchanged" and model.training.reviewers:
        github.call("POST", f"/pulls/{number}/requested_reviewers", reviewers(model.training.reviewers))
    return action, str(found.get("html_url") or f"#{number}")


def _plan(github: GitHub, number: int, text: str) -> bool:
    """Post or update the plan comment; True when something was written."""
    mine: Any = next((c for c in github.comments(number) if PLAN_MARKER in str(c.get("body") or "")), None)
    if mine is None:
        github.call("POST", f"/issues/{number}/comments", {"body": text})
        return True
    if mine.get("body") != text:
        github.call("PATCH", f"/issues/comments/{mine['id']}", {"body": text})
        return True
    return False
