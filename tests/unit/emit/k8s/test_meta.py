"""mlops.emit.k8s.meta: the labels, annotations and headers every object carries, selectors, durations, numbers."""

from __future__ import annotations

from typing import Any

import pytest

from mlops.emit.k8s import meta
from tests.support.ir_factory import environment, scope
from tests.support.tables import expect

# (name, environment() keywords, metadata() keywords, expected metadata)
METADATA: list[tuple[str, dict[str, Any], dict[str, Any], str]] = [
    ("the app.kubernetes.io set, the spec path, the namespace", {}, {}, """
        name: x
        namespace: shop-dev
        labels:
          app.kubernetes.io/name: m
          app.kubernetes.io/instance: m-a
          app.kubernetes.io/component: server
          app.kubernetes.io/part-of: shop
          app.kubernetes.io/managed-by: mlops
        annotations:
          mlops.dev/source: $.models.m
    """),
    ("the platform's labels first, never over the app.kubernetes.io set; the owner annotated",
     {"labels": (("cost-center", "cc-1"), ("app.kubernetes.io/name", "spoofed")), "owner": "ml@example.com"}, {}, """
        name: x
        namespace: shop-dev
        labels:
          cost-center: cc-1
          app.kubernetes.io/name: m
          app.kubernetes.io/instance: m-a
          app.kubernetes.io/component: server
          app.kubernetes.io/part-of: shop
          app.kubernetes.io/managed-by: mlops
        annotations:
          mlops.dev/source: $.models.m
          mlops.dev/owner: ml@example.com
    """),
    ("a cluster-wide object has no namespace; a builder's own labels and annotations are added",
     {"platform": "lab"}, {"namespaced": False, "labels": {"extra": "1"}, "annotations": {"note": "n"}}, """
        name: x
        labels:
          app.kubernetes.io/name: m
          app.kubernetes.io/instance: m-a
          app.kubernetes.io/component: server
          app.kubernetes.io/part-of: lab
          app.kubernetes.io/managed-by: mlops
          extra: "1"
        annotations:
          mlops.dev/source: $.models.m
          note: n
    """),
]


@pytest.mark.parametrize(("name", "env", "fields", "expected"), METADATA, ids=[row[0] for row in METADATA])
def test_metadata(name: str, env: dict[str, Any], fields: dict[str, Any], expected: str) -> None:
    got = scope(environment(**env)).metadata("x", app="m", instance="m-a", component="server", source="$.models.m",
                                             **fields)
    assert got == expect(expected)


SELECTORS = [
    (("m", "m-a"), {}, {"app.kubernetes.io/name": "m", "app.kubernetes.io/component": "server",
                        "app.kubernetes.io/instance": "m-a"}),
    (("m",), {}, {"app.kubernetes.io/name": "m", "app.kubernetes.io/component": "server"}),   # every instance
    (("m",), {"component": "drift"}, {"app.kubernetes.io/name": "m", "app.kubernetes.io/component": "drift"}),
]


@pytest.mark.parametrize(("args", "kwargs", "expected"), SELECTORS)
def test_selector(args: tuple[str, ...], kwargs: dict[str, str], expected: dict[str, str]) -> None:
    assert meta.selector(*args, **kwargs) == expected


@pytest.mark.parametrize(("seconds", "text"), [(300, "5m"), (3600, "1h"), (5400, "90m"), (90, "90s"), (60, "1m"),
                                               (7200, "2h"), (1, "1s")])
def test_duration_is_the_largest_whole_unit(seconds: int, text: str) -> None:
    assert meta.duration(seconds) == text


@pytest.mark.parametrize(("value", "text"), [(0.01, "0.01"), (250.0, "250"), (250, "250"), (0.5, "0.5"),
                                             (1e-4, "0.0001")])
def test_number_is_never_written_with_a_useless_fraction(value: float, text: str) -> None:
    assert meta.number(value) == text


@pytest.mark.parametrize(("path", "text"), [(("models", "fraud", "rollout"), "$.models.fraud.rollout"),
                                            (("models", "m", "rollout", "steps", 0), "$.models.m.rollout.steps[0]")])
def test_source_is_the_json_path_in_the_spec(path: tuple[str | int, ...], text: str) -> None:
    assert meta.source(*path) == text


def test_new_is_an_object_header_then_its_fields() -> None:
    assert meta.new("v1", "ConfigMap", {"name": "x"}, data={"k": "v"}) == expect("""
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: x}
        data: {k: v}
    """)
