"""Semantic rules: what the schema cannot say, one module per concern. Each rule reads a (possibly merged)
document defensively (`mlops.spec.raw`), since it also runs on documents the schema rejected, and yields located
diagnostics."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from mlops.diagnostics import Diagnostic
from mlops.spec.overlay import EnvSource
from mlops.spec.rules.images import gateway_plugin, mirrors
from mlops.spec.rules.models import models
from mlops.spec.rules.monitors import monitors
from mlops.spec.rules.names import object_names
from mlops.spec.rules.pools import node_pools
from mlops.spec.rules.references import references
from mlops.spec.rules.registry import registry_settings
from mlops.spec.rules.rollout import rollouts
from mlops.spec.rules.runtime import runtime_options
from mlops.spec.rules.stores import store_credentials
from mlops.spec.rules.tls import tls
from mlops.spec.rules.training import training
from mlops.spec.rules.versions import kubernetes_versions

Rule = Callable[[dict[str, Any], dict[str, Any] | None, EnvSource], Iterator[Diagnostic]]

RULES: tuple[Rule, ...] = (node_pools, models, rollouts, runtime_options, object_names, references,
                           kubernetes_versions, registry_settings, store_credentials, tls, training, monitors,
                           mirrors, gateway_plugin)


def check(doc: dict[str, Any], target: dict[str, Any] | None, at: EnvSource) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for rule in RULES:
        out.extend(rule(doc, target, at))
    return out
