"""Shared pieces of the providers' Kubernetes hints."""

from __future__ import annotations

from collections.abc import Callable

from mlops import ir
from mlops.targets import PoolHints

# The node label naming a node pool: operators put it on an existing cluster's nodes (onprem); GKE and AKS pools
# carry it too, beside their own pool label.
POOL_LABEL = "mlops.dev/pool"

GPU_TOLERATION = (("effect", "NoSchedule"), ("key", "nvidia.com/gpu"), ("operator", "Exists"))
TPU_TOLERATION = (("effect", "NoSchedule"), ("key", "google.com/tpu"), ("operator", "Exists"))


def registry(env: ir.Environment, managed: Callable[[], str]) -> str:
    """Where registry:// artifacts live: the target's own registry, or the managed one the infra stack creates."""
    return env.target.registry or managed()


def pools(env: ir.Environment, selector: Callable[[ir.NodePool], dict[str, str]],
          extra_tolerations: Callable[[ir.NodePool], tuple[tuple[tuple[str, str], ...], ...]] = lambda pool: ()
          ) -> dict[str, PoolHints]:
    out = {}
    for pool in env.node_pools:
        accel = pool.instance_accelerator or ""
        tolerations = ((TPU_TOLERATION,) if accel.startswith("tpu") else (GPU_TOLERATION,) if accel else ())
        resource = "google.com/tpu" if accel.startswith("tpu") else "nvidia.com/gpu" if accel else None
        out[pool.name] = PoolHints(tuple(sorted(selector(pool).items())), tolerations + extra_tolerations(pool),
                                   resource)
    return out
