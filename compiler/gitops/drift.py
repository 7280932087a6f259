"""`mlops drift`: has the cloud (or the cluster) changed under an environment since it was applied?

The environment is compiled into `out` (as `mlops compile` does, keeping the stack settings there), then each of
its two stacks, infra then workloads, gets `pulumi refresh --preview-only` through the Automation API: Pulumi asks
every provider for each resource's live state and says what a refresh would change in the stack's state, without
changing it. Anything but "same" is drift: someone changed a resource outside mlops (an `update`), or deleted it
(a `delete`). The scheduled drift workflow `mlops init` writes runs this per environment and reports drift as an
issue and a failed check. Nothing is applied or refreshed for real.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mlops.diagnostics.redact import redact
from mlops.gitops.stacks import PulumiUnavailable, Stacks, backend_missing, cli_missing
from mlops.pipeline import STACK_LAYERS, compile_spec, keep_stack_settings
from mlops.write import write

MARKER = "<!-- mlops-drift:{env} -->"       # the drift workflow finds its one issue per environment by this
OUTPUT_LIMIT = 40_000                        # characters of Pulumi's output kept for the report (an issue holds 65,536)


@dataclass(frozen=True)
class Layer:
    name: str                                # infra | workloads
    summary: dict[str, int] | None           # operation -> count; None: the stack does not exist

    @property
    def drifted(self) -> dict[str, int]:
        return {op: n for op, n in (self.summary or {}).items() if op != "same" and n}


@dataclass(frozen=True)
class Drift:
    env: str
    layers: tuple[Layer, ...]
    output: str                              # Pulumi's own words, the end of them if long

    @property
    def drifted(self) -> bool:
        return any(layer.drifted for layer in self.layers)


def detect(path: str, env: str, out: Path, stacks: Stacks,
           missing: Callable[[], str | None] = lambda: cli_missing() or backend_missing()) -> Drift:
    """Raises SpecError, UnknownEnvironment, SdkMissing, PulumiUnavailable, StackFailed, StackSettingsUnreadable."""
    build = compile_spec(path, [env])            # the spec's errors and an unknown environment first
    reason = missing()
    if reason:
        raise PulumiUnavailable(f"cannot look for drift in {env}: {reason}")
    build = keep_stack_settings(out, build)      # as `mlops compile` writes it: the stack settings kept
    write(out, [env], build.files, protected=[Path(path).parent])
    lines: list[str] = []
    layers = []
    for layer in STACK_LAYERS:
        summary = stacks.refresh_preview(out / env / layer, env, lines.append)
        layers.append(Layer(layer, summary))
        if summary is None:             # never applied: there is nothing to drift from, nor in what depends on it
            break
    # Pulumi masks the stack's secrets; the one redaction catches any other (a key in a resource's live state).
    text = redact("\n".join(line.rstrip() for line in lines))
    return Drift(env, tuple(layers), text if len(text) <= OUTPUT_LIMIT else "…" + text[-OUTPUT_LIMIT:])


def _phrase(layer: Layer) -> str:
    if layer.summary is None:
        return f"{layer.name}: no stack yet (never applied)"
    changed = layer.drifted
    return f"{layer.name}: " + (", ".join(f"{n} to {op}" for op, n in sorted(changed.items())) or "no drift")


def as_text(d: Drift) -> str:
    head = f"{d.env}: drift found" if d.drifted else f"{d.env}: no drift"
    return "\n".join([head, *(f"  {_phrase(layer)}" for layer in d.layers)]) + "\n"


def as_markdown(d: Drift) -> str:
    """The drift issue's body (or the no-drift note): the marker first, Pulumi's output collapsed."""
    head = (f"### mlops drift: {d.env} has drifted" if d.drifted else f"### mlops drift: {d.env} matches its stacks")
    body = [MARKER.format(env=d.env), head, "",
            "`pulumi refresh --preview-only` of each stack compared the live resources with the last applied state:",
            ""]
    body += [f"- {_phrase(layer)}" for layer in d.layers]
    if d.drifted:
        body += ["", "Someone changed or deleted these outside mlops. `mlops apply` puts the spec's values back; to "
                 "keep the live ones, change mlops.yaml to match (and `pulumi refresh` the stack) instead."]
    longest = max((len(run) for run in re.findall(r"`+", d.output)), default=0)
    fence = "`" * max(3, longest + 1)          # Pulumi's output stays inert, whatever backticks it holds
    body += ["", "<details><summary>Pulumi's output</summary>", "", fence, d.output, fence, "", "</details>"]
    return "\n".join(body) + "\n"
