"""`mlops` run in-process, as a user runs it: the exit code and what it printed."""

from __future__ import annotations

import pytest

from mlops.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err
