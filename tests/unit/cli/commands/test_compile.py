"""mlops.cli.commands.compile: what the command reports after writing."""

from __future__ import annotations

from mlops.cli.commands.compile import _deferred


def test_deferred_values_are_read_from_the_manifests() -> None:
    files = {"production/manifests/a.yaml": b"image: $(infra.registryUrl)/m:v1\nid: $(infra.modelsClientId)\n",
             "production/infra/x.json": b"$(infra.other)", "staging/manifests/b.yaml": b"$(infra.elsewhere)"}
    assert _deferred(files, "production") == ["modelsClientId", "registryUrl"]
