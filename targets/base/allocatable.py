"""What a node offers pods: its capacity less the kubelet's reserve, the eviction threshold and the requests of the
DaemonSets on every node. Pure arithmetic on catalog data (no SDK): `mlops validate` checks a replica against it.

Each managed service documents its reserve as a formula of the node's shape; the functions below transcribe them,
each citing its source, and `tests/unit/targets/base/test_allocatable.py` checks them against the providers' own
worked examples. What they leave out: the few hundred MiB the firmware and kernel keep from the nominal memory
(the Node's reported capacity is already below the instance's GiB; no provider publishes it per type).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

EVICTION_MIB = 100   # memory.available hard eviction on EKS, GKE and AKS (sources at each provider's function)


@dataclass(frozen=True)
class DaemonSet:
    """A DaemonSet on every node (of GPU pools only, when `gpu_only`), with the requests its source states."""

    name: str
    cpu_m: int
    memory_mib: int
    source: str
    gpu_only: bool = False


# mlops' own node-level add-ons request nothing: the prometheus-node-exporter chart kube-prometheus-stack 67.8.0
# pulls (4.43.*) ships `resources: {}` (prometheus-community/helm-charts@prometheus-node-exporter-4.43.1:
# charts/prometheus-node-exporter/values.yaml:330), as does the NVIDIA device plugin on GPU pools
# (NVIDIA/k8s-device-plugin@v0.17.1:deployments/helm/nvidia-device-plugin/values.yaml:61). They are listed so the
# count is visibly complete; a chart that starts requesting resources changes its line here.
MLOPS_DAEMONSETS: tuple[DaemonSet, ...] = (
    DaemonSet("prometheus-node-exporter", 0, 0, "prometheus-node-exporter-4.43.1 values.yaml:330"),
    DaemonSet("nvidia-device-plugin", 0, 0, "k8s-device-plugin v0.17.1 values.yaml:61", gpu_only=True),
)


@dataclass(frozen=True)
class NodeBudget:
    """One node of an instance type: capacity, the kubelet's reserve (kube/system reserved + eviction) and the
    DaemonSets' requests, in millicores and MiB."""

    instance: str
    cpu_m: int
    memory_mib: float
    reserved_cpu_m: float
    reserved_mib: float
    daemonsets: tuple[DaemonSet, ...]

    @property
    def allocatable_cpu_m(self) -> float:
        return self.cpu_m - self.reserved_cpu_m

    @property
    def allocatable_mib(self) -> float:
        return self.memory_mib - self.reserved_mib

    @property
    def daemonset_cpu_m(self) -> int:
        return sum(d.cpu_m for d in self.daemonsets)

    @property
    def daemonset_mib(self) -> int:
        return sum(d.memory_mib for d in self.daemonsets)

    @property
    def free_cpu_m(self) -> float:
        """What one replica may request: allocatable less the DaemonSets."""
        return self.allocatable_cpu_m - self.daemonset_cpu_m

    @property
    def free_mib(self) -> float:
        return self.allocatable_mib - self.daemonset_mib


def budget(instance: str, vcpu: int, memory_gib: float, reserve: tuple[float, float],
           daemonsets: Sequence[DaemonSet], gpu: bool) -> NodeBudget:
    """A node of `instance` with `reserve` = (kubelet CPU millicores, kubelet memory MiB, eviction excluded)."""
    chosen = tuple(d for d in (*MLOPS_DAEMONSETS, *daemonsets) if gpu or not d.gpu_only)
    return NodeBudget(instance=instance, cpu_m=vcpu * 1000, memory_mib=memory_gib * 1024,
                      reserved_cpu_m=reserve[0], reserved_mib=reserve[1] + EVICTION_MIB, daemonsets=chosen)


def tiered(total: float, tiers: Sequence[tuple[float, float]]) -> float:
    """Sum of `rate` x the part of `total` in each tier, tiers given as (upper bound, rate) in ascending order."""
    reserved, low = 0.0, 0.0
    for high, rate in tiers:
        if total <= low:
            break
        reserved += (min(total, high) - low) * rate
        low = high
    return reserved


INFINITE = float("inf")
# CPU in cores: 6% of the first core, 1% of the second, 0.5% of cores 3-4, 0.25% above: nodeadm's table
# (awslabs/amazon-eks-ami@v20260724:nodeadm/internal/kubelet/config.go:410-440, `cpuRanges`/`600, 100, 50, 25` in
# hundredths of a percent) and GKE's (https://cloud.google.com/kubernetes-engine/docs/concepts/plan-node-sizes
# #memory_and_cpu_reservations: "6% of the first core, 1% of the next core (up to 2 cores), 0.5% of the next 2
# cores (up to 4 cores), 0.25% of any cores above 4 cores").
CPU_TIERS = ((1, 0.06), (2, 0.01), (4, 0.005), (INFINITE, 0.0025))


def eks(vcpu: int, max_pods: int) -> tuple[float, float]:
    """EKS AL2023 (nodeadm) kube-reserved: CPU by CPU_TIERS in nodeadm's integer arithmetic (millicores x hundredths
    of a percent // 10000 per range), memory 11 MiB x max pods + 255 MiB (config.go:442-444), eviction 100Mi
    (config.go:111)."""
    total, bounds, rates = vcpu * 1000, (0, 1000, 2000, 4000), (600, 100, 50, 25)
    cpu = sum((min(total, high) - low) * rate // 10000
              for low, high, rate in zip(bounds, (*bounds[1:], total), rates, strict=True) if total > low)
    return float(cpu), float(11 * max_pods + 255)


# GKE memory, GiB: "25% of the first 4 GiB, 20% of the next 4 GiB (up to 8 GiB), 10% of the next 8 GiB (up to
# 16 GiB), 6% of the next 112 GiB (up to 128 GiB), 2% of any memory above 128 GiB", 255 MiB on machines under
# 1 GiB, and "an eviction threshold of 100 MiB" (plan-node-sizes#memory_and_cpu_reservations, as above).
GKE_MEMORY_TIERS = ((4, 0.25), (8, 0.20), (16, 0.10), (128, 0.06), (INFINITE, 0.02))


def gke(vcpu: int, memory_gib: float) -> tuple[float, float]:
    memory = 255.0 if memory_gib < 1 else tiered(memory_gib, GKE_MEMORY_TIERS) * 1024
    return tiered(vcpu, CPU_TIERS) * 1000, memory


# AKS kube-reserved CPU, millicores by cores on the host (MicrosoftDocs/azure-aks-docs@fb060ab:
# articles/aks/node-resource-reservations.md:27-29); between the listed sizes it is linear (the table's steps are
# 40m, 20m per core, then 10m per core), and above 64 cores it goes on at 10m per core.
AKS_CPU = ((1, 60), (2, 100), (4, 140), (8, 180), (16, 260), (32, 420), (64, 740))


def aks(vcpu: int, memory_gib: float, max_pods: int) -> tuple[float, float]:
    """AKS 1.29 and later: memory "the lesser value of: 20 MB * Max Pods supported on the Node + 50 MB or 25% of the
    total system memory", eviction "memory.available < 100 Mi" (node-resource-reservations.md:35-38). MB is taken as
    MiB, the larger unit, so the estimate errs toward refusing."""
    return _aks_cpu(vcpu), min(20.0 * max_pods + 50, 0.25 * memory_gib * 1024)


def _aks_cpu(vcpu: int) -> float:
    if vcpu <= AKS_CPU[0][0]:
        return float(AKS_CPU[0][1])
    for (low, at_low), (high, at_high) in zip(AKS_CPU, AKS_CPU[1:], strict=False):
        if vcpu <= high:
            return at_low + (at_high - at_low) * (vcpu - low) / (high - low)
    return AKS_CPU[-1][1] + 10.0 * (vcpu - AKS_CPU[-1][0])
