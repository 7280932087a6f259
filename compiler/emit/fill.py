"""Filling the deferred values at compile time: `mlops compile --infra-outputs`.

A target's hints write what only the infra stack knows after `pulumi up` (a managed registry's URL, an Azure
identity's client id) as `$(infra.NAME)` (`mlops.targets.base.deferred`). `mlops apply`'s workloads stack fills
them from its StackReference; every other deploy path (`kubectl apply -k`, Argo CD) reads the manifests as
written, so they must be filled before they are written. Both paths replace the tokens with the one function,
`deferred.substitute`, inside parsed YAML values, never by text templating.

The outputs come from `pulumi stack output --json` of the environment's infra stack: a JSON object of output
name -> value. Pulumi masks a secret output as "[secret]" unless `--show-secrets` is given
(https://www.pulumi.com/docs/iac/cli/commands/pulumi_stack_output/: "--show-secrets  Display outputs which are
marked as secret in plaintext"); no token mlops writes names a secret, and a token that would take one is refused
rather than written into a manifest.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from mlops.emit.yamlout import dump
from mlops.errors import Failure
from mlops.targets.base import deferred

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
FILLED = ("manifests", "argocd")   # what is applied as written: the manifests, and the Application syncing them
SECRET = "[secret]"          # how `pulumi stack output --json` shows a secret output without --show-secrets


class OutputsMissing(Failure):
    """The manifests of an environment ask for infra outputs the given file does not hold (or holds unusably)."""


def _problem(name: str, outputs: Mapping[str, Any]) -> str | None:
    """Why output `name` cannot fill a token, or None when it can."""
    if name not in outputs or outputs[name] is None:
        return f"'{name}' (missing)"
    value = outputs[name]
    if value == SECRET:
        return f"'{name}' (a secret, shown as \"[secret]\": mlops writes no secret into manifests)"
    if not isinstance(value, str) or not value:
        return f"'{name}' (not a non-empty string: {type(value).__name__})"
    return None


def fill(files: Mapping[str, bytes], env: str, outputs: Mapping[str, Any], source: str) -> dict[str, bytes]:
    """`files` (a build: paths `<env>/<layer>/...`) with every token in `env`'s manifests and Argo CD Application
    replaced by `outputs`
    (read from `source`). Raises OutputsMissing, naming every output that is absent or unusable, and the
    environment; nothing is replaced unless everything can be."""
    prefixes = tuple(f"{env}/{folder}/" for folder in FILLED)
    parsed: dict[str, Any] = {}
    for path, content in files.items():
        if path.startswith(prefixes) and deferred.PATTERN.search(content.decode("utf-8")):
            parsed[path] = yaml.load(content, Loader=_Loader)     # one object per file (mlops.emit.manifests)
    wanted = sorted(deferred.names_in(list(parsed.values())))
    problems = [p for p in (_problem(name, outputs) for name in wanted) if p]
    if problems:
        raise OutputsMissing(f"nothing written: the manifests of environment '{env}' need infra stack output(s) "
                             f"that {source} does not provide: {', '.join(problems)} (give the output of "
                             f"`pulumi stack output --json` of {env}'s infra stack, after `pulumi up`)")
    filled = dict(files)
    for path, obj in parsed.items():
        filled[path] = dump(deferred.substitute(obj, outputs))
    return filled
