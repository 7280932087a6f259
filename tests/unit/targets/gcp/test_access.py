"""mlops.targets.gcp.access: Artifact Registry cleanup policies."""

from __future__ import annotations

from mlops.targets.base.artifacts import Pins
from mlops.targets.gcp.access import cleanup_policies


def test_cleanup_policies_keep_count() -> None:
    keep = [p for p in cleanup_policies(7, {}) if p.action == "KEEP"]
    assert len(keep) == 1 and keep[0].most_recent_versions.keep_count == 7


def test_cleanup_policies_keep_what_is_deployed() -> None:
    """Deployed tags and digests outrank the delete policy whatever their age (infra review S5)."""
    pins = {"ranker": Pins(("v3", "v4"), ()), "embedder": Pins(("v2",), ("sha256:" + "a" * 64,))}
    by_id = {p.id: p for p in cleanup_policies(7, pins)}
    assert sorted(by_id) == ["delete-beyond-keep-last", "keep-deployed-digests", "keep-deployed-tags", "keep-last-7"]
    tags = by_id["keep-deployed-tags"]
    assert tags.action == "KEEP" and tags.condition.tag_state == "TAGGED"
    assert tags.condition.tag_prefixes == ["v2", "v3", "v4"]
    assert by_id["keep-deployed-digests"].condition.version_name_prefixes == ["sha256:" + "a" * 64]
