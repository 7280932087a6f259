"""The ODCS contract generator: the loop spec's fraud-scorer, per dataset, valid against the ODCS v3.1.0 JSON
Schema that datacontract-cli ships."""

from __future__ import annotations

import importlib.resources
import json
from dataclasses import replace

import jsonschema
import pytest
import yaml

from mlops import ir
from mlops.emit import contracts
from mlops.pipeline import environments
from mlops.spec.load import load
from tests.support import ROOT


@pytest.fixture(scope="module")
def scorer() -> ir.Model:
    envs, _ = environments(load(str(ROOT / "examples" / "loop" / "mlops.yaml")), ["staging"])
    return next(m for m in envs[0].models if m.name == "fraud-scorer")


def odcs_schema() -> dict:
    file = importlib.resources.files("datacontract") / "schemas" / "odcs-3.1.0.schema.json"
    return json.loads(file.read_text(encoding="utf-8"))


@pytest.mark.parametrize("dataset", contracts.DATASETS)
def test_every_dataset_contract_is_valid_odcs_3_1_0(scorer: ir.Model, dataset: contracts.Dataset) -> None:
    doc = yaml.safe_load(contracts.document(scorer, dataset))
    errors = list(jsonschema.Draft201909Validator(odcs_schema()).iter_errors(doc))
    assert errors == []
    assert (doc["apiVersion"], doc["kind"], doc["id"]) == ("v3.1.0", "DataContract", f"fraud-scorer-{dataset}")


def test_training_contract_maps_every_column_rule(scorer: ir.Model) -> None:
    doc = contracts.contract(scorer, "training")
    assert doc["servers"] == [{"server": "training", "type": "local", "format": "parquet",
                               "path": "/data/training/**/*.parquet"}]
    schema = doc["schema"][0]
    assert schema["quality"] == [{"type": "library", "metric": "rowCount", "mustBeGreaterOrEqualTo": 10000}]
    props = {p["name"]: p for p in schema["properties"]}
    assert props["txn_id"] == {"name": "txn_id", "logicalType": "integer", "required": True, "unique": True}
    assert props["amount"] == {"name": "amount", "logicalType": "number", "required": True,
                               "logicalTypeOptions": {"minimum": 0.0, "maximum": 100000.0}}
    assert props["country"]["quality"] == [{"type": "library", "metric": "invalidValues", "mustBe": 0,
                                            "arguments": {"validValues": ["fr", "de", "es", "it"]}}]
    assert props["ts"] == {"name": "ts", "logicalType": "timestamp"}
    assert doc["slaProperties"] == [{"property": "freshness", "value": 1, "unit": "d", "element": "training.ts"}]


def test_holdout_and_live_keep_what_fits_them(scorer: ir.Model) -> None:
    holdout, live = contracts.contract(scorer, "holdout"), contracts.contract(scorer, "live")
    assert holdout["servers"][0]["path"] == "/data/holdout/holdout.parquet"      # a file URI keeps its name
    assert "quality" not in holdout["schema"][0] and "slaProperties" not in holdout     # rows, freshness: training
    assert live["servers"][0] == {"server": "live", "type": "local", "format": "json", "path": "/data/live/**/*.json"}
    assert live["slaProperties"][0]["element"] == "live.ts"
    label = next(p for p in live["schema"][0]["properties"] if p["name"] == "is_fraud")
    assert "required" not in label


def test_format_and_path_can_be_given(scorer: ir.Model) -> None:
    doc = contracts.contract(scorer, "training", fmt="csv", path="/work/train.csv")
    assert doc["servers"][0] == {"server": "training", "type": "local", "format": "csv", "path": "/work/train.csv"}
    assert contracts.data_format("s3://b/x/data.jsonl.gz", "training") == "json"
    assert contracts.data_format("gs://b/x/", "live") == "json"


def test_freshness_in_the_largest_whole_unit() -> None:
    column = ir.Column("ts", "timestamp", freshness_seconds=5400)
    assert contracts._freshness("live", column) == {"property": "freshness", "value": 90, "unit": "m",
                                                    "element": "live.ts"}
    assert contracts._freshness("live", replace(column, freshness_seconds=61))["value"] == "PT61S"


def test_same_input_same_bytes_and_no_data_is_an_error(scorer: ir.Model) -> None:
    assert contracts.document(scorer, "live") == contracts.document(scorer, "live")
    with pytest.raises(ValueError, match="declares no data"):
        contracts.contract(replace(scorer, data=None), "training")
