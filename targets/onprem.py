"""onprem: an existing cluster reached through a kubeconfig context. No cloud resources; add-ons only."""

from __future__ import annotations

from compiler import ir

from . import Hints
from . import hints as common

POOL_LABEL = "mlops.dev/pool"


class OnPrem:
    provider = "onprem"

    def hints(self, env: ir.Environment) -> Hints:
        # Existing nodes carry no pool label of ours: label them `mlops.dev/pool=<pool>` (see README).
        return Hints(
            registry=env.target.registry or common.deferred("registryUrl"),
            pools=common.pools(env, lambda pool: {POOL_LABEL: pool.name}),
        )

    def program(self, env: ir.Environment) -> None:
        raise NotImplementedError("the onprem Pulumi program is being written")


TARGET = OnPrem()
