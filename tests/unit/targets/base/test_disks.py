"""mlops.targets.base.disks: the root disk a pool's nodes need for the models asking for `resources.disk`."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops.targets.base import disks
from tests.support.infra_helpers import environment


def text(models: str) -> str:
    return "\n".join([
        "apiVersion: mlops/v1", "kind: Platform", "metadata: {name: shop}",
        "targets:", "  prod: {provider: aws, region: us-east-1}", "environments:", "  live: {target: prod}",
        "cluster:", "  nodePools:",
        "    cpu: {machine: {cpu: 2, memory: 8Gi}}",
        "    big: {machine: {cpu: 8, memory: 32Gi}}",
        "    t4: {machine: {cpu: 4, memory: 16Gi}, accelerator: {type: nvidia-t4}, scaling: {min: 0, max: 2}}",
        "models:", models, ""])


def sizes(tmp_path: Path, models: str, layers_kept: bool = False) -> dict[str, int | None]:
    env = environment(text(models), "live", tmp_path)
    return {p.name: disks.node_disk_gib(env, p, layers_kept) for p in env.node_pools}


@pytest.mark.parametrize(("models", "expected"), [
    # no model asks for disk: every pool keeps its provider's default
    ("  churn: {framework: sklearn, artifact: s3://shop-models/churn/v3/}", {"big": None, "cpu": None, "t4": None}),
    # pinned, downloaded: (100 + 40 + 1) / 0.9 = 156.7
    ("  llm: {framework: sklearn, artifact: s3://shop-models/llm/v1/, nodePool: big, resources: {disk: 100Gi}}",
     {"big": 157, "cpu": None, "t4": None}),
    # an image artifact is on disk twice where the node discards compressed layers (EKS), as the unpacked image
    # and as the copy: (200 + 41) / 0.9 = 267.8
    ("  llm: {framework: sklearn, artifact: registry://llm:v1, nodePool: big, resources: {disk: 100Gi}}",
     {"big": 268, "cpu": None, "t4": None}),
    # unpinned: it may land on any pool without an accelerator (those are tainted); the largest disk wins
    ("  a: {framework: sklearn, artifact: s3://shop-models/a/, resources: {disk: 20Gi}}\n"
     "  b: {framework: sklearn, artifact: s3://shop-models/b/, nodePool: big, resources: {disk: 50Gi}}",
     {"big": 102, "cpu": 68, "t4": None}),     # (50 + 41) / 0.9 = 101.1; (20 + 41) / 0.9 = 67.8
])
def test_node_disk_holds_the_largest_model_and_the_images(tmp_path: Path, models: str,
                                                           expected: dict[str, int | None]) -> None:
    assert sizes(tmp_path, models) == expected


def test_a_node_keeping_compressed_layers_holds_an_image_artifact_three_times(tmp_path: Path) -> None:
    """Content-store layers, the unpacked image, the copy (AKS and GKE): (300 + 41) / 0.9 = 378.9."""
    image = "  llm: {framework: sklearn, artifact: registry://llm:v1, nodePool: big, resources: {disk: 100Gi}}"
    assert sizes(tmp_path, image, layers_kept=True) == {"big": 379, "cpu": None, "t4": None}
    download = image.replace("registry://llm:v1", "s3://shop-models/llm/v1/")
    assert sizes(tmp_path, download, layers_kept=True) == {"big": 157, "cpu": None, "t4": None}


def test_quantities() -> None:
    assert (disks.gib("512Mi"), disks.gib("40Gi"), disks.gib("2Ti")) == (0.5, 40.0, 2048.0)
    with pytest.raises(ValueError, match="not a disk quantity"):
        disks.gib("40GB")
