"""mlops.cli.commands.plan: the command's options."""

from __future__ import annotations

from mlops.gitops.plan import report as plan_report


def test_the_plan_command_offers_every_reporter() -> None:
    from mlops.cli.commands import plan as command

    assert set(command.FORMATS) == set(plan_report.REPORTERS)
