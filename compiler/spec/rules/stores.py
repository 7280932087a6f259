"""Object stores the target can read: its workload identity reads its own cloud's scheme (`Target.native_schemes`);
any other store (another cloud's, or any on an existing cluster) needs `targets.<t>.storageCredentials.<scheme>`, or
the pods fail with AccessDenied at run time. Said here, where each URI was written."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mlops import targets
from mlops.diagnostics import Diagnostic, Path
from mlops.spec.overlay import EnvSource
from mlops.spec.raw import mapping, models_of
from mlops.targets.base.artifacts import STORE_LOGGING_KEYS, STORE_SECRET_KEYS, store_scheme


def store_credentials(doc: dict[str, Any], target: dict[str, Any] | None, at: EnvSource) -> Iterator[Diagnostic]:
    provider = mapping(target).get("provider")
    if not isinstance(provider, str) or provider not in targets.REGISTRY:
        return
    name = mapping(target)["_name"]
    readable = targets.get(provider).native_schemes | set(mapping(mapping(target).get("storageCredentials")))
    own = targets.get(provider).native_schemes
    logs = {m for m, model in models_of(doc) if mapping(model.get("monitoring")).get("logging")}
    for model, path, uri in _store_uris(doc):
        scheme = store_scheme(uri)
        if scheme is None or scheme in readable:
            continue
        why = (f"another cloud's store: {provider} target '{name}' reads only "
               f"{', '.join(f'{s}://' for s in sorted(own))} with its own identity") if own else \
            f"a store {provider} target '{name}' cannot read: an existing cluster has no cloud identity"
        *first, last = STORE_SECRET_KEYS[scheme]
        keys = f"{', '.join(first)} and {last}" if first else last
        if path[-2:] == ("data", "live") and model in logs and (more := STORE_LOGGING_KEYS[scheme]):
            keys += f", and {' and '.join(more)} for request logging"      # Vector's region (request_log)
        yield at.error(path, f"model '{model}' reads {scheme}://, {why}; set "
                             f"targets.{name}.storageCredentials.{scheme}.secretRef (a Secret with {keys}), "
                             "or use a store the target can read")


def _store_uris(doc: dict[str, Any]) -> Iterator[tuple[str, Path, str]]:
    """Every URI a model's pods and jobs read or write, with its model and where it was written."""
    for name, model in models_of(doc):
        where: Path = ("models", name)
        found: list[tuple[Path, Any]] = [((*where, "artifact"), model.get("artifact"))]
        rollout = mapping(model.get("rollout"))
        found += [((*where, "rollout", "variants", v, "artifact"), mapping(spec).get("artifact"))
                  for v, spec in mapping(rollout.get("variants")).items()]
        found.append(((*where, "rollout", "candidate", "artifact"), mapping(rollout.get("candidate")).get("artifact")))
        drift = mapping(mapping(model.get("monitoring")).get("drift"))
        found.append(((*where, "monitoring", "drift", "baseline"), drift.get("baseline")))
        data = mapping(model.get("data"))
        found += [((*where, "data", key), data.get(key)) for key in ("training", "holdout", "live")]
        found.append(((*where, "training", "output"), mapping(model.get("training")).get("output")))
        yield from ((name, path, uri) for path, uri in found if isinstance(uri, str))
