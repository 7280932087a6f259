"""The one edit `mlops propose` makes to mlops.yaml: `environments.<env>.overrides.models.<model>.artifact`, with
comments, quotes, flow style and indentation kept, so the pull request's diff is that one line.

ruamel.yaml (the `propose` extra, pinned) round-trips YAML; PyYAML, which `mlops validate` uses, drops comments.
Its settings are the ones checked against the loop spec (/work/notes/facts-loop.md §11, ruamel.yaml 0.19.1):
without them it requotes strings, rewraps long flow sequences and reindents lists in unrelated places.
"""

from __future__ import annotations

import io
from typing import Any

from mlops.diagnostics import shown
from mlops.errors import Failure, UsageError


class EditRefused(Failure):
    """The spec cannot take the edit: a path that is not a mapping."""


def _yaml() -> Any:
    try:
        from ruamel.yaml import YAML
    except ImportError:
        raise UsageError("mlops propose edits mlops.yaml with ruamel.yaml: pip install 'mlops-compiler[propose]'") \
            from None
    yaml = YAML()                      # round-trip ('rt') is the default
    yaml.preserve_quotes = True        # else "1.35" -> '1.35' and "0 3 * * 1" -> 0 3 * * 1 (facts-loop §11)
    yaml.width = 4096                  # else long flow sequences are rewrapped
    yaml.indent(mapping=2, sequence=4, offset=2)   # else block sequences are reindented
    return yaml


def set_artifact(text: str, env: str, model: str, artifact: str) -> str:
    """`text` with the environment's override of the model's artifact set to `artifact`."""
    from ruamel.yaml.comments import CommentedMap

    yaml = _yaml()
    doc = yaml.load(text)
    node = doc
    for key in ("environments", env, "overrides", "models", model):
        child = node.get(key) if isinstance(node, dict) else None
        if child is None and isinstance(node, dict):
            child = node[key] = CommentedMap()        # a missing level is created, in block style
        if not isinstance(child, dict):
            raise EditRefused(f"cannot set environments.{env}.overrides.models.{shown(model)}.artifact: "
                              f"{shown(key)} is not a mapping in the spec")
        node = child
    node["artifact"] = artifact
    out = io.StringIO()
    yaml.dump(doc, out)
    return out.getvalue()
