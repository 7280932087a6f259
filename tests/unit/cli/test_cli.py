"""mlops.cli: the entry point around the commands (the error mapping itself: tests/acceptance/test_cli_errors.py)."""

from __future__ import annotations

import pytest

from mlops.cli import main
from tests.support import NORTH_STAR


@pytest.mark.parametrize(("command", "collecting"), [("validate", False), ("apply", True)])
def test_batch_commands_run_without_the_cyclic_collector_and_give_it_back(
        command: str, collecting: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    import gc
    import importlib

    seen: list[bool] = []
    module = importlib.import_module(f"mlops.cli.commands.{command}")
    monkeypatch.setattr(module, "run", lambda args: seen.append(gc.isenabled()) or 0)
    argv = [command, str(NORTH_STAR)] if command == "validate" else [command, "--env", "staging", str(NORTH_STAR)]
    assert gc.isenabled()
    assert main(argv) == 0
    assert seen == [collecting] and gc.isenabled()
