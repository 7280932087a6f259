"""mlops.targets.base.catalog: the price catalogs match their schema and place every region."""

from __future__ import annotations

import json

import pytest
import yaml
from jsonschema import Draft202012Validator

from mlops.targets.base import catalog as catalogs
from tests.support import ROOT


@pytest.mark.parametrize("provider", catalogs.CLOUD_PROVIDERS)
def test_catalogs_match_their_schema_and_place_every_region(provider: str) -> None:
    raw = yaml.safe_load((ROOT / "targets" / provider / "catalog.yaml").read_text(encoding="utf-8"))
    schema = json.loads((ROOT / "schemas" / "catalog.schema.json").read_text(encoding="utf-8"))
    assert [e.message for e in Draft202012Validator(schema).iter_errors(raw)] == []
    catalog = catalogs.load(provider)
    assert sorted(catalog.geography) == sorted(catalog.regions)
    assert all(r in catalog.regions for i in catalog.instances.values() for r in i.prices)
