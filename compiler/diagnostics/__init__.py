"""Diagnostics: what went wrong and where (`Diagnostic`), the words messages are made of (`words`), and the
reporters that print them (`reporters`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from mlops.diagnostics.redact import safe
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

    def public(self) -> Diagnostic:
        """The diagnostic as it may be shown: file, message and path redacted and escaped (`redact.safe`), so a
        secret in the spec never reaches a terminal, log or pull request and one diagnostic is one line. Every
        reporter prints this form."""
        return Diagnostic(safe(self.file), self.line, self.col, safe(self.message), safe(self.path), self.severity)

    def text(self) -> str:
        d = self.public()
        return f"{d.file}:{d.line}:{d.col}: {d.severity}: {d.message} [at {d.path}]"

    def as_dict(self) -> dict[str, object]:
        d = self.public()
        return {
            "file": d.file,
            "line": d.line,
            "col": d.col,
            "severity": d.severity,
            "message": d.message,
            "path": d.path,
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


__all__ = ["Diagnostic", "Path", "Severity", "article", "did_you_mean", "json_path", "one_of", "safe", "shown"]
