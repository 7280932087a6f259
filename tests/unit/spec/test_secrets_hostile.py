"""Secrets in a spec: found as values and as keys (label keys, env var names, model names), in every common format
and under every common name; refused with a located error that names the kind, never the text."""

from __future__ import annotations

import pytest

from mlops.spec.load import parse
from mlops.spec.secrets import find

SPEC = """\
metadata:
  labels: {LK: x, team: LV}
models:
  MN:
    env: {EN: x, DATABASE_URL: EV}
"""
SECRETS = ["AKIAQWERTYUIOPASDFGH", "ghp_" + "Qw3e" * 9, "glpat-Zq9Zq9Zq9Zq9Zq9Zq9xy", "npm_" + "a1B2" * 9,
           "xoxb-1234567890-abcdefghijklmnop", "hf_" + "aB3" * 11, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"]
URLS = ["redis://:Hunter2Sup3r@cache.example.com:6379/0", "postgres://admin:Hunter2Sup3r@db.example.com/app",
        "https://ghp123TOKENabc@github.com/org/repo", "https://api.example.com/v1?apikey=Sup3rS3cretValue",
        "Bearer abc.Def-123_xyz"]


KEYS = ("LK", "MN", "EN")


def found(spec: str) -> list[tuple[int, int, str, str]]:
    return [(d.line, d.col, d.path, d.message) for d in find(parse(spec, "mlops.yaml"))]


@pytest.mark.parametrize("secret", SECRETS)
@pytest.mark.parametrize("place", ["LK", "LV", "MN", "EN", "EV"])
def test_a_token_is_found_as_a_key_or_a_value(secret: str, place: str) -> None:
    spec = SPEC.replace(place, secret if place in KEYS else f"'{secret}'")
    hits = found(spec)
    assert len(hits) == 1, hits
    line, _col, _path, message = hits[0]
    assert line == {"LK": 2, "LV": 2, "MN": 4, "EN": 5, "EV": 5}[place]
    assert secret not in message and "written in clear" in message
    assert message.startswith("this name looks like" if place in KEYS else "this looks like")


@pytest.mark.parametrize("url", URLS)
def test_credentials_in_urls_and_headers_are_found(url: str) -> None:
    hits = found(SPEC.replace("EV", f"'{url}'"))
    assert [h[2] for h in hits] == ["$.models.MN.env.DATABASE_URL"]


@pytest.mark.parametrize("name", ["DB_PASSWORD", "MYSQL_PWD", "API_KEY", "apiKey", "GITHUB_TOKEN", "DBPASSWORD",
                                  "AWS_SECRET_ACCESS_KEY", "BASIC_AUTH", "SENTRY_DSN", "DB_PASS"])
def test_a_literal_under_a_secret_name_is_refused(name: str) -> None:
    hits = found(SPEC.replace("EN", name).replace("EV", "plain"))
    assert [h[3].split(" holds")[0] for h in hits] == [f"environment variable {name}"]


@pytest.mark.parametrize("name", ["MAX_TOKENS", "TOKENIZERS_PARALLELISM", "KEY_PREFIX", "AUTH_URL", "LOG_LEVEL",
                                  "GOOGLE_APPLICATION_CREDENTIALS", "PASS_THROUGH", "OMP_NUM_THREADS"])
def test_names_that_only_look_like_it_are_not(name: str) -> None:
    assert found(SPEC.replace("EN", name).replace("EV", "plain")) == []


def test_a_label_named_like_a_secret_is_refused() -> None:
    hits = found(SPEC.replace("team", "api-token").replace("EV", "plain"))
    assert [h[2] for h in hits] == ["$.metadata.labels.api-token"]


def test_a_secret_reference_is_fine() -> None:
    assert found(SPEC.replace("EN: x", "DB_PASSWORD: {secretRef: {name: db, key: password}}")
                 .replace("EV", "plain")) == []
