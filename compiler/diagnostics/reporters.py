"""Reporters: diagnostics as text lines, JSON, or GitHub Actions annotations. They return text; the CLI prints.
Each shows a diagnostic's public form (`Diagnostic.public`: secrets redacted, control characters escaped)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from mlops.diagnostics import Diagnostic

Reporter = Callable[[Sequence[Diagnostic]], str]


def text(diagnostics: Sequence[Diagnostic]) -> str:
    return "".join(d.text() + "\n" for d in diagnostics)


def as_json(diagnostics: Sequence[Diagnostic]) -> str:
    return json.dumps([d.as_dict() for d in diagnostics], indent=2) + "\n"


def github(diagnostics: Sequence[Diagnostic]) -> str:
    """Workflow commands, so each problem shows on the pull request's changed line."""
    shown = [d.public() for d in diagnostics]
    return "".join(
        f"::{d.severity} file={_prop(d.file)},line={d.line},col={d.col}::{_data(d.message)} [at {_data(d.path)}]\n"
        for d in shown)


def _data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(value: str) -> str:
    return _data(value).replace(":", "%3A").replace(",", "%2C")


REPORTERS: dict[str, Reporter] = {"text": text, "json": as_json}
