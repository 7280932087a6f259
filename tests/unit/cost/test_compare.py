"""mlops.cost.compare: the same spec priced on other providers, in the nearest regions that fit it."""

from __future__ import annotations

from mlops.cost import compare
from mlops.cost import estimate as cost
from mlops.spec.load import parse
from mlops.targets.base import catalog as catalogs
from tests.support.costs import GENERAL_POOL, spec


def test_nearest_regions_share_the_area_then_the_continent() -> None:
    aws, gcp, azure = (catalogs.load(p) for p in ("aws", "gcp", "azure"))
    assert compare.nearest_regions("eu-west-1", aws, gcp) == ("europe-west1", "europe-west4")
    assert compare.nearest_regions("eu-west-1", aws, azure) == ("westeurope",)
    assert compare.nearest_regions("europe-west4", gcp, aws) == ("eu-west-1", "eu-central-1")
    assert compare.nearest_regions("us-west-2", aws, gcp) == ("us-central1", "us-east4")
    assert compare.nearest_regions("eu-west-1", aws, aws) == ("eu-west-1",)


def test_a_comparison_moves_to_a_nearby_region_that_has_the_accelerator() -> None:
    a100 = ("    big: {machine: {cpu: 12, memory: 85Gi}, accelerator: {type: nvidia-a100-40gb}, "
            "scaling: {min: 0, max: 1}}")
    text = spec(target="{provider: aws, region: eu-west-1}", pools=(a100,))
    result = compare.compare(parse(text, "mlops.yaml"), ("gcp",))
    cell = result.cell("production", "gcp")
    assert (cell.region, cell.missing) == ("europe-west4", ())       # europe-west1 offers no A100


def test_an_existing_cluster_stays_put_in_a_comparison() -> None:
    text = spec(target="{provider: onprem, context: dc1-admin, storageCredentials: {s3: {secretRef: {name: s3-r}}}}",
                pools=(GENERAL_POOL,))
    result = compare.compare(parse(text, "mlops.yaml"), ("aws", "gcp"))
    assert all(c.estimate is not None and c.estimate.existing_cluster for c in result.cells)
    assert result.total("aws") == cost.NOTHING
