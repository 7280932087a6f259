"""`mlops schema`: prints the published JSON Schema."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator

from tests.support import ROOT
from tests.support.cli import run


def test_schema_command_prints_the_published_schema(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "schema")
    assert code == 0
    schema = json.loads(out)
    Draft202012Validator.check_schema(schema)
    assert out == (ROOT / "schemas" / "mlops.schema.json").read_text()
