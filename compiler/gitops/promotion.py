"""The promotion gate: an environment with `promotion.from` only takes artifacts its source already runs.

"Already runs" is read from git, not from a cluster: the source environment as the spec describes it at the
base revision (for a pull request, the target branch; for `mlops apply`, the commit that was last applied,
e.g. the workflow's `github.event.before`). Merging to the main branch is what deploys, so the spec at that
revision is what the source environment runs.

Two cases compare with the source as this same change describes it instead ("the spec alone"): an environment
bootstrapped with its source in one change (`promotion.bootstrap`, while the source does not exist at the base),
and a base whose spec is invalid (nothing ran from it: refusing would refuse its own fix). Either way the
environment takes only what its source takes in the same change, and its apply job runs after the source's.

Every artifact an environment serves counts: a model's artifact, an A/B variant's, a shadow candidate's, and
a custom model's image. An artifact is gated when the environment did not already serve it (for that model)
at the base revision: a new model, or a new version. Removing artifacts is never gated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from mlops import ir
from mlops.errors import Failure
from mlops.ir import serving

NO_SOURCE, NEW_MODEL, NEW_VERSION = "no-source", "new-model", "new-version"


@dataclass(frozen=True)
class Refusal:
    environment: str
    model: str
    artifact: str
    source: str                      # the `promotion.from` environment
    message: str
    kind: str = NEW_VERSION          # why: NO_SOURCE, NEW_MODEL or NEW_VERSION (what the plan counts by)

    def as_dict(self) -> dict[str, str]:
        return {"environment": self.environment, "model": self.model, "artifact": self.artifact,
                "from": self.source, "message": self.message, "kind": self.kind}


class PromotionRefused(Failure):
    """Raised by `mlops apply`; `mlops plan` reports refusals with the rest of the plan."""

    def __init__(self, refusals: Sequence[Refusal]):
        self.refusals = tuple(refusals)
        super().__init__("\n".join(r.message for r in self.refusals))

    def lines(self) -> list[str]:
        return [f"refused: {r.message}" for r in self.refusals] + ["nothing applied"]


def served(model: ir.Model | None) -> set[str]:
    """Every artifact (and custom image) the model's pods run; none for a model that is not there."""
    return set(serving.served(model)) if model else set()


def _model(env: ir.Environment | None, name: str) -> ir.Model | None:
    return next((m for m in env.models if m.name == name), None) if env else None


def _where(model: ir.Model, artifact: str) -> str:
    """The spec field to set in the source environment's overrides."""
    for v in model.rollout.variants:
        if v.artifact == artifact:
            return f"models.{model.name}.rollout.variants.{v.name}.artifact"
    if model.rollout.candidate == artifact:
        return f"models.{model.name}.rollout.candidate.artifact"
    return f"models.{model.name}.{'image' if model.image == artifact and model.artifact != artifact else 'artifact'}"


def _there(origin: str, model: ir.Model, source: ir.Environment | None, at: str) -> str:
    if source is None:
        return f"{origin} does not exist {at}"
    if _model(source, model.name) is None:
        return f"{origin} has no model {model.name} {at}"
    return f"{origin} runs {', '.join(sorted(served(_model(source, model.name)))) or 'nothing'} there"


def _advice(env: ir.Environment, model: ir.Model, artifact: str, kind: str) -> str:
    """What to change so the gate lets it through: advice that works for each kind of refusal."""
    origin = env.promotion_from or ""
    if kind == NO_SOURCE:
        return (f"to create {env.name} and {origin} in one change, set environments.{env.name}.promotion.bootstrap: "
                f"true ({env.name} then takes what {origin} runs in the same change, applied after it; remove it once "
                f"{origin} is live)")
    if kind == NEW_MODEL:
        return (f"{env.name} is promoted from {origin}: ship the model to {origin} first, keeping it out of "
                f"{env.name} in this change (set environments.{env.name}.overrides.models.{model.name}: null), merge "
                f"and apply that, then remove the override")
    return (f"{env.name} is promoted from {origin}: ship it to {origin} first (e.g. set "
            f"environments.{origin}.overrides.{_where(model, artifact)}), merge and apply that, then change {env.name}")


def _message(env: ir.Environment, model: ir.Model, artifact: str, source: ir.Environment | None, ref: str,
             alone: bool) -> tuple[str, str]:
    """The refusal's kind and sentence; `alone`: `source` is the working tree's (bootstrap, or an invalid base)."""
    origin = env.promotion_from or ""
    kind = NO_SOURCE if source is None else NEW_MODEL if _model(source, model.name) is None else NEW_VERSION
    if alone:
        return kind, (f"{env.name}: {model.name} would run {artifact}, which {origin} does not run in this change "
                      f"either ({_there(origin, model, source, 'in this change')}). {env.name} may take only what "
                      f"{origin} takes in this same change")
    return kind, (f"{env.name}: {model.name} would run {artifact}, which {origin} has not run at {ref} "
                  f"({_there(origin, model, source, f'at {ref}')}). {_advice(env, model, artifact, kind)}")


def _alone(env: ir.Environment, before: Mapping[str, ir.Environment], base_invalid: bool) -> bool:
    """Whether `env` is compared with its source in the working tree: an invalid base, or a bootstrap."""
    return base_invalid or (env.promotion_bootstrap and env.promotion_from not in before)


def check(after: Sequence[ir.Environment], before: Mapping[str, ir.Environment], ref: str,
          head: Mapping[str, ir.Environment] | None = None, base_invalid: bool = False) -> tuple[Refusal, ...]:
    """Refusals for the environments in `after` (the working tree) against `before` (every environment at `ref`,
    by name; empty when the spec does not exist there, or is invalid: `base_invalid`). `head`: every environment of
    the working tree, by name (what a bootstrapped environment's source runs in the same change)."""
    out: list[Refusal] = []
    for env in after:
        if not env.promotion_from:
            continue
        alone = _alone(env, before, base_invalid)
        source = (head or {}).get(env.promotion_from) if alone else before.get(env.promotion_from)
        for model in env.models:
            allowed = served(_model(before.get(env.name), model.name)) | served(_model(source, model.name))
            for artifact in sorted(served(model) - allowed):
                kind, message = _message(env, model, artifact, source, ref, alone)
                out.append(Refusal(env.name, model.name, artifact, env.promotion_from, message, kind))
    return tuple(out)


def notes(after: Sequence[ir.Environment], before: Mapping[str, ir.Environment], ref: str,
          base_invalid: bool = False) -> tuple[str, ...]:
    """What the gate did differently, one sentence per environment concerned: said in the plan and by apply."""
    out = []
    for env in after:
        origin = env.promotion_from
        if not origin:
            continue
        if base_invalid:
            out.append(f"{env.name} is compared with what {origin} runs in this change: the spec at {ref} is invalid, "
                       f"so nothing ran from it")
        elif env.promotion_bootstrap and origin not in before:
            out.append(f"{env.name} is bootstrapped (promotion.bootstrap): {origin} does not exist at {ref}, so "
                       f"{env.name} takes what {origin} runs in this change, applied after it; remove "
                       f"promotion.bootstrap once {origin} is live")
        elif env.promotion_bootstrap:
            out.append(f"{env.name}: promotion.bootstrap has no effect, {origin} exists at {ref}: remove it")
    return tuple(out)
