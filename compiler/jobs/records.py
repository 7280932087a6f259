"""Live records as rows: one row per prediction, whether request logging wrote flat rows or the inference
events themselves.

Accepted shapes (any mix of files, read with common.read_table):

- **Flat rows**: one row per prediction, with the feature columns, the prediction column (`data.prediction`),
  optionally the label and a variant column. Passed through unchanged.
- **Logged inference events** (KServe's agent -> Vector -> `data.live`): one record per request and one per
  response, sharing an id. The id is the first of `request_id`, `ce-id`, `id`; the kind the first of `kind`,
  `ce-type`, `type` (a value ending in `request` or `response`); the variant the first of `variant`, `endpoint`,
  `ce-endpoint` (the agent's `--endpoint`); optionally `revision` (the pods' template hash, which tells a
  Rollout's canary from its stable pods: they share one endpoint). Bodies are the Open Inference Protocol (V2:
  `inputs` / `outputs`, tensors `{name, shape, datatype, data}`) or KServe V1 (`instances` / `predictions`).
  Inputs are one tensor per column (named after the column, shape [n] or [n, 1]: MLServer's pandas codec) or one
  2-D tensor [n, k] whose columns are `features`, in order. The first output tensor is the prediction; a [n, 2]
  output (class probabilities) gives column 1, the positive class. Rows get `request_id` and `row` (the index in
  the request's batch), and `variant` and `revision` when the records have them; a request without a logged
  response (the agent logs only 200s) has no prediction.

The monitors also report each **segment** of the rows on its own (`segments`): a variant, and within one a
revision, so an A/B treatment, a shadow candidate or a canary's new pods are judged apart from the traffic they
share a model with.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from mlops.jobs.common import BadInput

if TYPE_CHECKING:
    import pandas as pd

ID_FIELDS, KIND_FIELDS, VARIANT_FIELDS = ("request_id", "ce-id", "id"), ("kind", "ce-type", "type"), \
    ("variant", "endpoint", "ce-endpoint")
REVISION_FIELDS = ("revision",)   # Vector's remap renames ce-source, the agent's --source-uri, to it
BODY_FIELDS = ("inputs", "outputs", "instances", "predictions")
SEGMENTS = ("variant", "revision")   # the columns `rows` names them by; flat rows may carry them too


def is_events(frame: pd.DataFrame) -> bool:
    return any(f in frame.columns for f in BODY_FIELDS)


def rows(frame: pd.DataFrame, prediction: str = "prediction", features: Sequence[str] = ()) -> pd.DataFrame:
    """`frame` as one row per prediction (see the module docstring); flat rows come back as they are."""
    import pandas as pd

    if not is_events(frame):
        return frame
    ident, kind = _first(frame, ID_FIELDS), _first(frame, KIND_FIELDS)
    if ident is None:
        raise BadInput(f"logged inference records need an id field (one of {', '.join(ID_FIELDS)})")
    labels = {"variant": _first(frame, VARIANT_FIELDS), "revision": _first(frame, REVISION_FIELDS)}
    requests, responses = _split(frame, kind)
    predicted = {str(r[ident]): _outputs(r) for r in responses.to_dict("records")}
    out: list[dict[str, Any]] = []
    for record in requests.to_dict("records"):
        inputs = _inputs(record, features)
        scores = predicted.get(str(record[ident]))
        for index, row in enumerate(inputs):
            row.update(request_id=str(record[ident]), row=index)
            if scores is not None and index < len(scores):
                row[prediction] = scores[index]
            row.update({label: str(record[field]) for label, field in labels.items()
                        if field is not None and _present(record.get(field))})
            out.append(row)
    if not out:
        raise BadInput("the logged inference records hold no request with inputs")
    return pd.DataFrame.from_records(out)


def _first(frame: pd.DataFrame, names: Sequence[str]) -> str | None:
    return next((n for n in names if n in frame.columns), None)


def _present(value: Any) -> bool:
    return value is not None and value == value   # NaN != NaN


def _split(frame: pd.DataFrame, kind: str | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    if kind is not None:
        text = frame[kind].astype(str).str.lower()
        return frame[text.str.endswith("request")], frame[text.str.endswith("response")]
    has_in = frame[[c for c in ("inputs", "instances") if c in frame.columns]].notna().any(axis=1)
    return frame[has_in], frame[~has_in]


def _inputs(record: dict[str, Any], features: Sequence[str]) -> list[dict[str, Any]]:
    if _present(record.get("inputs")):
        tensors = record["inputs"]
        if not isinstance(tensors, list) or not all(isinstance(t, dict) and "data" in t for t in tensors):
            raise BadInput("a logged request's `inputs` is not a list of V2 tensors {name, shape, datatype, data}")
        return _from_tensors(tensors, features)
    instances = record.get("instances")
    if not isinstance(instances, list):
        raise BadInput("a logged request has neither V2 `inputs` nor V1 `instances`")
    if all(isinstance(i, dict) for i in instances):
        return [dict(i) for i in instances]
    return [_named(list(i) if isinstance(i, list) else [i], features) for i in instances]


def _from_tensors(tensors: list[dict[str, Any]], features: Sequence[str]) -> list[dict[str, Any]]:
    if len(tensors) == 1 and len(tensors[0].get("shape", [])) == 2 and tensors[0]["shape"][1] > 1:
        width = int(tensors[0]["shape"][1])
        flat = _flat(tensors[0]["data"])
        return [_named(flat[i:i + width], features) for i in range(0, len(flat), width)]
    columns = {str(t.get("name")): _flat(t["data"]) for t in tensors}
    length = max((len(v) for v in columns.values()), default=0)
    return [{name: values[i] if i < len(values) else None for name, values in columns.items()} for i in range(length)]


def _named(values: list[Any], features: Sequence[str]) -> dict[str, Any]:
    if not features:
        raise BadInput("the logged inputs are a 2-D tensor (or V1 lists) without column names: give --features")
    if len(values) != len(features):
        raise BadInput(f"a logged input row has {len(values)} values but --features names {len(features)} columns")
    return dict(zip(features, values, strict=True))


def _flat(data: Any) -> list[Any]:
    if isinstance(data, list) and data and isinstance(data[0], list):
        return [v for part in data for v in _flat(part)]
    return list(data) if isinstance(data, list) else [data]


def _outputs(record: dict[str, Any]) -> list[Any] | None:
    if _present(record.get("outputs")) and isinstance(record["outputs"], list) and record["outputs"]:
        tensor = record["outputs"][0]
        shape, data = tensor.get("shape", []), _flat(tensor.get("data", []))
        if len(shape) == 2 and shape[1] == 2:
            return data[1::2]              # class probabilities: the positive class
        return data
    predictions = record.get("predictions")
    if isinstance(predictions, list):
        return [p[-1] if isinstance(p, list) and len(p) == 2 else p for p in predictions]
    return None


def segments(frame: pd.DataFrame, min_rows: int) -> list[tuple[dict[str, str], pd.DataFrame]]:
    """The rows of each (variant, revision) the frame holds, with the labels that name it (a missing value is no
    label), sorted; segments of fewer than `min_rows` rows are left out. Empty when the rows are all one segment:
    the whole already reports it."""
    columns = [c for c in SEGMENTS if c in frame.columns]
    if not columns:
        return []
    keys = frame[columns].astype("string").fillna("")
    parts = sorted(((tuple(key) if isinstance(key, tuple) else (key,), part)
                    for key, part in frame.groupby([keys[c] for c in columns], sort=False)), key=lambda kv: kv[0])
    if len(parts) < 2:
        return []
    return [({c: v for c, v in zip(columns, key, strict=True) if v}, part) for key, part in parts
            if len(part) >= min_rows]
