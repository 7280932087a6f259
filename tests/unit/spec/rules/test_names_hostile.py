"""Names that would collide in emitted objects are a located validation error, never a compile crash: every name
a variant or model can take next to a generated suffix either validates and compiles, or is refused by validate."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mlops.errors import SpecError
from mlops.pipeline import compile_source
from mlops.spec.load import parse
from mlops.spec.validate import check

ROOT = Path(__file__).parents[4]
NORTH_STAR = (ROOT / "examples" / "north-star" / "mlops.yaml").read_text(encoding="utf-8")
SUFFIXES = ["metrics", "canary", "candidate", "preview", "dashboard", "drift", "ingress", "deny", "egress", "control"]


def errors(text: str) -> list[str]:
    return [f"{d.line}:{d.col}: {d.message} [at {d.path}]" for d in check(parse(text, "mlops.yaml"))
            if d.severity == "error"]


def test_a_variant_named_metrics_is_refused_where_it_is_written() -> None:
    text = NORTH_STAR.replace("        control:", "        metrics:")
    assert errors(text) == [
        "83:9: variant 'metrics' of model 'ranker' would make the Service 'ranker-metrics', which its metrics "
        "Service makes too: rename the variant [at $.models.ranker.rollout.variants.metrics]"]


@pytest.mark.parametrize("variant", SUFFIXES)
@pytest.mark.parametrize("model", ["ranker", "canary", "fraud-scorer-metrics", "embedder-candidate", "default"])
def test_validate_accepts_only_what_compiles(model: str, variant: str) -> None:
    doc = yaml.safe_load(NORTH_STAR)
    ranker = doc["models"].pop("ranker")
    variants = ranker["rollout"]["variants"]
    ranker["rollout"]["variants"] = {variant if v == "control" else v: s for v, s in variants.items()}
    doc["models"][model] = ranker
    text = yaml.safe_dump(doc, sort_keys=False)
    refused = errors(text)
    if refused:
        assert all("would" in e and "make" in e for e in refused), refused
        return
    try:
        compile_source(parse(text, "mlops.yaml"), None, ("manifests",))
    except SpecError as exc:          # a located refusal after validation is a bug too, but not a crash
        pytest.fail(f"validate accepted what compile refused: {exc}")
