"""mlops.targets.base.allocatable: the providers' reserve formulas, checked against the worked examples they publish,
and each cloud target's node budget."""

from __future__ import annotations

import pytest

from mlops import targets
from mlops.targets.base import allocatable, catalog


@pytest.mark.parametrize(("vcpu", "max_pods", "cpu_m", "memory_mib"), [
    # nodeadm's own end-to-end expectation: maxPods 58 -> kubeReserved cpu 70m (the formula at 2 cores), memory 893Mi
    # (awslabs/amazon-eks-ami@v20260724:nodeadm/test/e2e/cases/kubelet-config-dir/expected-kubelet-config.json:45,51-55)
    (2, 58, 70, 893),
    (1, 4, 60, 299),          # 6% of one core; 11 x 4 + 255
    (4, 58, 80, 893),         # 60 + 10 + 2 x 5
    (16, 234, 110, 2829),     # 80 + 12 x 2.5; m7i.4xlarge's 234 pods
    (96, 737, 310, 8362),     # 80 + 92 x 2.5 ; p5-sized
])
def test_eks_reserve_is_nodeadms_formula(vcpu: int, max_pods: int, cpu_m: int, memory_mib: int) -> None:
    assert allocatable.eks(vcpu, max_pods) == (cpu_m, memory_mib)


def test_gke_reserve_matches_the_published_150_gib_example() -> None:
    # 150 GiB: 1 + 0.8 + 0.8 + 6.72 + 0.44 = 9.76 GiB, with the 100 MiB eviction 9.8577 GiB, allocatable 140.1423 GiB
    # (hatemosphere/gke-node-allocatable-memory-calculator README, from GKE's plan-node-sizes page)
    node = allocatable.budget("x", 16, 150, allocatable.gke(16, 150), (), gpu=False)
    assert node.reserved_mib / 1024 == pytest.approx(9.8577, abs=1e-4)
    assert node.allocatable_mib / 1024 == pytest.approx(140.1423, abs=1e-4)


@pytest.mark.parametrize(("memory_gib", "reserved_mib"), [
    (0.6, 255), (4, 1024), (8, 1024 + 819.2), (16, 1024 + 819.2 + 819.2), (128, 2662.4 + 6881.28)])
def test_gke_memory_tiers(memory_gib: float, reserved_mib: float) -> None:
    assert allocatable.gke(1, memory_gib)[1] == pytest.approx(reserved_mib)


def test_gke_cpu_tiers() -> None:
    assert [round(allocatable.gke(v, 8)[0], 3) for v in (1, 2, 4, 8)] == [60, 70, 80, 90]


@pytest.mark.parametrize(("vcpu", "cpu_m"), [
    # the table of node-resource-reservations.md:29, and the lines between its sizes
    (1, 60), (2, 100), (4, 140), (8, 180), (16, 260), (32, 420), (64, 740), (3, 120), (12, 220), (96, 1060)])
def test_aks_cpu_table(vcpu: int, cpu_m: int) -> None:
    assert allocatable.aks(vcpu, 64, 250)[0] == pytest.approx(cpu_m)


def test_aks_memory_matches_the_documented_examples() -> None:
    # node-resource-reservations.md:40-42: 8 GB and 30 pods -> 20 x 30 + 50 = 650; 4 GB and 70 pods -> 25% of the
    # memory (1000 MB in the page's decimal units, 1024 MiB here), less than 20 x 70 + 50 = 1450
    assert allocatable.aks(2, 8, 30)[1] == 650
    assert allocatable.aks(2, 4, 70)[1] == 1024


def test_gpu_only_daemonsets_count_on_gpu_nodes_only() -> None:
    plugin = allocatable.DaemonSet("plugin", 100, 64, "test", gpu_only=True)
    every = allocatable.DaemonSet("agent", 20, 32, "test")
    cpu = allocatable.budget("x", 4, 16, (0, 0), (plugin, every), gpu=False)
    gpu = allocatable.budget("x", 4, 16, (0, 0), (plugin, every), gpu=True)
    assert (cpu.daemonset_cpu_m, cpu.daemonset_mib) == (20, 32)
    assert (gpu.daemonset_cpu_m, gpu.daemonset_mib) == (120, 96)
    assert gpu.free_cpu_m == 4000 - 120 and gpu.free_mib == 16 * 1024 - 100 - 96


@pytest.mark.parametrize(("provider", "instance", "free_cpu_m", "free_mib"), [
    ("aws", "m7i.4xlarge", 16000 - 110 - 50, 65536 - 2829 - 100),          # aws-node's 50m
    ("gcp", "n2-standard-16", 16000 - 110, 65536 - 5611.52 - 100),  # 1 + 0.8 + 0.8 + 2.88 GiB
    ("azure", "Standard_D16s_v5", 16000 - 260, 65536 - 5050 - 100),       # 20 x 250 + 50 < 25% of 64 GiB
])
def test_cloud_targets_budget_their_nodes(provider: str, instance: str, free_cpu_m: float, free_mib: float) -> None:
    node = targets.get(provider).node_budget(catalog.load(provider).instances[instance])
    assert node is not None
    assert (node.free_cpu_m, node.free_mib) == (pytest.approx(free_cpu_m), pytest.approx(free_mib))


def test_every_aws_instance_has_its_max_pods() -> None:
    assert all(i.max_pods for i in catalog.load("aws").instances.values())


def test_onprem_knows_no_reserve() -> None:
    assert targets.get("onprem").node_budget(catalog.load("aws").instances["m7i.large"]) is None
