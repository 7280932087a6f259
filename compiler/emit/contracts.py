"""A model's data contract as an Open Data Contract Standard (ODCS) v3.1.0 document, one per dataset.

`contract(model, dataset)` is a plain dict (dump it with `mlops.emit.yamlout.dump`); `mlops.jobs.datacheck` runs
it with datacontract-cli 1.2.8 against the files an init container downloaded. Its one server is `type: local`
and points where the job finds them: `/data/<dataset>/` (DATA_ROOT), the file's own name for a file URI, or a
glob over the folder (`**/*.<ext>`: DuckDB matches any depth, zero included) for a folder URI.

Mapping from `data.columns` (what datacontract-cli 1.2.8 checks: datacontract/engines/checks/create_checks.py):

| spec                      | ODCS v3.1.0                                                                          |
|---------------------------|--------------------------------------------------------------------------------------|
| type                      | logicalType (integer, number, string, boolean, timestamp: v3.0.x has no timestamp)   |
| required / unique         | required: true / unique: true                                                        |
| min / max                 | logicalTypeOptions.minimum / maximum (checks field_minimum / field_maximum)          |
| values                    | quality: library metric invalidValues, arguments.validValues, mustBe: 0              |
| rows.min / rows.max       | schema quality: library metric rowCount, mustBeGreaterOrEqualTo / mustBeLessOrEqualTo |
| freshness                 | slaProperties: {property: freshness, value, unit: d/h/m, element: <table>.<column>}  |

Per dataset, because the datasets differ in what they are:

| rule                     | training | holdout | live                                                    |
|--------------------------|----------|---------|---------------------------------------------------------|
| rows.min / rows.max      | yes      | no      | no (a sample of an hour of traffic is not a training set) |
| freshness                | yes      | no      | yes (a held-out set is fixed on purpose)                |
| the label's `required`   | yes      | yes     | no (ground truth arrives later, if at all)              |

No physicalType is written: DuckDB's own types (BIGINT vs INTEGER, from csv inference) would fail type checks
the spec never asked for; logicalType is what the spec states.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from mlops import ir
from mlops.emit.yamlout import dump

Dataset = Literal["training", "holdout", "live"]
DATASETS: tuple[Dataset, ...] = ("training", "holdout", "live")
Format = Literal["parquet", "csv", "json"]
API_VERSION = "v3.1.0"
DATA_ROOT = "/data"
# By suffix; `json` is newline-delimited JSON to datacontract-cli's local server (DuckDB read_json_auto).
FORMATS: dict[str, Format] = {".parquet": "parquet", ".csv": "csv", ".jsonl": "json", ".ndjson": "json",
                              ".json": "json"}
EXTENSIONS: dict[Format, str] = {"parquet": "parquet", "csv": "csv", "json": "json"}
# A folder's format when the URI cannot say: request logging writes newline-delimited JSON.
FOLDER_FORMAT: dict[Dataset, Format] = {"training": "parquet", "holdout": "parquet", "live": "json"}


def uri(data: ir.Data, dataset: Dataset) -> str | None:
    return {"training": data.training, "holdout": data.holdout, "live": data.live}[dataset]


def data_format(location: str | None, dataset: Dataset) -> Format:
    """The format a file URI's suffix names; a folder's (or no URI's) is FOLDER_FORMAT[dataset]."""
    if location and not location.endswith("/"):
        name = location.rsplit("/", 1)[-1].lower().removesuffix(".gz")
        for suffix, fmt in FORMATS.items():
            if name.endswith(suffix):
                return fmt
    return FOLDER_FORMAT[dataset]


def local_path(location: str | None, dataset: Dataset, fmt: Format) -> str:
    """Where the job finds the files: the file's own name under /data/<dataset>/, or a glob over the folder."""
    folder = f"{DATA_ROOT}/{dataset}/"
    if location and not location.endswith("/"):
        return folder + location.rsplit("/", 1)[-1]
    return f"{folder}**/*.{EXTENSIONS[fmt]}"


def contract(model: ir.Model, dataset: Dataset, *, fmt: Format | None = None,
             path: str | None = None) -> dict[str, Any]:
    """The ODCS v3.1.0 contract of `model`'s `dataset`. `fmt` and `path` override what the URI implies."""
    data = model.data
    if data is None:
        raise ValueError(f"model {model.name} declares no data")
    location = uri(data, dataset)
    chosen = fmt or data_format(location, dataset)
    table = table_name(dataset)
    doc: dict[str, Any] = {
        "apiVersion": API_VERSION, "kind": "DataContract", "id": f"{model.name}-{dataset}", "version": "1.0.0",
        "status": "active", "name": f"{model.name} {dataset} data",
        "description": {"purpose": f"What the {dataset} data of model {model.name} must hold (from mlops.yaml "
                                   f"{model.spec_path}.data)."},
        "servers": [{"server": dataset, "type": "local", "format": chosen,
                     "path": path or local_path(location, dataset, chosen)}],
        "schema": [_schema(data, dataset, table)],
    }
    sla = [_freshness(table, c) for c in data.columns if c.freshness_seconds and dataset != "holdout"]
    if sla:
        doc["slaProperties"] = sla
    return doc


def document(model: ir.Model, dataset: Dataset, *, fmt: Format | None = None, path: str | None = None) -> bytes:
    return dump(contract(model, dataset, fmt=fmt, path=path))


def table_name(dataset: Dataset) -> str:
    """The schema object's name, which datacontract-cli uses as the SQL table name."""
    return re.sub(r"[^a-z0-9_]", "_", dataset)


def _schema(data: ir.Data, dataset: Dataset, table: str) -> dict[str, Any]:
    schema: dict[str, Any] = {"name": table, "physicalType": "table",
                              "properties": [_property(c, data, dataset) for c in data.columns]}
    quality = []
    if dataset == "training" and data.rows_min is not None:
        quality.append({"type": "library", "metric": "rowCount", "mustBeGreaterOrEqualTo": data.rows_min})
    if dataset == "training" and data.rows_max is not None:
        quality.append({"type": "library", "metric": "rowCount", "mustBeLessOrEqualTo": data.rows_max})
    if quality:
        schema["quality"] = quality
    return schema


def _property(column: ir.Column, data: ir.Data, dataset: Dataset) -> dict[str, Any]:
    out: dict[str, Any] = {"name": column.name, "logicalType": column.type}
    if column.required and not (dataset == "live" and column.name == data.label):
        out["required"] = True
    if column.unique:
        out["unique"] = True
    options = {k: _number(v, column.type) for k, v in (("minimum", column.min), ("maximum", column.max))
               if v is not None}
    if options:
        out["logicalTypeOptions"] = options
    if column.values:
        out["quality"] = [{"type": "library", "metric": "invalidValues",
                           "arguments": {"validValues": list(column.values)}, "mustBe": 0}]
    return out


def _number(value: float, column_type: str) -> int | float:
    return int(value) if column_type == "integer" and float(value).is_integer() else value


# datacontract-cli 1.2.8 reads freshness units d, h, m or an ISO-8601 duration (engines/checks/create_checks.py
# _FRESHNESS_UNITS, freshness_value_to_seconds); no seconds unit.
UNITS = (("d", 86400), ("h", 3600), ("m", 60))


def _freshness(table: str, column: ir.Column) -> dict[str, Any]:
    seconds = column.freshness_seconds or 0
    unit = next(((u, f) for u, f in UNITS if seconds % f == 0), None)
    value: dict[str, Any] = {"value": seconds // unit[1], "unit": unit[0]} if unit else {"value": f"PT{seconds}S"}
    return {"property": "freshness", **value, "element": f"{table}.{column.name}"}
