"""mlops.emit.k8s.patches: RFC 6902 patches on a model's emitted objects, refused (located) when the object or
the path does not exist, or when they would change an object's identity."""

from __future__ import annotations

import json

import pytest

from mlops import ir
from mlops.emit.k8s import patches
from tests.support import ir_factory as f

OBJECTS = [{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "m", "namespace": "ns"},
            "spec": {"replicas": 1, "template": {"spec": {"containers": [{"name": "server"}]}}}},
           {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "m", "namespace": "ns"}, "spec": {}}]


def op(op: str, path: str, value: object = None, from_: str | None = None) -> ir.PatchOperation:
    return ir.PatchOperation(op, path, None if value is None else json.dumps(value), from_)  # type: ignore[arg-type]


def patched(*ops: ir.PatchOperation, kind: str = "Deployment", name: str = "m") -> list[dict[str, object]]:
    model = f.model("m")
    model = ir.Model(**{**model.__dict__, "patches": (ir.Patch(kind, name, ops, "$.models.m.patches[0]"),)})
    return patches.apply(model, OBJECTS)


def refused(*ops: ir.PatchOperation, kind: str = "Deployment", name: str = "m") -> list[tuple[object, str]]:
    with pytest.raises(patches.PatchRefused) as caught:
        patched(*ops, kind=kind, name=name)
    return list(caught.value.problems)


def test_operations_apply_in_order_to_the_named_object_only() -> None:
    out = patched(op("add", "/spec/template/spec/priorityClassName", "high"),
                  op("replace", "/spec/replicas", 3), op("copy", "/spec/minReadySeconds", from_="/spec/replicas"))
    assert out[0]["spec"] == {"replicas": 3, "minReadySeconds": 3,  # type: ignore[comparison-overlap]
                              "template": {"spec": {"containers": [{"name": "server"}], "priorityClassName": "high"}}}
    assert out[1] == OBJECTS[1]
    assert "priorityClassName" not in OBJECTS[0]["spec"]["template"]["spec"]  # type: ignore[index]


def test_an_object_the_model_does_not_have() -> None:
    [(where, message)] = refused(op("add", "/spec/x", 1), kind="Rollout")
    assert where == ("models", "m", "patches", 0, "target")
    assert message == ("patch target Rollout/m is not an object mlops emits for this model "
                       "(its objects named m: Deployment, Service)")


def test_a_path_that_does_not_exist_names_its_first_missing_part() -> None:
    [(where, message)] = refused(op("add", "/spec/x", 1), op("remove", "/spec/template/spec/affinity/podAffinity"))
    assert where == ("models", "m", "patches", 0, "patch", 1, "path")
    assert message == ("remove at /spec/template/spec/affinity/podAffinity: Deployment/m has no "
                       "/spec/template/spec/affinity")


def test_a_move_from_nowhere_points_at_from() -> None:
    [(where, _)] = refused(op("move", "/spec/a", from_="/spec/nothing"))
    assert where[-1] == "from"


def test_a_failed_test_shows_the_value_there() -> None:
    [(where, message)] = refused(op("test", "/spec/replicas", 2))
    assert where[-1] == "value" and message == "test failed: Deployment/m has 1 at /spec/replicas"


@pytest.mark.parametrize("path", ["/metadata/name", "/kind", "/metadata", "/metadata/namespace"])
def test_the_identity_is_not_patchable(path: str) -> None:
    [(_, message)] = refused(op("replace", path, "other"))
    assert "identity" in message
