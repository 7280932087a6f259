"""mlops.cli.commands.cost: the command's options."""

from __future__ import annotations

from mlops.cost import report as cost_report


def test_every_format_has_a_reporter() -> None:
    from mlops.cli.commands import cost as command

    assert tuple(sorted(cost_report.ESTIMATES)) == tuple(sorted(cost_report.COMPARISONS)) == command.FORMATS
