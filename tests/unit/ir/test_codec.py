"""mlops.ir.codec: the IR round-trips through plain data (the Pulumi stack config) without loss."""

from __future__ import annotations

import json

import pytest

from mlops import ir
from mlops.spec.load import load
from mlops.spec.normalize import normalize
from tests.support import NORTH_STAR

SOURCE = load(str(NORTH_STAR))


@pytest.mark.parametrize("env", ["staging", "production"])
def test_ir_round_trips_through_json(env: str) -> None:
    environment = normalize(SOURCE, env)
    data = json.loads(json.dumps(ir.to_dict(environment)))
    assert ir.from_dict(ir.Environment, data) == environment
