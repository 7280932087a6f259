"""The promotion gate: an environment with `promotion.from` only takes artifacts its source already runs.

"Already runs" is read from git, not from a cluster: the source environment as the spec describes it at the
base revision (for a pull request, the target branch; for `mlops apply`, the commit that was last applied,
e.g. the workflow's `github.event.before`). Merging to the main branch is what deploys, so the spec at that
revision is what the source environment runs.

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


def _message(env: ir.Environment, model: ir.Model, artifact: str, source: ir.Environment | None, ref: str) -> str:
    origin = env.promotion_from or ""
    if source is None:
        there = f"{origin} does not exist at {ref}"
    elif _model(source, model.name) is None:
        there = f"{origin} has no model {model.name} at {ref}"
    else:
        running = ", ".join(sorted(served(_model(source, model.name)))) or "nothing"
        there = f"{origin} runs {running} there"
    return (f"{env.name}: {model.name} would run {artifact}, which {origin} has not run at {ref} ({there}). "
            f"{env.name} is promoted from {origin}: ship it to {origin} first (e.g. set "
            f"environments.{origin}.overrides.{_where(model, artifact)}), merge and apply that, then change {env.name}")


def check(after: Sequence[ir.Environment], before: Mapping[str, ir.Environment], ref: str) -> tuple[Refusal, ...]:
    """Refusals for the environments in `after` (the working tree) against `before` (every environment at `ref`,
    by name; empty when the spec does not exist there)."""
    out: list[Refusal] = []
    for env in after:
        if not env.promotion_from:
            continue
        source = before.get(env.promotion_from)
        for model in env.models:
            allowed = served(_model(before.get(env.name), model.name)) | served(_model(source, model.name))
            kind = NO_SOURCE if source is None else NEW_MODEL if _model(source, model.name) is None else NEW_VERSION
            for artifact in sorted(served(model) - allowed):
                out.append(Refusal(env.name, model.name, artifact, env.promotion_from,
                                   _message(env, model, artifact, source, ref), kind))
    return tuple(out)
