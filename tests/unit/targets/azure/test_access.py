"""mlops.targets.azure.access: the keep-last purge never deletes what the environment deploys (infra review S5)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from mlops.targets.azure.access import purge_task_yaml
from tests.support import infra_helpers as helpers
from tests.support.specs import AZURE_PLATFORM as SPEC

DIGEST = "sha256:" + "b" * 64


def commands(text: str, tmp_path: Path) -> list[str]:
    steps = yaml.safe_load(purge_task_yaml(helpers.environment(text, "prod", tmp_path)))["steps"]
    return [step["cmd"] for step in steps]


def filters(command: str) -> list[tuple[str, str]]:
    """Each `--filter 'REPO:TAG'` split the way acr-cli does: at the colon outside a `(?:` group
    (Azure/acr-cli@v0.18.1 cmd/repository/image_functions.go:82), both halves matched unanchored (:393)."""
    out = []
    for f in re.findall(r"--filter '([^']*)'", command):
        cut = [m.start() for m in re.finditer(":", f) if f[max(0, m.start() - 2):m.start()] != "(?"]
        assert len(cut) == 1, f
        out.append((f[:cut[0]], f[cut[0] + 1:]))
    return out


def purged(command: str, repo: str, tag: str) -> bool:
    return any(re.search(r, repo) and re.search(t, tag) for r, t in filters(command))


def test_deployed_tags_are_never_selected(tmp_path: Path) -> None:
    [command] = commands(SPEC, tmp_path)
    assert command.endswith("--ago 0d --keep 25 --untagged")
    assert not purged(command, "fraud/ranker", "v3") and purged(command, "fraud/ranker", "v2")
    assert not purged(command, "fraud/embedder", "v2") and purged(command, "fraud/embedder", "v20")
    assert purged(command, "fraud/other", "v3")               # a repository the platform does not deploy from
    assert not purged(command, "fraudsters/ranker", "v1")     # anchored: another platform's prefix is not ours


def test_digest_pinned_repository_keeps_its_untagged_manifests(tmp_path: Path) -> None:
    by_tag, by_digest = commands(SPEC.replace("registry://embedder:v2", f"registry://embedder@{DIGEST}"), tmp_path)
    assert by_tag.endswith("--untagged") and not by_digest.endswith("--untagged")
    assert not purged(by_tag, "fraud/embedder", "v1") and purged(by_digest, "fraud/embedder", "v1")
    assert purged(by_tag, "fraud/ranker", "v2") and not purged(by_digest, "fraud/ranker", "v2")
