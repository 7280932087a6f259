"""Diagnostics: what went wrong and where (`Diagnostic`), the words messages are made of (`words`), and the
reporters that print them (`reporters`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from mlops.diagnostics.words import article, did_you_mean, one_of, shown

Path = tuple[str | int, ...]
Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One located problem. Ordered by file, then position, then message."""

    file: str
    line: int
    col: int
    message: str
    path: str = "$"
    severity: Severity = "error"

    def text(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.severity}: {self.message} [at {self.path}]"

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "col": self.col,
            "severity": self.severity,
            "message": self.message,
            "path": self.path,
        }


def json_path(path: Path) -> str:
    """`("models", "fraud-scorer", "rollout", "steps", 0)` -> `$.models.fraud-scorer.rollout.steps[0]`."""
    out = "$"
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part and all(c.isalnum() or c in "-_" for c in part):
            out += f".{part}"
        else:
            out += "[" + repr(part).replace("'", '"') + "]"
    return out


__all__ = ["Diagnostic", "Path", "Severity", "article", "did_you_mean", "json_path", "one_of", "shown"]
