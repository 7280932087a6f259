"""Logged inference events become one row per prediction; flat rows pass through."""

from __future__ import annotations

import pandas as pd
import pytest

from mlops.jobs import records
from mlops.jobs.common import BadInput

REQUEST, RESPONSE = "org.kubeflow.serving.inference.request", "org.kubeflow.serving.inference.response"


def test_flat_rows_pass_through() -> None:
    frame = pd.DataFrame({"amount": [1.0], "score": [0.2]})
    assert records.rows(frame, "score") is frame


def test_v2_column_tensors_join_their_response_and_variant() -> None:
    events = pd.DataFrame([
        {"ce-id": "a", "ce-type": REQUEST, "ce-endpoint": "canary",
         "inputs": [{"name": "amount", "shape": [2], "datatype": "FP64", "data": [10.0, 20.0]},
                    {"name": "country", "shape": [2, 1], "datatype": "BYTES", "data": [["fr"], ["de"]]}]},
        {"ce-id": "a", "ce-type": RESPONSE, "outputs": [{"name": "p", "shape": [2, 2], "datatype": "FP32",
                                                         "data": [0.9, 0.1, 0.3, 0.7]}]},
        {"ce-id": "b", "ce-type": REQUEST, "inputs": [{"name": "amount", "shape": [1], "datatype": "FP64",
                                                       "data": [5.0]}]},       # no logged response: no score
    ])
    rows = records.rows(events, "score")
    assert rows.to_dict("records")[:2] == [
        {"amount": 10.0, "country": "fr", "request_id": "a", "row": 0, "score": 0.1, "variant": "canary"},
        {"amount": 20.0, "country": "de", "request_id": "a", "row": 1, "score": 0.7, "variant": "canary"}]
    assert rows.iloc[2]["request_id"] == "b" and pd.isna(rows.iloc[2]["score"])


def test_a_2d_tensor_and_v1_lists_take_feature_names() -> None:
    v2 = pd.DataFrame([{"request_id": "a", "kind": REQUEST,
                        "inputs": [{"name": "input-0", "shape": [2, 2], "datatype": "FP64", "data": [1, 2, 3, 4]}]},
                       {"request_id": "a", "kind": RESPONSE,
                        "outputs": [{"name": "predict", "shape": [2], "datatype": "FP64", "data": [0.5, 0.6]}]}])
    assert records.rows(v2, "score", ("x1", "x2"))[["x1", "x2", "score"]].values.tolist() == [[1, 2, 0.5], [3, 4, 0.6]]
    v1 = pd.DataFrame([{"request_id": "a", "instances": [[1, 2]]}, {"request_id": "a", "predictions": [[0.2, 0.8]]}])
    assert records.rows(v1, "score", ("x1", "x2"))[["x1", "x2", "score"]].values.tolist() == [[1, 2, 0.8]]
    with pytest.raises(BadInput, match="without column names: give --features"):
        records.rows(v1, "score")


def test_events_without_an_id_are_bad_input() -> None:
    with pytest.raises(BadInput, match="need an id field"):
        records.rows(pd.DataFrame([{"inputs": []}]))


def test_segments_are_each_variant_and_revision_sorted_and_named_by_what_they_have() -> None:
    frame = pd.DataFrame({"amount": range(7),
                          "variant": ["b", "b", "a", "a", "a", "b", "c"],
                          "revision": ["r2", "r1", "r1", "r1", None, "r1", "r1"]})
    found = [(labels, list(part["amount"])) for labels, part in records.segments(frame, min_rows=1)]
    assert found == [({"variant": "a"}, [4]), ({"variant": "a", "revision": "r1"}, [2, 3]),
                     ({"variant": "b", "revision": "r1"}, [1, 5]), ({"variant": "b", "revision": "r2"}, [0]),
                     ({"variant": "c", "revision": "r1"}, [6])]
    assert [labels for labels, _ in records.segments(frame, min_rows=2)] == [
        {"variant": "a", "revision": "r1"}, {"variant": "b", "revision": "r1"}]


def test_one_segment_or_none_is_no_segment() -> None:
    assert records.segments(pd.DataFrame({"amount": [1, 2], "variant": ["a", "a"]}), min_rows=1) == []
    assert records.segments(pd.DataFrame({"amount": [1, 2]}), min_rows=1) == []
