"""mlops.targets.gcp.access: Artifact Registry cleanup policies."""

from __future__ import annotations

from mlops.targets.gcp.access import cleanup_policies


def test_cleanup_policies_keep_count() -> None:
    keep = [p for p in cleanup_policies(7) if p.action == "KEEP"]
    assert len(keep) == 1 and keep[0].most_recent_versions.keep_count == 7
