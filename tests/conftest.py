"""Shared pytest options: `--update-golden` rewrites tests/golden/ from the current compiler."""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite tests/golden/<example>/ from what the compiler produces now")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch: pytest.MonkeyPatch) -> None:
    """Support windows and price ages are judged on one fixed day, never the wall clock (the catalogs' tables were
    read on 2026-12-01)."""
    monkeypatch.setenv("MLOPS_TODAY", "2026-12-01")
