"""Reading an ODCS v3 data contract: validated against the JSON Schema datacontract-cli ships, and the column
types the drift job takes from it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlops.jobs import common
from mlops.jobs.common import BadInput


def load(path: Path) -> dict[str, Any]:
    import jsonschema
    import yaml

    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise BadInput(f"{path}: cannot read the contract: {common.one_line(error)}") from error
    version = str(doc.get("apiVersion", "")) if isinstance(doc, dict) else ""
    if not isinstance(doc, dict) or doc.get("kind") != "DataContract" or not version.startswith("v3."):
        raise BadInput(f"{path}: not an ODCS v3 contract (expected kind: DataContract, apiVersion: v3.x.y)")
    schema = _odcs_schema(version.removeprefix("v"))
    if schema is None:
        raise BadInput(f"{path}: ODCS {version} is not one datacontract-cli knows (use v3.1.0)")
    invalid = jsonschema.exceptions.best_match(jsonschema.Draft201909Validator(schema).iter_errors(doc))
    if invalid is not None:
        where = "/".join(str(p) for p in invalid.absolute_path) or "(top)"
        raise BadInput(f"{path}: not a valid ODCS {version} contract at {where}: {common.one_line(invalid)}")
    return doc


def _odcs_schema(version: str) -> dict[str, Any] | None:
    """The ODCS JSON Schema datacontract-cli ships (datacontract/schemas/odcs-<version>.schema.json)."""
    import importlib.resources

    file = importlib.resources.files("datacontract") / "schemas" / f"odcs-{version}.schema.json"
    return json.loads(file.read_text(encoding="utf-8")) if file.is_file() else None



@dataclass(frozen=True)
class Column:
    name: str
    logical_type: str          # integer | number | string | boolean | timestamp | ...
    unique: bool
    enumerated: bool           # the contract lists its valid values


def columns(doc: dict[str, Any]) -> list[Column]:
    """The properties of the contract's first schema object (the one table mlops writes)."""
    schema = doc.get("schema") or []
    if not schema:
        raise BadInput("the contract declares no schema")
    out = []
    for prop in schema[0].get("properties") or []:
        enumerated = any(q.get("metric") == "invalidValues" and (q.get("arguments") or {}).get("validValues")
                         for q in prop.get("quality") or []) or bool((prop.get("logicalTypeOptions") or {}).get("enum"))
        out.append(Column(str(prop["name"]), str(prop.get("logicalType", "")), bool(prop.get("unique")), enumerated))
    return out
