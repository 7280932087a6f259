"""mlops.init.scaffold: the platform name taken from the folder, and the pre-commit hook it writes."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mlops.init.scaffold import HOOK
from tests.support import ROOT


def test_the_hook_is_the_projects_own() -> None:
    [shipped] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert {k: shipped[k] for k in ("id", "name", "entry", "files", "types")} == {
        k: HOOK[k] for k in ("id", "name", "entry", "files", "types")}


@pytest.mark.parametrize(("folder", "name"), [("Fraud_Team repo", "fraud-team-repo"), ("123", "platform"),
                                              ("9-lives", "lives"), ("über-team", "ber-team"),
                                              ("a" * 30 + "-b", "a" * 24), ("x--" + "y" * 21 + "-z", "x-" + "y" * 21)])
def test_the_platform_name_is_always_a_valid_short_label(tmp_path: Path, folder: str, name: str) -> None:
    from mlops.init.scaffold import platform_name

    (tmp_path / folder).mkdir()
    assert platform_name(tmp_path / folder) == name
