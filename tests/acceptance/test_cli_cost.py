"""`mlops cost` end to end: what it prints, in every format, and its exit codes (the numbers themselves:
tests/unit/cost/)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from mlops.cli import main
from mlops.cost import compare
from mlops.cost import estimate as cost
from mlops.cost import report as cost_report
from mlops.spec.load import load, parse
from mlops.targets.base import catalog as catalogs
from tests.support import NORTH_STAR, ROOT
from tests.support.cli import run
from tests.support.costs import GENERAL_POOL, HOURS, S3_READER, TPU_POOL, columns, estimate_of, listed, spec

# --- an existing cluster ------------------------------------------------------------------------------------

def test_an_existing_cluster_costs_nothing_and_says_so(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    text = spec(target=f"{{provider: onprem, context: dc1-admin, {S3_READER}}}", pools=(GENERAL_POOL,))
    estimate = estimate_of(text)
    assert estimate.existing_cluster and estimate.total == cost.NOTHING and estimate.pools == ()
    (tmp_path / "mlops.yaml").write_text(text)
    code, out, _ = run(capsys, "cost", str(tmp_path / "mlops.yaml"))
    assert code == 0
    assert "production: target main (onprem), existing cluster: no cloud cost, 0.00" in out


# --- regions must be covered ---------------------------------------------------------------------------------

def test_an_uncovered_region_fails_at_its_line_listing_the_covered_ones(capsys: pytest.CaptureFixture[str],
                                                                        tmp_path: Path) -> None:
    path = tmp_path / "mlops.yaml"
    path.write_text(spec(target="\n    provider: aws\n    region: ap-south-1"))
    code, out, err = run(capsys, "cost", str(path))
    covered = ", ".join(catalogs.load("aws").regions)
    assert code == 1
    assert out == (f"{path}:7:13: error: region 'ap-south-1' is not in the aws price catalog; "
                   f"covered regions: {covered} (validate and compile work in any region, only pricing needs a "
                   "covered one) [at $.targets.main.region]\n")
    assert "Traceback" not in err
    assert run(capsys, "validate", str(path))[0] == 0               # only pricing needs coverage
    assert run(capsys, "cost", str(path), "--compare", "gcp")[0] == 1  # nor can it be placed on a map


# --- comparison across providers -----------------------------------------------------------------------------

def test_north_star_compared_on_three_providers_has_a_cell_per_provider_and_environment(
        capsys: pytest.CaptureFixture[str]) -> None:
    result = compare.compare(load(str(NORTH_STAR)), ("aws", "gcp", "azure"))
    assert result.environments == ("production", "staging")
    assert [(c.environment, c.provider) for c in result.cells] == [
        (e, p) for e in ("production", "staging") for p in ("aws", "gcp", "azure")]
    assert all(c.estimate is not None and not c.missing for c in result.cells)
    assert {(c.environment, c.provider): c.region for c in result.cells} == {
        ("production", "aws"): "eu-west-1", ("production", "gcp"): "europe-west1",
        ("production", "azure"): "westeurope",
        ("staging", "aws"): "eu-west-1", ("staging", "gcp"): "europe-west4", ("staging", "azure"): "westeurope"}
    assert [c.current for c in result.cells] == [True, False, False, False, True, False]
    mine = cost.estimate_spec(load(str(NORTH_STAR)))
    # the own target is priced as `mlops cost` does
    assert result.cell("production", "aws").estimate.total == mine[0].total
    assert any("using the stated equivalent nvidia-a10 " in n for n in result.cell("staging", "azure").notes)
    code, out, _ = run(capsys, "cost", str(NORTH_STAR), "--compare", "aws,gcp,azure")
    assert code == 0
    lines = out.splitlines()
    assert lines[3].split() == ["aws", "gcp", "azure"]
    assert [line for line in lines if line and not line.startswith(" ")][2:5] == [
        "production", "staging", "all environments"]
    assert columns(out)["production"]["at max"] == {
        p: cost_report.amount(result.cell("production", p).estimate.total.max) for p in ("aws", "gcp", "azure")}
    assert "Standard_NV36ads_A10_v5 (nvidia-a10)" in out


def test_a_tpu_pool_elsewhere_says_what_is_missing_instead_of_a_number(capsys: pytest.CaptureFixture[str],
                                                                       tmp_path: Path) -> None:
    text = spec(target=f"{{provider: gcp, region: us-central1, project: shop-prod-123, {S3_READER}}}",
                pools=(GENERAL_POOL, TPU_POOL))
    result = compare.compare(parse(text, "mlops.yaml"), ("gcp", "aws", "azure"))
    assert result.cell("production", "gcp").estimate is not None
    for provider in ("aws", "azure"):
        cell = result.cell("production", provider)
        assert cell.estimate is None and result.total(provider) is None
        assert [(m.pool, m.what) for m in cell.missing] == [("tpu", "no tpu-v5e")]
        assert cell.missing[0].message.startswith(f"{provider} has no 1x tpu-v5e instance type; it offers ")
        assert [p.name for p in cell.partial.pools][0] == "general"          # what does fit is still picked
        assert "tpu" not in [p.name for p in cell.partial.pools]             # (azure adds its system pool)
    (tmp_path / "mlops.yaml").write_text(text)
    code, out, _ = run(capsys, "cost", str(tmp_path / "mlops.yaml"), "--compare", "gcp,aws,azure")
    assert code == 0
    table = columns(out)["production"]
    assert table["pool tpu"] == {"gcp": "ct5lp-hightpu-1t", "aws": "missing: no tpu-v5e",
                                 "azure": "missing: no tpu-v5e"}
    assert table["at max"]["aws"] == table["at min"]["azure"] == "missing: no tpu-v5e"
    assert columns(out)["all environments"]["at max"]["aws"] == "incomplete"
    assert "production, aws: cannot: aws has no 1x tpu-v5e instance type" in out


# --- reports -------------------------------------------------------------------------------------------------

def test_json_is_sorted_deterministic_and_round_trips(capsys: pytest.CaptureFixture[str]) -> None:
    first = run(capsys, "cost", str(NORTH_STAR), "--format", "json")
    second = run(capsys, "cost", str(NORTH_STAR), "--format", "json")
    assert first == second and first[0] == 0
    text = first[1]
    assert json.dumps(json.loads(text), indent=2, sort_keys=True) + "\n" == text
    estimates = cost.from_json(text)
    assert estimates == cost.estimate_spec(load(str(NORTH_STAR)))
    assert cost.to_json(estimates) == text
    price = Decimal(str(listed("aws", "g5.2xlarge", "eu-west-1").spot))
    gpu = json.loads(text, parse_float=Decimal)["environments"][0]["pools"][1]
    assert gpu["cost"]["max"] == 4 * HOURS * price           # exact in the JSON too, not rounded to cents


def test_comparison_json_is_sorted_deterministic_and_round_trips(capsys: pytest.CaptureFixture[str]) -> None:
    code, text, _ = run(capsys, "cost", str(NORTH_STAR), "--compare", "aws,gcp,azure", "--format", "json")
    assert code == 0
    assert run(capsys, "cost", str(NORTH_STAR), "--compare", "aws,gcp,azure", "--format", "json")[1] == text
    assert json.dumps(json.loads(text), indent=2, sort_keys=True) + "\n" == text
    result = compare.from_json(text)
    assert result == compare.compare(load(str(NORTH_STAR)), ("aws", "gcp", "azure"))
    assert compare.to_json(result) == text
    assert {(c["environment"], c["provider"]) for c in json.loads(text)["cells"]} == {
        (e, p) for e in ("production", "staging") for p in ("aws", "gcp", "azure")}


def test_markdown_renders_a_table_per_environment(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "cost", str(NORTH_STAR), "--format", "markdown")
    assert code == 0 and out.startswith("## Monthly cost\n")
    tables = [block.splitlines() for block in out.split("\n\n") if block.startswith("|")]
    assert len(tables) == 2
    for rows in tables:
        assert rows[0].startswith("| line | instance type | capacity | nodes |")
        assert rows[1] == "| --- | --- | --- | ---: | ---: | ---: | ---: | --- |"
        assert {row.count(" | ") for row in rows} == {7}
        assert rows[-1].startswith("| **total** |")
    assert "### production: target aws-prod (aws eu-west-1)" in out


def test_markdown_comparison_renders_one_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "cost", str(NORTH_STAR), "--compare", "aws,gcp,azure", "--format", "markdown")
    assert code == 0
    rows = [line for line in out.splitlines() if line.startswith("|")]
    assert rows[:2] == ["|  | aws | gcp | azure |", "| --- | --- | --- | --- |"]
    assert "| **production** |  |  |  |" in rows and "| **staging** |  |  |  |" in rows
    assert {row.count(" | ") for row in rows} == {3}


def test_env_picks_environments(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "cost", str(NORTH_STAR), "--env", "staging")
    assert code == 0 and out.startswith("staging: target gcp-staging (gcp europe-west4)") and "production" not in out


# --- exit codes, never a traceback ---------------------------------------------------------------------------

@pytest.mark.parametrize("argv, code", [
    (["--compare", "aws,onprem"], 2),
    (["--compare", ""], 2),
    (["--format", "yaml"], 2),
])
def test_usage_errors_exit_2(argv: list[str], code: int, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["cost", str(NORTH_STAR), *argv])
    assert caught.value.code == code
    assert "Traceback" not in capsys.readouterr().err


def test_a_misspelt_provider_gets_a_suggestion(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["cost", str(NORTH_STAR), "--compare", "aws,gpc"])
    assert caught.value.code == 2
    assert capsys.readouterr().err.endswith(
        "error: argument --compare: expected a comma-separated list of aws, gcp, azure, not 'gpc' "
        "(did you mean 'gcp'?)\n")


def test_unknown_environment_and_unreadable_file_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "cost", str(NORTH_STAR), "--env", "prodution")
    assert code == 2 and err == "mlops: unknown environment 'prodution' (did you mean 'production'?)\n"
    code, _, err = run(capsys, "cost", str(tmp_path / "missing.yaml"))
    assert code == 2 and err.startswith("mlops: cannot read ")


def test_an_invalid_spec_exits_1_with_its_diagnostics(capsys: pytest.CaptureFixture[str]) -> None:
    bad = ROOT / "tests" / "cases" / "invalid" / "tpu-on-aws" / "mlops.yaml"
    code, out, err = run(capsys, "cost", str(bad))
    assert code == 1 and ": error: aws has no 1x tpu-v5e instance type" in out
    code, out, _ = run(capsys, "cost", str(bad), "--format", "json", "--compare", "gcp")
    assert code == 1 and json.loads(out)[0]["path"] == "$.cluster.nodePools.tpu.accelerator.type"


# --- training -----------------------------------------------------------------------------------------------

LOOP = ROOT / "examples" / "loop" / "mlops.yaml"


def test_the_loop_spec_prices_its_weekly_retraining_in_staging_only(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "cost", str(LOOP))
    assert code == 0
    staging = out[out.index("staging:"):]
    hourly = Decimal(str(listed("gcp", "n2-standard-16", "europe-west4").spot))
    monthly = 6 * Decimal("4.35") * hourly                     # timeout 6h x '0 3 * * 1' x one spot node
    row = next(line for line in staging.splitlines() if line.strip().startswith("training fraud-scorer"))
    assert row.split()[2:] == ["n2-standard-16", "spot", "1", str(hourly), cost_report.amount(monthly), "in", "pool"]
    assert "training fraud-scorer: at most 6 h per run (training.timeout: an upper bound) x 4.35 runs a month " \
           "(schedule '0 3 * * 1')" in staging and "plus drift-triggered runs (an unknown number)" in staging
    assert "training fraud-scorer" not in out[:out.index("staging:")]   # production serves it, staging trains it
    (estimate,) = cost.from_json(run(capsys, "cost", str(LOOP), "--env", "staging", "--format", "json")[1])
    assert [t.monthly for t in estimate.training] == [monthly]
    markdown = run(capsys, "cost", str(LOOP), "--env", "staging", "--format", "markdown")[1]
    amount = cost_report.amount(monthly)
    assert f"| training fraud-scorer | n2-standard-16 | spot | 1 | {hourly} | {amount} | in pool |" in markdown
