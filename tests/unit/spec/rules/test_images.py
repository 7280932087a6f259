"""mlops.spec.rules.images: the Rollouts plugin's location, refused where mlops installs no Argo Rollouts; and
mlops.spec.rules.clusters: one shared installation cannot take two plugin locations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.support.specs import STORES, errors, manifests, sklearn, spec

MIRROR = "https://files.dc1.example.com/plugins/v0.17.0/gatewayapi-plugin-linux-amd64"


def _target(**extra: Any) -> dict[str, Any]:
    return {"provider": "onprem", "context": "dc1-admin", "registry": "harbor.dc1.example.com/ml",
            "storageCredentials": STORES, "images": {"rolloutsGatewayPlugin": MIRROR}, **extra}


def test_an_existing_argo_rollouts_refuses_the_plugin_location(tmp_path: Path) -> None:
    doc = spec({"m": sklearn()}, target=_target(addons={"argoRollouts": "existing"}))
    [error] = errors(tmp_path, doc)
    assert error.endswith("error: targets.t.addons.argoRollouts is existing: mlops installs no Argo Rollouts "
                          "controller there, so it sets no plugin location; register the plugin in that controller's "
                          "argo-rollouts-config ConfigMap (trafficRouterPlugins) instead, and remove this setting "
                          "[at $.targets.t.images.rolloutsGatewayPlugin]")


def test_other_existing_addons_keep_it(tmp_path: Path) -> None:
    doc = spec({"m": sklearn()}, target=_target(addons={"keda": "existing"}))
    assert "namespace-shop-dev.yaml" in manifests(tmp_path, doc)         # compiles: no error


def test_environments_sharing_a_cluster_must_agree_on_it(tmp_path: Path) -> None:
    doc = spec({"m": sklearn()}, target=_target())
    doc["targets"]["u"] = {k: v for k, v in _target().items() if k != "images"}
    doc["environments"]["qa"] = {"target": "u"}
    [error] = errors(tmp_path, doc)
    assert "ask them for different target images.rolloutsGatewayPlugin" in error and "$.environments.qa.target" in error
