"""TLS: what an ACME CA can certify through the Gateway's HTTP-01 challenges."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mlops.diagnostics import Diagnostic
from mlops.spec.overlay import EnvSource
from mlops.spec.raw import mapping, models_of


def tls(doc: dict[str, Any], target: dict[str, Any] | None, at: EnvSource) -> Iterator[Diagnostic]:
    """A wildcard host cannot get an ACME certificate over HTTP-01: CAs validate wildcards only over DNS-01
    (RFC 8555 section 7.1.3; Let's Encrypt, https://letsencrypt.org/docs/challenge-types/: "You can't use it to
    issue wildcard certificates"), which mlops does not set up."""
    if "acme" not in mapping(mapping(doc.get("gateway")).get("tls")):
        return
    for name, model in models_of(doc):
        host = mapping(model.get("endpoint")).get("host")
        if isinstance(host, str) and host.startswith("*."):
            yield at.error(("models", name, "endpoint", "host"),
                           f"endpoint host {host} is a wildcard: an ACME CA certifies wildcards only over DNS-01, "
                           "and gateway.tls.acme answers HTTP-01; name the host, or use gateway.tls.secretRef")
