"""Secrets written in clear: known credential formats anywhere in the file, and literal values of
environment variables whose names say they hold one. Messages never repeat the value."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from mlops.diagnostics import Diagnostic, Path
from mlops.spec.load import Source

_FORMATS = [
    ("an AWS access key", re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("a GitHub token", re.compile(r"\b(gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})")),
    ("a Slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    ("a Google API key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}")),
    ("a private key", re.compile(r"-----BEGIN ([A-Z]+ )*PRIVATE KEY-----")),
    ("an API secret key", re.compile(r"\b(sk|rk)[-_](live_|test_|proj-)?[A-Za-z0-9_-]{20,}")),
    ("a Hugging Face token", re.compile(r"\bhf_[A-Za-z0-9]{30,}")),
    ("a JSON Web Token", re.compile(r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}")),
    ("a password inside a URL", re.compile(r"://[^/\s:@]+:[^/\s@]+@")),
    ("a signed URL", re.compile(r"[?&](sig|X-Amz-Signature|X-Goog-Signature|X-Amz-Credential)=", re.IGNORECASE)),
    ("a storage account key", re.compile(r"AccountKey=|SharedAccessSignature=", re.IGNORECASE)),
]
_SECRET_NAME = re.compile(r"(?i)(pass(word|wd)?|secret|token|api_?key|access_?key|private_?key|credential|auth)")
_ADVICE = "keep secrets out of mlops.yaml: reference a Kubernetes Secret with {secretRef: {name, key}}"


def find(source: Source) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for path, value in _strings(source.data, ()):
        for what, pattern in _FORMATS:
            if pattern.search(value):
                out.append(source.error(path, f"this looks like {what} written in clear; {_ADVICE}"))
                break
        else:
            if _is_env_value(path) and value and _SECRET_NAME.search(str(path[-1])):
                out.append(source.error(path, f"environment variable {path[-1]} holds a literal value but its name says "
                                              f"it is a secret; {_ADVICE}"))
    return out


def _is_env_value(path: Path) -> bool:
    return len(path) >= 2 and path[-2] == "env"


def _strings(node: Any, path: Path) -> Iterator[tuple[Path, str]]:
    # Iterative: the document may be as deep as the loader allows.
    stack: list[tuple[Any, Path]] = [(node, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            yield where, item
        elif isinstance(item, dict):
            stack.extend((v, (*where, k)) for k, v in item.items())
        elif isinstance(item, list):
            stack.extend((v, (*where, i)) for i, v in enumerate(item))
