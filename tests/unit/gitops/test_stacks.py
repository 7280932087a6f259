"""mlops.gitops.stacks: the Pulumi Automation API adapter."""

from __future__ import annotations

from pathlib import Path

from mlops.gitops.stacks import backend_missing


def test_a_backend_is_a_url_a_token_or_a_stored_login(tmp_path: Path) -> None:
    assert backend_missing({"PULUMI_BACKEND_URL": "s3://state"}, tmp_path) is None
    assert backend_missing({"PULUMI_ACCESS_TOKEN": "x"}, tmp_path) is None
    assert "run `pulumi login`" in (backend_missing({}, tmp_path) or "")
    (tmp_path / "credentials.json").write_text('{"current": "https://api.pulumi.com"}')
    assert backend_missing({}, tmp_path) is None
