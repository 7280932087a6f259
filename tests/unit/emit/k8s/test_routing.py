"""mlops.emit.k8s.routing: the shared Gateway and each model's HTTPRoute."""

from __future__ import annotations

from pathlib import Path

from tests.support.specs import manifests, route_rule, sklearn, spec


def test_ab_weights_one_deployment_and_service_per_variant(tmp_path: Path) -> None:
    rollout = {"strategy": "ab", "variants": {"control": {"artifact": "s3://mm/a/", "weight": 70},
                                              "treatment": {"artifact": "s3://mm/b/", "weight": 30}}}
    m = {"framework": "xgboost", "rollout": rollout, "scaling": {"min": 2, "max": 10, "metric": "rps", "target": 40}}
    files = manifests(tmp_path, spec({"rank": m}))
    assert route_rule(files, "rank")["backendRefs"] == [{"name": "rank-control", "port": 8080, "weight": 70},
                                                  {"name": "rank-treatment", "port": 8080, "weight": 30}]
    # min 2 is a disruption budget: the treatment keeps 2 replicas (not ceil(0.6) = 1) and its own PDB
    for variant, low, high in (("control", 2, 7), ("treatment", 2, 3)):
        deployment = files[f"deployment-rank-{variant}.yaml"]
        init = deployment["spec"]["template"]["spec"]["initContainers"][0]
        assert init["args"] == [f"s3://mm/{'a' if variant == 'control' else 'b'}/", "/mnt/models"]
        scaled = files[f"scaledobject-rank-{variant}.yaml"]["spec"]
        assert (scaled["minReplicaCount"], scaled["maxReplicaCount"]) == (low, high)
        assert f'app_kubernetes_io_instance="rank-{variant}"' in scaled["triggers"][0]["metadata"]["query"]
        assert f"service-rank-{variant}.yaml" in files
    assert "poddisruptionbudget-rank-control.yaml" in files
    assert "poddisruptionbudget-rank-treatment.yaml" in files


def test_shadow_mirrors_the_asked_percent_to_the_candidate(tmp_path: Path) -> None:
    rollout = {"strategy": "shadow", "candidate": {"artifact": "s3://mm/next/"}, "mirrorPercent": 25}
    files = manifests(tmp_path, spec({"embed": sklearn(rollout=rollout)}))
    main = route_rule(files, "embed")
    assert main["backendRefs"] == [{"name": "embed", "port": 8080}]
    mirrors = [f for f in main["filters"] if f["type"] == "RequestMirror"]
    assert mirrors == [{"type": "RequestMirror", "requestMirror": {
        "backendRef": {"name": "embed-candidate", "port": 8080}, "percent": 25}}]
    candidate = files["deployment-embed-candidate.yaml"]["spec"]["template"]["spec"]["initContainers"][0]
    assert candidate["args"] == ["s3://mm/next/", "/mnt/models"]


def test_endpoint_path_is_matched_and_stripped(tmp_path: Path) -> None:
    files = manifests(tmp_path, spec({"fraud": sklearn(endpoint={"host": "api.example.com", "path": "/v1/score"})}))
    route = files["httproute-fraud.yaml"]["spec"]
    assert route["hostnames"] == ["api.example.com"]
    assert route["parentRefs"] == [{"name": "shop", "sectionName": "http"}]
    assert route["rules"][0]["matches"] == [{"path": {"type": "PathPrefix", "value": "/v1/score"}}]
    assert route["rules"][0]["filters"] == [{"type": "URLRewrite", "urlRewrite": {
        "path": {"type": "ReplacePrefixMatch", "replacePrefixMatch": "/"}}}]


def test_root_endpoint_needs_no_rewrite_and_no_endpoint_gets_a_model_path(tmp_path: Path) -> None:
    files = manifests(tmp_path, spec({"a": sklearn(endpoint={"host": "a.example.com"}), "b": sklearn()}))
    assert "filters" not in files["httproute-a.yaml"]["spec"]["rules"][0]
    b = files["httproute-b.yaml"]["spec"]
    assert "hostnames" not in b
    assert b["rules"][0]["matches"] == [{"path": {"type": "PathPrefix", "value": "/models/b"}}]
