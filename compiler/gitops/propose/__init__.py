"""`mlops propose`: a pull request for each model whose newest retraining candidate passed its gate.

Per model with `training` (in the environment it names, `training.environment`): the newest passing candidate
(mlops.gitops.propose.candidates) becomes `environments.<env>.overrides.models.<model>.artifact` in the spec as it
is on the base branch (mlops.gitops.propose.edit); the edited spec must validate; it is committed on the base to
`mlops/propose/<env>/<model>` (mlops.gitops.propose.branch) and proposed in ONE pull request per model, updated in
place by a newer candidate (mlops.gitops.propose.pulls). An environment with `promotion` is never proposed to: it
takes artifacts only from its source environment, through review and the promotion gate.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from mlops import ir
from mlops.diagnostics import shown
from mlops.errors import Failure, MlopsError, SpecError, UsageError
from mlops.gitops.gitrev import spec_at
from mlops.gitops.propose import branch, candidates, edit
from mlops.gitops.propose.github import GitHub
from mlops.pipeline import diagnose, environments
from mlops.spec.load import load, parse

OPENED, UPDATED, UNCHANGED, NOTHING, FAILED, DRY_RUN = "opened", "updated", "unchanged", "nothing", "failed", "dry-run"


@dataclass(frozen=True)
class Options:
    file: str
    candidates: Path
    env: str | None = None
    model: str | None = None
    repo: str | None = None
    base: str = "main"
    remote: str = "origin"
    dry_run: bool = False
    token: str | None = None
    api: str | None = None


@dataclass(frozen=True)
class Outcome:
    environment: str
    model: str
    action: str                 # OPENED, UPDATED, UNCHANGED, NOTHING, FAILED or DRY_RUN
    message: str                # one line, safe to print
    url: str | None = None
    diff: str = ""              # the edit (dry runs)
    notes: tuple[str, ...] = ()   # runs that could not be proposed, and why


def branch_name(env: str, model: str) -> str:
    return f"mlops/propose/{env}/{model}"


def targets(envs: tuple[ir.Environment, ...], opts: Options) -> list[tuple[ir.Environment, ir.Model]]:
    """The (environment, model) pairs to propose for: each model with `training`, in the environment it trains
    in. Raises UsageError for a --model without training, Failure for an environment with `promotion`."""
    pairs = [(e, m) for e in envs for m in e.models if m.training and m.training.environment == e.name
             and (opts.env is None or e.name == opts.env) and (opts.model is None or m.name == opts.model)]
    if opts.model and not pairs:
        raise UsageError(f"no model {shown(opts.model)} with `training`" +
                         (f" in environment {shown(opts.env)}" if opts.env else "") + ": nothing to propose")
    for env in envs:
        if env.promotion_from and (opts.env == env.name or any(e is env for e, _ in pairs)):
            raise Failure(f"propose never touches {env.name}: it has `promotion` (from {env.promotion_from}), so it "
                          f"takes artifacts only through review and the promotion gate; propose for "
                          f"{env.promotion_from} instead")
    return pairs


def outputs(opts: Options) -> list[tuple[str, str]]:
    """(model, training.output) of each model propose would read, from the spec as it is here (the scheduled
    workflow copies each output into `--candidates DIR/<model>/` before proposing)."""
    envs, _ = environments(load(opts.file), [opts.env] if opts.env else None)
    return [(m.name, m.training.output) for _, m in targets(envs, opts) if m.training]


def propose(opts: Options) -> list[Outcome]:
    folder = Path(opts.file).resolve().parent
    ref, base = branch.base_commit(folder, opts.remote, opts.base)
    revision = spec_at(opts.file, base)
    if revision.text is None:
        raise Failure(f"there is no readable spec at {revision.path} on {shown(ref)}: propose edits the base branch's")
    try:
        envs, _ = environments(parse(revision.text, f"{ref}:{revision.path}"), [opts.env] if opts.env else None)
    except SpecError as exc:
        raise Failure(f"the spec on {shown(ref)} is invalid ({exc.errors} error(s)): fix it before proposing") \
            from None
    if not opts.dry_run and not opts.token:
        raise UsageError("no GitHub token: set GITHUB_TOKEN (the workflow's token, or a GitHub App installation "
                         "token, which can also request team reviewers)")
    outcomes = []
    for env, model in targets(envs, opts):
        try:
            outcomes.append(_one(opts, folder, ref, base, revision.path, revision.text, env, model))
        except MlopsError as exc:
            outcomes.append(Outcome(env.name, model.name, FAILED, "; ".join(exc.lines())))
    return outcomes


def _one(opts: Options, folder: Path, ref: str, base: str, inside: str, text: str, env: ir.Environment,
         model: ir.Model) -> Outcome:
    assert model.training is not None
    passing, rejected = candidates.scan(opts.candidates, model.name, model.training.output)
    notes = tuple(f"run {r.run}: {r.reason}" for r in rejected)
    chosen = candidates.newest(passing)
    if chosen is None:
        why = (f"no passing candidate in {shown(str(opts.candidates / model.name), 200)}" +
               (f" ({len(rejected)} run(s) not proposable)" if rejected else ""))
        return Outcome(env.name, model.name, NOTHING, why, notes=notes)
    if model.artifact == chosen.artifact:
        return Outcome(env.name, model.name, NOTHING, f"{env.name} already serves {chosen.artifact} (run "
                                                      f"{chosen.run})", notes=notes)
    edited = edit.set_artifact(text, env.name, model.name, chosen.artifact)
    _revalidate(edited, f"{ref}:{inside}", env.name, model.name, chosen.artifact)
    diff = "".join(difflib.unified_diff(text.splitlines(True), edited.splitlines(True), f"a/{inside}", f"b/{inside}"))
    if opts.dry_run:
        return Outcome(env.name, model.name, DRY_RUN, f"would propose {chosen.artifact} (run {chosen.run}) on "
                                                      f"{branch_name(env.name, model.name)}", diff=diff, notes=notes)
    from mlops.gitops.propose import pulls

    made, tree = branch.commit(folder, base, inside, edited, pulls.commit_message(env.name, model.name, chosen))
    pushed = branch.push(folder, opts.remote, branch_name(env.name, model.name), base, made, tree)
    assert opts.repo is not None and opts.token is not None
    github = GitHub(opts.repo, opts.token, opts.api)
    action, url = pulls.open_or_update(github, opts, env, model, chosen, pushed, ref, edited)
    return Outcome(env.name, model.name, action, f"{chosen.artifact} (run {chosen.run}): {url}", url, diff, notes)


def _revalidate(text: str, name: str, env: str, model: str, artifact: str) -> None:
    """The edited spec validates, and the environment then serves the candidate: else nothing is proposed."""
    source = parse(text, name)
    errors = [d for d in diagnose(source) if d.severity == "error"]
    if errors:
        raise Failure(f"the edited spec does not validate, so it is not proposed: {errors[0].message}")
    (edited,), _ = environments(source, [env])
    served = next((m.artifact for m in edited.models if m.name == model), None)
    if served != artifact:
        raise Failure(f"{model} in {env} would not serve the candidate after the edit (it serves "
                      f"{shown(str(served))}: a model with A/B variants or a custom image takes no artifact)")
