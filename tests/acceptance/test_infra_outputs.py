"""`mlops compile --infra-outputs` (and `--argocd`): the documented fill step that makes the manifests of every
example and environment appliable as written (`kubectl apply -k`, Argo CD), the Argo CD Application per
environment, and their refusals, through the CLI.

The fake `pulumi stack output --json` of each environment is what its infra program exports when run under Pulumi
mocks: the `outputs` of its `infra/resources.json` (tests/golden, held equal to a fresh compile by test_golden),
so the list of outputs comes from the programs themselves, not from this test.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from mlops.spec.load import load
from mlops.spec.normalize import environment_names, normalize
from mlops.targets.base import deferred
from tests.support import ROOT
from tests.support.cli import run
from tests.support.k8s_schemas._crd import validate_crds

GOLDEN = ROOT / "tests" / "golden"
EXAMPLES = sorted(p.name for p in GOLDEN.iterdir() if p.is_dir())


def environments(example: str) -> list[str]:
    return sorted(p.name for p in (GOLDEN / example).iterdir() if p.is_dir())


def exported(example: str, env: str) -> dict[str, object]:
    resources = GOLDEN / example / env / "infra" / "resources.json"
    outputs: dict[str, object] = json.loads(resources.read_text(encoding="utf-8"))["outputs"]
    return outputs


def outputs_files(tmp_path: Path, example: str) -> list[str]:
    args = []
    for env in environments(example):
        path = tmp_path / f"{env}-outputs.json"
        path.write_text(json.dumps(exported(example, env)), encoding="utf-8")
        args += ["--infra-outputs", f"{env}={path}"]
    return args


def placeholders(folder: Path) -> list[str]:
    """Files still holding a deferred `$(infra.NAME)` token (a Kubernetes `$(VAR)` in a container's args, expanded
    from its env by the kubelet, is no placeholder)."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*.yaml")
                  if deferred.PATTERN.search(p.read_text(encoding="utf-8")))


def compile_args(example: str, out: Path) -> list[str]:
    return ["compile", str(ROOT / "examples" / example / "mlops.yaml"), "--manifests-only", "--out", str(out)]


REPO = "https://github.com/acme/ml-platform.git"


def docs(folder: Path) -> list[dict[str, Any]]:
    return [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.yaml"))
            if p.name != "kustomization.yaml"]


@pytest.mark.parametrize("example", EXAMPLES)
def test_no_placeholder_remains_after_the_fill_step(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch, example: str) -> None:
    """Manifests and Applications of every environment: no `$(`, and each Application valid against Argo CD's
    CRD (strict: no unknown field), pointing at the manifests just written and the cluster the stack exports."""
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, *compile_args(example, Path("build")), *outputs_files(tmp_path, example),
                         "--argocd", REPO)
    assert (code, err) == (0, "")
    assert placeholders(tmp_path / "build") == []
    assert "filled at apply time" not in out
    apps = [yaml.safe_load((tmp_path / "build" / env / "argocd" / "application.yaml").read_text(encoding="utf-8"))
            for env in environments(example)]
    assert validate_crds(apps) == []
    for env, app in zip(environments(example), apps, strict=True):
        assert (tmp_path / app["spec"]["source"]["path"] / "kustomization.yaml").is_file()
        assert app["spec"]["source"]["path"] == f"build/{env}/manifests"
        assert app["spec"]["destination"]["name"] == exported(example, env)["clusterName"]


@pytest.mark.parametrize("example", EXAMPLES)
def test_the_application_follows_the_spec_and_ignores_what_controllers_own(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, example: str) -> None:
    monkeypatch.chdir(tmp_path)
    run(capsys, *compile_args(example, Path("build")), *outputs_files(tmp_path, example), "--argocd", REPO,
        "--argocd-revision", "main")
    source = load(str(ROOT / "examples" / example / "mlops.yaml"))
    for env in environment_names(source):
        ir_env = normalize(source, env)
        app = yaml.safe_load((tmp_path / "build" / env / "argocd" / "application.yaml").read_text(encoding="utf-8"))
        objects = docs(tmp_path / "build" / env / "manifests")
        assert app["spec"]["source"]["targetRevision"] == "main"
        assert app["spec"]["destination"]["namespace"] == ir_env.namespace
        # a reviewer's approval is required: a person syncs; otherwise git is the truth, pruned and healed
        assert app["spec"]["syncPolicy"].get("automated") == (
            None if ir_env.require_approval else {"prune": True, "selfHeal": True})
        canaries = [o["spec"]["strategy"]["canary"] for o in objects
                    if o["kind"] == "Rollout" and "trafficRouting" in o["spec"]["strategy"].get("canary", {})]
        plugin = "argoproj-labs/gatewayAPI"
        plugin_routes = sorted(c["trafficRouting"]["plugins"][plugin]["httpRoute"] for c in canaries)
        ignored = app["spec"].get("ignoreDifferences", [])
        assert [i["name"] for i in ignored] == plugin_routes
        assert all(i["kind"] == "HTTPRoute" and i["jqPathExpressions"] == [".spec.rules[].backendRefs[].weight"]
                   for i in ignored)
        # what the Application leaves out holds: no emitted field another controller owns
        workloads = [o for o in objects if o["kind"] in ("Deployment", "Rollout")]
        assert workloads and all("replicas" not in o["spec"] for o in workloads)
        assert all(len(o["spec"]["metrics"]) == 1 for o in objects if o["kind"] == "HorizontalPodAutoscaler")
        assert not [o for o in objects if "Webhook" in o["kind"] or o["kind"] in (
            "CustomResourceDefinition", "APIService")]


def test_argocd_needs_the_outputs_of_every_environment(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    flags = outputs_files(tmp_path, "north-star")[:2]     # production's only
    code, out, err = run(capsys, *compile_args("north-star", Path("build")), *flags, "--argocd", REPO)
    assert (code, out) == (2, "")
    assert err == ("mlops: --argocd needs --infra-outputs for every environment compiled (the Application's "
                   "destination is the cluster its infra stack exports as clusterName): none for staging\n")
    assert not (tmp_path / "build").exists()


@pytest.mark.parametrize("out", ["/abs/build", "../build"])
def test_argocd_needs_a_path_inside_the_repository(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                   out: str) -> None:
    code, _, err = run(capsys, *compile_args("north-star", Path(out)), "--argocd", REPO)
    assert code == 2 and err == ("mlops: --argocd needs a repository URL and a relative --out without '..' (the "
                                 "path Argo CD reads, from the repository's root: run mlops compile there)\n")


def test_the_examples_do_need_the_fill_step(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Without it the tokens are there (so the test above can fail), and the compile line says what to do."""
    found = []
    for example in ("north-star", "retail-edge"):
        code, out, _ = run(capsys, *compile_args(example, tmp_path / example))
        assert code == 0
        found += placeholders(tmp_path / example)
        assert "for kubectl apply -k or Argo CD, compile with --infra-outputs" in out
    assert "production/manifests/rollout-fraud-scorer.yaml" in found
    assert "prod/manifests/serviceaccount-demand.yaml" in found


def test_the_filled_values_are_the_stack_outputs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, *compile_args("retail-edge", tmp_path / "build"), *outputs_files(tmp_path, "retail-edge"))
    account = (tmp_path / "build" / "prod" / "manifests" / "serviceaccount-demand.yaml").read_text()
    client_id = exported("retail-edge", "prod")["modelClientId_demand"]
    assert f"azure.workload.identity/client-id: {client_id}\n" in account
    assert "[secret]" not in "".join(p.read_text() for p in (tmp_path / "build").rglob("*.yaml"))


def test_a_missing_output_is_refused_naming_it_and_the_environment(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    outputs = exported("retail-edge", "prod")
    del outputs["modelClientId_pricing"]
    path = tmp_path / "prod.json"
    path.write_text(json.dumps(outputs), encoding="utf-8")
    code, out, err = run(capsys, *compile_args("retail-edge", tmp_path / "build"), "--infra-outputs", f"prod={path}")
    assert (code, out) == (1, "")
    assert err == (f"mlops: nothing written: the manifests of environment 'prod' need infra stack output(s) that "
                   f"{path} does not provide: 'modelClientId_pricing' (missing) (give the output of `pulumi stack "
                   f"output --json` of prod's infra stack, after `pulumi up`)\n")
    assert not (tmp_path / "build").exists()


@pytest.mark.parametrize(("content", "expected"), [
    ('{"registryUrl": "x",\n  "region": }', "{path}:2:13: error: not JSON: Expecting value [at $]\n"),
    ('["registryUrl"]', "{path}:1:1: error: expected the JSON object `pulumi stack output --json` prints "
                        "(output name -> value), got list [at $]\n"),
])
def test_an_outputs_file_that_is_not_a_json_object_is_a_located_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, expected: str) -> None:
    path = tmp_path / "outputs.json"
    path.write_text(content, encoding="utf-8")
    code, out, err = run(capsys, *compile_args("north-star", tmp_path / "build"), "--infra-outputs",
                         f"production={path}")
    assert (code, out, err) == (1, expected.format(path=path), "mlops: nothing written: 1 error(s)\n")
    assert not (tmp_path / "build").exists()


@pytest.mark.parametrize(("value", "message"), [
    ("{tmp}/none.json", "cannot read {tmp}/none.json: No such file or directory"),
    ("{tmp}/o.json", "--infra-outputs FILE without ENV= needs exactly one environment, and this compiles 2 "
                     "(production, staging): add --env ENV, or write --infra-outputs ENV=FILE"),
    ("prod={tmp}/o.json", "--infra-outputs names environment 'prod', which is not compiled (compiling: "
                          "production, staging)"),
    ("stagng={tmp}/o.json", "--infra-outputs names environment 'stagng', which is not compiled (did you mean "
                            "'staging'?)"),
    ("=x", "--infra-outputs '=x': expected FILE or ENV=FILE"),
])
def test_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str, message: str) -> None:
    (tmp_path / "o.json").write_text("{}", encoding="utf-8")
    code, out, err = run(capsys, *compile_args("north-star", tmp_path / "build"), "--infra-outputs",
                         value.format(tmp=tmp_path))
    assert (code, out, err) == (2, "", f"mlops: {message.format(tmp=tmp_path)}\n")


def test_a_bare_file_fills_the_one_environment_compiled(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "o.json"
    path.write_text(json.dumps(exported("north-star", "production")), encoding="utf-8")
    code, out, _ = run(capsys, *compile_args("north-star", tmp_path / "build"), "--env", "production",
                       "--infra-outputs", str(path))
    assert code == 0 and f"  infra stack outputs filled in from {path}\n" in out
    assert placeholders(tmp_path / "build") == []


@pytest.mark.parametrize(("values", "message"), [
    (["production=a.json", "production=b.json"], "--infra-outputs given twice for environment 'production'"),
    (["a.json", "b.json"], "--infra-outputs given twice for a bare FILE"),
    (["a.json", "staging=b.json"], "--infra-outputs: a bare FILE cannot be mixed with ENV=FILE"),
])
def test_ambiguous_outputs_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str], values: list[str],
                                       message: str) -> None:
    flags = [arg for value in values for arg in ("--infra-outputs", value)]
    code, out, err = run(capsys, *compile_args("north-star", tmp_path / "build"), *flags)
    assert (code, out, err) == (2, "", f"mlops: {message}\n")
