"""The workloads of an environment that get a cloud identity of their own, and what each may read and write: ONE
list the clouds' programs (a role, a Google service account, a user-assigned identity per entry) and their hints
(the ServiceAccount annotations naming it) both iterate, so an identity and its ServiceAccount cannot drift apart.

- each model's pods (`serving.reads`: artifacts, the drift and monitor inputs);
- each model this environment retrains, its trainer (`names.trainer`), reading the training inputs and writing
  training.output (`serving.training_reads`, `serving.training_writes`);
- the environment's Vector (`names.VECTOR`), when a logged model's data.live is written with the target's own
  identity (`serving.live_writes`): write only, on those folders only.

Pure data, no SDK.
"""

from __future__ import annotations

from dataclasses import dataclass

from mlops import ir
from mlops.ir import names, serving
from mlops.targets.base.addons import trained


@dataclass(frozen=True)
class Identity:
    service_account: str                # the Kubernetes ServiceAccount that acts as it
    slug: str                           # its cloud name after the stack's: model-<m>, train-<m>, vector
    title: str                          # what it is, for display names
    reads: tuple[str, ...]
    writes: tuple[str, ...] = ()


def identities(env: ir.Environment) -> list[Identity]:
    out = [Identity(m.name, f"model-{m.name}", f"Model {m.name}", serving.reads(m)) for m in env.models]
    out += [Identity(names.trainer(m.name), f"train-{m.name}", f"Trainer of {m.name}", serving.training_reads(m),
                     serving.training_writes(m)) for m in trained(env)]
    live = serving.live_writes(env)
    if live:
        out.append(Identity(names.VECTOR, names.VECTOR, "Request logging", (), live))
    return out
