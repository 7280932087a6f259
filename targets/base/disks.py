"""The node disk a pool needs for the models it runs with `resources.disk` (SDK-free: each cloud's program sets it).

A model's pod puts its files in an emptyDir of `disk` (the ephemeral-storage request and the volume's size limit),
on the node's root disk. What else that disk holds, and how the size follows:

- an image artifact (registry://, oci://) is pulled as an image and then copied into the volume (mlops copies
  rather than sharing the image as KServe's modelcar does: the README's "Security and resource posture" argues
  it, compiler/emit/k8s/artifacts.py makes it). On the node that is the image unpacked in containerd's snapshotter
  (the model's size; the kubelet removes unused images only once the disk is past its garbage-collection
  threshold, so it counts) plus the copy, plus the
  image's compressed layers in containerd's content store unless the node discards them after unpacking
  (`discard_unpacked_layers`; model weights barely compress, so those layers are the model's size again). EKS's
  AL2023 nodes discard them (nodeadm's containerd template sets `discard_unpacked_layers = true`,
  awslabs/amazon-eks-ami@v20260724:nodeadm/internal/containerd/config.template.toml:10): twice `disk`. AKS's
  containerd template sets nothing (Azure/AgentBaker@03d34a2 aks-node-controller/parser/templates/
  containerd.toml.gtpl), so containerd's default holds, `discard_unpacked_layers = false` (containerd
  docs/cri/config.md): three times `disk`. GKE's node configuration is not published; three times, the bound that
  cannot run out (`LAYERS_KEPT`, per provider);
- IMAGES_MARGIN_GIB for the operating system, the runtime image and the node's system images. It is a stated
  margin, not a measurement: the runtime images mlops runs (vLLM, Triton, MLServer) are several GB unpacked each,
  and AL2023's own root volume is 20 GiB with nothing of a model on it
  (awslabs/amazon-eks-ami@v20260724:templates/al2023/template.json:84-86);
- the kubelet evicts pods when less than 10% of the node filesystem is free (`nodefs.available: 10%`: nodeadm's
  evictionHard, amazon-eks-ami@v20260724:nodeadm/internal/kubelet/config.go:112, the kubelet's default on GKE and
  AKS), so the sum must fit in 90% of the disk; nodeadm also reserves 1Gi of ephemeral storage (config.go:285).

Only pools that run a model with `disk` get a size: the others keep their provider's default (20 GiB on EKS's
AL2023, 100 GB on GKE, the VM size's default on AKS). The scheduler keeps two replicas off a node whose
allocatable ephemeral storage cannot hold both (each requests its `disk`): the size is per replica.
"""

from __future__ import annotations

import math
import re

from mlops import ir
from mlops.ir import serving

IMAGES_MARGIN_GIB = 40
FREE_FRACTION = 0.10          # nodefs.available eviction threshold
KUBE_RESERVED_GIB = 1
_QUANTITY = re.compile(r"([1-9][0-9]*)(Mi|Gi|Ti)")
_GIB = {"Mi": 1 / 1024, "Gi": 1.0, "Ti": 1024.0}
IMAGE_SCHEMES = ("registry://", "oci://")


def gib(quantity: str) -> float:
    """"40Gi" -> 40.0 (the schema's memory quantities: Mi, Gi, Ti)."""
    match = _QUANTITY.fullmatch(quantity)
    if not match:
        raise ValueError(f"not a disk quantity: {quantity!r}")
    return int(match.group(1)) * _GIB[match.group(2)]


def runs_on(model: ir.Model, pool: ir.NodePool) -> bool:
    """The model's pods may land on the pool: it names it, or it names none and the pool is untainted by an
    accelerator (accelerator pools are tainted on every cloud, so unpinned pods never land there)."""
    return model.node_pool == pool.name if model.node_pool else pool.accelerator is None


def footprint_gib(model: ir.Model, layers_kept: bool) -> float:
    """What one replica of `model` puts on its node's disk besides the images every node has; `layers_kept`: the
    node keeps an image's compressed layers after unpacking it (containerd's default)."""
    if not model.resources.disk:
        return 0.0
    image = any(i.artifact and i.artifact.startswith(IMAGE_SCHEMES) for i in serving.instances(model))
    copies = (3 if layers_kept else 2) if image else 1
    return copies * gib(model.resources.disk)


def node_disk_gib(env: ir.Environment, pool: ir.NodePool, layers_kept: bool) -> int | None:
    """The root disk, GiB, of `pool`'s nodes; None when no model on it asks for disk (the provider's default)."""
    largest = max((footprint_gib(m, layers_kept) for m in env.models if runs_on(m, pool)), default=0.0)
    if not largest:
        return None
    return math.ceil((largest + IMAGES_MARGIN_GIB + KUBE_RESERVED_GIB) / (1 - FREE_FRACTION))
