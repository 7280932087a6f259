"""`mlops cost`: prices follow from the catalog exactly, regions must be covered, comparisons and reports are stable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

from mlops.targets.base import catalog as catalogs

ROOT = Path(__file__).parent.parent


@pytest.mark.parametrize("provider", catalogs.CLOUD_PROVIDERS)
def test_catalogs_match_their_schema_and_place_every_region(provider: str) -> None:
    raw = yaml.safe_load((ROOT / "targets" / provider / "catalog.yaml").read_text(encoding="utf-8"))
    schema = json.loads((ROOT / "schemas" / "catalog.schema.json").read_text(encoding="utf-8"))
    assert [e.message for e in Draft202012Validator(schema).iter_errors(raw)] == []
    catalog = catalogs.load(provider)
    assert sorted(catalog.geography) == sorted(catalog.regions)
    assert all(r in catalog.regions for i in catalog.instances.values() for r in i.prices)


# --- helpers -------------------------------------------------------------------------------------------------

from decimal import Decimal  # noqa: E402

from mlops.cli import main  # noqa: E402
from mlops.cost import compare  # noqa: E402
from mlops.cost import estimate as cost
from mlops.cost import report as cost_report
from mlops.spec.load import load, parse  # noqa: E402

NORTH_STAR = ROOT / "examples" / "north-star" / "mlops.yaml"
HOURS = Decimal(730)

SPEC = """apiVersion: mlops/v1
kind: Platform
metadata: {{name: shop}}
targets:
  main: {target}
environments:
  production: {{target: main}}
cluster:
  nodePools:
{pools}
models:
{models}
"""
GPU_POOL = "    gpu: {machine: {cpu: 4, memory: 16Gi}, accelerator: {type: nvidia-l4}, scaling: {min: 0, max: 4}, capacity: spot}"
GENERAL_POOL = "    general: {machine: {cpu: 4, memory: 16Gi}, scaling: {min: 2, max: 6}}"
TPU_POOL = "    tpu: {machine: {cpu: 24, memory: 48Gi}, accelerator: {type: tpu-v5e}, scaling: {min: 0, max: 2}}"
SCORER = "  scorer: {framework: sklearn, artifact: s3://models/scorer/v1}"
AWS_US_EAST = "{provider: aws, region: us-east-1}"


def spec(target: str = AWS_US_EAST, pools: tuple[str, ...] = (GPU_POOL,), models: tuple[str, ...] = (SCORER,)) -> str:
    return SPEC.format(target=target, pools="\n".join(pools), models="\n".join(models))


def estimate_of(text: str) -> cost.Estimate:
    (only,) = cost.estimate_spec(parse(text, "mlops.yaml"))
    return only


def listed(provider: str, instance: str, region: str) -> catalogs.Price:
    return catalogs.load(provider).instances[instance].prices[region]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def columns(table: str) -> dict[str, dict[str, dict[str, str]]]:
    """A comparison table read back: environment -> row label -> provider -> cell text."""
    lines = table.split("\n\n")[1].splitlines()
    header = lines[0]
    names = header.split()
    starts = [header.index(f" {n}") + 1 for n in names]
    out: dict[str, dict[str, dict[str, str]]] = {}
    for line in lines[1:]:
        if not line.startswith(" "):
            group = out.setdefault(line.strip(), {})
            continue
        cells = [line[a:b].strip() for a, b in zip(starts, [*starts[1:], None])]
        group[line[:starts[0]].strip()] = dict(zip(names, cells))
    return out


# --- numbers follow from the catalog -------------------------------------------------------------------------

def test_a_spot_gpu_pool_costs_nodes_times_hours_times_the_listed_spot_price() -> None:
    (pool,) = estimate_of(spec()).pools
    price = listed("aws", "g6.xlarge", "us-east-1")
    assert pool.instance_type == "g6.xlarge" and pool.capacity == "spot"
    assert pool.hourly == Decimal(str(price.spot))
    assert pool.cost.max == 4 * HOURS * Decimal(str(price.spot))
    assert pool.cost.min == 0
    assert pool.other_capacity == "on-demand"
    assert pool.other_cost == cost.Range(Decimal(0), 4 * HOURS * Decimal(str(price.on_demand)))


def test_an_on_demand_pool_uses_the_on_demand_price_and_shows_spot_beside_it() -> None:
    (pool,) = estimate_of(spec(pools=(GENERAL_POOL,))).pools
    price = listed("aws", pool.instance_type, "us-east-1")
    assert pool.capacity == "on-demand" and pool.hourly == Decimal(str(price.on_demand))
    assert pool.cost == cost.Range(2 * HOURS * Decimal(str(price.on_demand)), 6 * HOURS * Decimal(str(price.on_demand)))
    assert pool.other_cost == cost.Range(2 * HOURS * Decimal(str(price.spot)), 6 * HOURS * Decimal(str(price.spot)))


def test_an_ir_the_catalog_cannot_price_is_a_cost_error() -> None:
    from dataclasses import replace

    from mlops.spec.normalize import normalize

    env = normalize(parse(spec(target="{provider: azure, region: eastus}", pools=(GENERAL_POOL,)), "mlops.yaml"), "production")
    h100 = next(i.name for i in catalogs.load("azure").instances.values()
                if "eastus" in i.prices and i.prices["eastus"].spot is None)
    spot_h100 = replace(env, node_pools=(replace(env.node_pools[0], instance_type=h100, spot=True),))
    with pytest.raises(cost.CostError, match="has no spot price in eastus"):
        cost.estimate(spot_h100)
    with pytest.raises(cost.CostError, match="has no azure price"):
        cost.estimate(replace(env, node_pools=(replace(env.node_pools[0], instance_type="m7i.xlarge"),)))


def test_fixed_lines_are_the_catalog_charges_and_totals_add_up() -> None:
    estimate = estimate_of(spec(pools=(GENERAL_POOL, GPU_POOL)))
    charges = catalogs.load("aws").fixed
    assert [f.name for f in estimate.fixed] == [c.name for c in charges]
    for line, charge in zip(estimate.fixed, charges):
        expected = Decimal(str(charge.per_hour)) * HOURS if charge.per_hour is not None else Decimal(str(charge.per_month))
        assert line.monthly == expected
    fixed = sum(f.monthly for f in estimate.fixed)
    assert estimate.total.min == sum(p.cost.min for p in estimate.pools) + fixed
    assert estimate.total.max == sum(p.cost.max for p in estimate.pools) + fixed
    assert (estimate.prices_taken, estimate.hours_per_month) == (catalogs.load("aws").prices_taken, 730)


def test_a_target_with_its_own_registry_pays_no_registry_storage() -> None:
    estimate = estimate_of(spec(target="{provider: aws, region: us-east-1, registry: harbor.example.com/ml}"))
    assert cost.REGISTRY_LINE not in [f.name for f in estimate.fixed]
    assert any("harbor.example.com/ml" in n for n in estimate.notes)


def test_gpu_replicas_that_never_scale_to_zero_raise_the_floor() -> None:
    ranker = "  ranker: {framework: pytorch, artifact: s3://models/ranker/v3, nodePool: gpu, resources: {gpu: 1}, scaling: {min: 2, max: 4}}"
    (pool,) = estimate_of(spec(models=(ranker,))).pools
    spot = Decimal(str(listed("aws", "g6.xlarge", "us-east-1").spot))
    assert (pool.min_nodes, pool.floor, pool.max_nodes) == (0, 2, 4)
    assert pool.cost.min == 2 * HOURS * spot


def test_a_pool_that_scales_to_zero_costs_nothing_at_min_and_says_add_ons_need_a_node() -> None:
    estimate = estimate_of(spec())
    assert estimate.pools[0].cost.min == 0
    assert any("at least one node" in n for n in estimate.notes)


def test_an_existing_cluster_costs_nothing_and_says_so(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    text = spec(target="{provider: onprem, context: dc1-admin}", pools=(GENERAL_POOL,))
    estimate = estimate_of(text)
    assert estimate.existing_cluster and estimate.total == cost.NOTHING and estimate.pools == ()
    (tmp_path / "mlops.yaml").write_text(text)
    code, out, _ = run(capsys, "cost", str(tmp_path / "mlops.yaml"))
    assert code == 0
    assert "production: target main (onprem), existing cluster: no cloud cost, 0.00" in out


def test_the_north_star_is_priced_per_environment_from_its_catalogs() -> None:
    production, staging = cost.estimate_spec(load(str(NORTH_STAR)))
    assert (production.provider, production.region, staging.provider, staging.region) == ("aws", "eu-west-1", "gcp", "europe-west4")
    gpu = next(p for p in production.pools if p.name == "gpu")
    assert (gpu.instance_type, gpu.accelerator, gpu.accelerator_asked) == ("g5.2xlarge", "nvidia-a10g", "nvidia-l4")
    assert gpu.cost.max == 4 * HOURS * Decimal(str(listed("aws", "g5.2xlarge", "eu-west-1").spot))
    assert any("nvidia-a10g stands in for nvidia-l4" in n for n in production.notes)


# --- regions must be covered ---------------------------------------------------------------------------------

def test_an_uncovered_region_fails_at_its_line_listing_the_covered_ones(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "mlops.yaml"
    path.write_text(spec(target="\n    provider: aws\n    region: ap-south-1"))
    code, out, err = run(capsys, "cost", str(path))
    covered = ", ".join(catalogs.load("aws").regions)
    assert code == 1
    assert out == (f"{path}:7:13: error: region 'ap-south-1' is not in the aws price catalog; covered regions: {covered} "
                   "(validate and compile work in any region, only pricing needs a covered one) [at $.targets.main.region]\n")
    assert "Traceback" not in err
    assert run(capsys, "validate", str(path))[0] == 0               # only pricing needs coverage
    assert run(capsys, "cost", str(path), "--compare", "gcp")[0] == 1  # nor can it be placed on a map


def test_a_misspelt_region_gets_a_suggestion() -> None:
    with pytest.raises(Exception) as caught:
        estimate_of(spec(target="{provider: aws, region: us-east1}"))
    assert "(did you mean 'us-east-1'?)" in str(caught.value)


# --- comparison across providers -----------------------------------------------------------------------------

def test_nearest_regions_share_the_area_then_the_continent() -> None:
    aws, gcp, azure = (catalogs.load(p) for p in ("aws", "gcp", "azure"))
    assert compare.nearest_regions("eu-west-1", aws, gcp) == ("europe-west1", "europe-west4")
    assert compare.nearest_regions("eu-west-1", aws, azure) == ("westeurope",)
    assert compare.nearest_regions("europe-west4", gcp, aws) == ("eu-west-1", "eu-central-1")
    assert compare.nearest_regions("us-west-2", aws, gcp) == ("us-central1", "us-east4")
    assert compare.nearest_regions("eu-west-1", aws, aws) == ("eu-west-1",)


def test_north_star_compared_on_three_providers_has_a_cell_per_provider_and_environment(capsys: pytest.CaptureFixture[str]) -> None:
    result = compare.compare(load(str(NORTH_STAR)), ("aws", "gcp", "azure"))
    assert result.environments == ("production", "staging")
    assert [(c.environment, c.provider) for c in result.cells] == [
        (e, p) for e in ("production", "staging") for p in ("aws", "gcp", "azure")]
    assert all(c.estimate is not None and not c.missing for c in result.cells)
    assert {(c.environment, c.provider): c.region for c in result.cells} == {
        ("production", "aws"): "eu-west-1", ("production", "gcp"): "europe-west1", ("production", "azure"): "westeurope",
        ("staging", "aws"): "eu-west-1", ("staging", "gcp"): "europe-west4", ("staging", "azure"): "westeurope"}
    assert [c.current for c in result.cells] == [True, False, False, False, True, False]
    mine = cost.estimate_spec(load(str(NORTH_STAR)))
    assert result.cell("production", "aws").estimate.total == mine[0].total      # the own target is priced as `mlops cost` does
    assert any("using the stated equivalent nvidia-a10 " in n for n in result.cell("staging", "azure").notes)
    code, out, _ = run(capsys, "cost", str(NORTH_STAR), "--compare", "aws,gcp,azure")
    assert code == 0
    lines = out.splitlines()
    assert lines[3].split() == ["aws", "gcp", "azure"]
    assert [l for l in lines if l and not l.startswith(" ")][2:5] == ["production", "staging", "all environments"]
    assert columns(out)["production"]["at max"] == {
        p: cost_report.amount(result.cell("production", p).estimate.total.max) for p in ("aws", "gcp", "azure")}
    assert "Standard_NV36ads_A10_v5 (nvidia-a10)" in out


def test_a_tpu_pool_elsewhere_says_what_is_missing_instead_of_a_number(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    text = spec(target="{provider: gcp, region: us-central1, project: shop-prod-123}", pools=(GENERAL_POOL, TPU_POOL))
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
    assert table["pool tpu"] == {"gcp": "ct5lp-hightpu-1t", "aws": "missing: no tpu-v5e", "azure": "missing: no tpu-v5e"}
    assert table["at max"]["aws"] == table["at min"]["azure"] == "missing: no tpu-v5e"
    assert columns(out)["all environments"]["at max"]["aws"] == "incomplete"
    assert "production, aws: cannot: aws has no 1x tpu-v5e instance type" in out


def test_a_comparison_moves_to_a_nearby_region_that_has_the_accelerator() -> None:
    a100 = "    big: {machine: {cpu: 12, memory: 85Gi}, accelerator: {type: nvidia-a100-40gb}, scaling: {min: 0, max: 1}}"
    result = compare.compare(parse(spec(target="{provider: aws, region: eu-west-1}", pools=(a100,)), "mlops.yaml"), ("gcp",))
    cell = result.cell("production", "gcp")
    assert (cell.region, cell.missing) == ("europe-west4", ())       # europe-west1 offers no A100


def test_an_existing_cluster_stays_put_in_a_comparison() -> None:
    text = spec(target="{provider: onprem, context: dc1-admin}", pools=(GENERAL_POOL,))
    result = compare.compare(parse(text, "mlops.yaml"), ("aws", "gcp"))
    assert all(c.estimate is not None and c.estimate.existing_cluster for c in result.cells)
    assert result.total("aws") == cost.NOTHING


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


def test_every_format_has_a_reporter() -> None:
    from mlops.cli.commands import cost as command

    assert tuple(sorted(cost_report.ESTIMATES)) == tuple(sorted(cost_report.COMPARISONS)) == command.FORMATS


def test_env_picks_environments(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "cost", str(NORTH_STAR), "--env", "staging")
    assert code == 0 and out.startswith("staging: target gcp-staging (gcp europe-west4)") and "production" not in out


# --- delta, for `mlops plan` ---------------------------------------------------------------------------------

def test_delta_names_the_lines_that_change_and_the_totals() -> None:
    before = estimate_of(spec(pools=(GENERAL_POOL, GPU_POOL)))
    after = estimate_of(spec(pools=(GENERAL_POOL, GPU_POOL.replace("max: 4", "max: 8"))))
    change = cost.delta(before, after)
    spot = Decimal(str(listed("aws", "g6.xlarge", "us-east-1").spot))
    assert change.environment == "production"
    assert change.change == cost.Range(Decimal(0), 4 * HOURS * spot)
    assert [line.name for line in change.lines] == ["pool gpu"]
    assert change.lines[0].after.max - change.lines[0].before.max == 4 * HOURS * spot
    assert cost_report.delta_line(change).startswith(f"production: +{cost_report.amount(4 * HOURS * spot)}/month at max (±0.00 at min)")


def test_delta_of_a_new_removed_or_unchanged_environment() -> None:
    estimate = estimate_of(spec())
    assert cost.delta(estimate, estimate).lines == () and cost.delta(estimate, estimate).change == cost.NOTHING
    added = cost.delta(None, estimate)
    assert added.change == estimate.total and all(line.before is None for line in added.lines)
    removed = cost.delta(estimate, None)
    assert removed.change == cost.NOTHING - estimate.total and all(line.after is None for line in removed.lines)
    with pytest.raises(ValueError):
        cost.delta(None, None)


def test_delta_across_providers_compares_lines_by_name() -> None:
    before = estimate_of(spec())
    after = estimate_of(spec(target="{provider: gcp, region: us-east4, project: shop-prod-123}"))
    names = {line.name for line in cost.delta(before, after).lines}
    assert "pool gpu" in names and "load-balancer" in names


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


@pytest.mark.parametrize("argv", [(), ("--compare", "aws,gcp,azure")])
def test_the_readme_shows_real_output(argv: tuple[str, ...], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    command = " ".join(("mlops cost examples/north-star/mlops.yaml", *argv))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = readme.split(f"$ {command}\n", 1)[1].split("```", 1)[0]
    assert run(capsys, "cost", "examples/north-star/mlops.yaml", *argv)[1] == shown
