"""mlops.spec.rules.tls: what an ACME CA can certify over HTTP-01."""

from __future__ import annotations

from pathlib import Path

from tests.support.specs import errors, manifests, sklearn, spec


def test_a_wildcard_host_under_acme_is_refused_where_it_is_written(tmp_path: Path) -> None:
    doc = spec({"m": sklearn(endpoint={"host": "*.example.com"})})
    doc["gateway"] = {"tls": {"acme": {"email": "ops@example.com"}}}
    assert errors(tmp_path, doc) == [
        "mlops.yaml:28:13: error: endpoint host *.example.com is a wildcard: an ACME CA certifies wildcards only "
        "over DNS-01, and gateway.tls.acme answers HTTP-01; name the host, or use gateway.tls.secretRef "
        "[at $.models.m.endpoint.host]"]


def test_a_wildcard_host_with_the_users_secret_is_fine(tmp_path: Path) -> None:
    doc = spec({"m": sklearn(endpoint={"host": "*.example.com"})})
    doc["gateway"] = {"tls": {"secretRef": {"name": "wildcard"}}}
    listeners = manifests(tmp_path, doc)["gateway-shop.yaml"]["spec"]["listeners"]
    assert listeners[1]["tls"]["certificateRefs"] == [{"kind": "Secret", "name": "wildcard"}]
