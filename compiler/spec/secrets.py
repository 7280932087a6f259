"""Secrets written in clear: a known credential format anywhere in the file, as a value or as a key (a label key,
an environment variable's or a model's name), and literal values under names that say they hold one. Messages
never repeat the value: they name the kind of secret and where it is (the formats: `mlops.diagnostics.redact`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from mlops.diagnostics import Diagnostic, Path
from mlops.diagnostics import redact as formats
from mlops.spec.load import Source

_ADVICE = "keep secrets out of mlops.yaml: reference a Kubernetes Secret with {secretRef: {name, key}}"
# A name says it holds a secret by one of its words (DB_PASSWORD, MYSQL_PWD, GITHUB_TOKEN, dbPassword), or by its
# last one (API_KEY, BASIC_AUTH, SENTRY_DSN, DB_PASS). Whole words, so that MAX_TOKENS, TOKENIZERS_PARALLELISM,
# KEY_PREFIX or AUTH_URL are not secrets; GOOGLE_APPLICATION_CREDENTIALS holds a path, not a credential.
_SECRET_WORDS = frozenset({"password", "passwd", "pwd", "passphrase", "secret", "token", "apikey", "privatekey",
                           "accesskey", "secretkey"})
_SECRET_LAST_WORDS = _SECRET_WORDS | {"key", "pass", "auth", "authorization", "dsn", "credential"}
_SECRET_ENDINGS = ("password", "passwd", "secret", "token", "apikey")     # DBPASSWORD, GITHUBTOKEN
_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+")
# Maps whose keys are names chosen by the user for a literal value: an env var, a label.
_NAMED_VALUES = ("env", "labels")


def find(source: Source) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for path, text, is_key in _strings(source.data, ()):
        kind = formats.find(text)
        if kind is not None:
            what = "this name" if is_key else "this"
            out.append(source.error(path, f"{what} looks like {kind.what} written in clear; {_ADVICE}", key=is_key))
        elif not is_key and text and _names_a_secret(path):
            out.append(source.error(path, f"{_holder(path)} holds a literal value but its name says it is a secret; "
                                          f"{_ADVICE}"))
    return out


def _names_a_secret(path: Path) -> bool:
    if len(path) < 2 or path[-2] not in _NAMED_VALUES or not isinstance(path[-1], str):
        return False
    words = [w.lower() for w in _WORDS.findall(path[-1])]
    return bool(words) and (any(w in _SECRET_WORDS or w.endswith(_SECRET_ENDINGS) for w in words)
                            or words[-1] in _SECRET_LAST_WORDS)


def _holder(path: Path) -> str:
    return f"environment variable {path[-1]}" if path[-2] == "env" else f"label {path[-1]}"


def _strings(node: Any, path: Path) -> Iterator[tuple[Path, str, bool]]:
    """(path, text, is_key) for every string of the document, keys included. Iterative: the document may be as
    deep as the loader allows."""
    stack: list[tuple[Any, Path]] = [(node, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            yield where, item, False
        elif isinstance(item, dict):
            for key, value in item.items():
                yield (*where, key), str(key), True
                stack.append((value, (*where, key)))
        elif isinstance(item, list):
            stack.extend((v, (*where, i)) for i, v in enumerate(item))
