"""mlops.schemas: the published schema (schemas/mlops.schema.json) documents every property."""

from __future__ import annotations

import json

from tests.support import ROOT


def test_every_schema_property_is_described() -> None:
    schema = json.loads((ROOT / "schemas" / "mlops.schema.json").read_text())
    undocumented = []

    def walk(node: object, path: str) -> None:
        if isinstance(node, dict):
            for name, sub in (node.get("properties") or {}).items():
                if isinstance(sub, dict) and "description" not in sub:
                    undocumented.append(f"{path}.{name}")
            for key, sub in node.items():
                walk(sub, f"{path}/{key}")
        elif isinstance(node, list):
            for i, sub in enumerate(node):
                walk(sub, f"{path}[{i}]")

    walk(schema, "#")
    assert undocumented == []
