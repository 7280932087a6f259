"""The stated resource and security posture: checkov's Kubernetes checks pass on every example and environment
except the choices tests/support/checkov_allowlist.yaml argues, exactly those, and the README says the same.

checkov runs from a venv of its own (tests/support/checkov-requirements.txt): `.ci/run` makes it and names the
executable in MLOPS_CHECKOV; without it the checkov test is skipped, saying so. The allowlist's own consistency,
the README's agreement with it, and what the allowlist promises about accelerator pods (Guaranteed) are checked
without checkov.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from mlops.pipeline import compile_spec
from tests.support import EXAMPLES, ROOT, checkov
from tests.support.specs import Obj

CHECKOV = os.environ.get("MLOPS_CHECKOV", "")
REQUIREMENTS = ROOT / "tests" / "support" / "checkov-requirements.txt"
README = ROOT / "README.md"
SECTION = "## Security and resource posture"


@pytest.mark.skipif(not CHECKOV, reason="MLOPS_CHECKOV names no checkov executable (.ci/run installs "
                                        "tests/support/checkov-requirements.txt into .venv-checkov)")
def test_checkov_fails_exactly_the_argued_allowlist(tmp_path: Path) -> None:
    version = subprocess.run([CHECKOV, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    assert version == checkov.allowlist()["checkov"], f"MLOPS_CHECKOV is checkov {version}"
    found, passed = checkov.scan(CHECKOV, EXAMPLES, tmp_path)
    allowed = checkov.allowed()
    assert passed > 1000          # the run checked something: thousands of checks pass
    new = sorted(str(f) for f in found - allowed)
    gone = sorted(str(f) for f in allowed - found)
    assert not new, "failed checks no allowlist entry argues:\n" + "\n".join(new)
    assert not gone, "allowlisted, yet passing now (delete them from the allowlist):\n" + "\n".join(gone)


def test_the_pinned_checkov_is_the_allowlists() -> None:
    pins = [line for line in REQUIREMENTS.read_text().splitlines() if line and not line.startswith("#")]
    assert pins == [f"checkov=={checkov.allowlist()['checkov']}"]


def test_every_entry_is_argued_with_sources() -> None:
    entries = checkov.allowlist()["entries"]
    checkov.allowed()                           # raises on an object allowed twice
    for entry in entries:
        assert re.fullmatch(r"CKV_K8S_[0-9]+", entry["check"]), entry
        assert len(entry["reason"]) > 150 and entry["sources"] and entry["objects"], entry["check"]
        cases = {f"{e.name}/{env}" for e in EXAMPLES for env in _environments(e)}
        assert set(entry["objects"]) <= cases, entry["check"]


def _environments(example: Path) -> list[str]:
    loaded: dict[str, Any] = yaml.safe_load((example / "mlops.yaml").read_text())
    return list(loaded["environments"])


def _section() -> str:
    text = README.read_text()
    start = text.index(SECTION)
    end = text.find("\n## ", start + len(SECTION))
    return text[start:end if end > 0 else len(text)]


def test_the_readme_states_the_allowlist() -> None:
    """Each allowlisted check is in the README's posture section with its title, and no other check is."""
    section = _section()
    listed = {e["check"]: e["title"] for e in checkov.allowlist()["entries"]}
    for check, title in listed.items():
        assert f"`{check}` {title}" in section, check
    assert set(re.findall(r"CKV_K8S_[0-9]+", section)) == set(listed)


def _pods() -> list[tuple[str, Obj]]:
    out = []
    for example in EXAMPLES:
        for path, content in compile_spec(str(example / "mlops.yaml"), layers=("manifests",)).files.items():
            obj = yaml.safe_load(content)
            if obj.get("kind") in ("Deployment", "Rollout"):
                out.append((f"{example.name}/{path}", obj["spec"]["template"]["spec"]))
    return out


def _qos(spec: Obj) -> str:
    """The pod's QoS class as Kubernetes computes it (kubernetes/kubernetes pkg/apis/core/helper/qos/qos.go
    ComputePodQOS): Guaranteed when every container, init containers included, limits cpu and memory and the
    summed requests equal the summed limits."""
    containers = spec["containers"] + spec.get("initContainers", [])
    requests: dict[str, list[str]] = {"cpu": [], "memory": []}
    limits: dict[str, list[str]] = {"cpu": [], "memory": []}
    for c in containers:
        res = c.get("resources", {})
        if not {"cpu", "memory"} <= set(res.get("limits", {})):
            return "Burstable"
        for name in ("cpu", "memory"):
            requests[name].append(res.get("requests", {}).get(name, res["limits"][name]))
            limits[name].append(res["limits"][name])
    return "Guaranteed" if requests == limits else "Burstable"


def test_accelerator_pods_are_guaranteed_as_the_allowlist_says() -> None:
    accelerated = [(where, spec) for where, spec in _pods()
                   if any(k in c.get("resources", {}).get("limits", {}) for c in spec["containers"]
                          for k in ("nvidia.com/gpu", "google.com/tpu"))]
    assert accelerated
    burstable = [where for where, spec in accelerated if _qos(spec) != "Guaranteed"]
    assert not burstable


def test_the_qos_reading_flags_a_burstable_init_container() -> None:
    both = {"cpu": "1", "memory": "1Gi"}
    guaranteed = {"containers": [{"resources": {"requests": both, "limits": both}}]}
    assert _qos(guaranteed) == "Guaranteed"
    init = {"resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "1Gi"}}}
    assert _qos({**guaranteed, "initContainers": [init]}) == "Burstable"


def test_a_workflow_template_is_scanned_as_a_job_per_step() -> None:
    """Without checkov: what it is given for the loop's retraining is each container step's pod, as Argo builds it."""
    files = compile_spec(str(ROOT / "examples" / "loop" / "mlops.yaml"), ["staging"], layers=("manifests",)).files
    template = yaml.safe_load(files["staging/manifests/workflowtemplate-fraud-scorer-retrain.yaml"])
    seen = checkov._as_checkov_sees(template)
    assert [(suffix, name) for suffix, name, _ in seen] == [
        ("-datacheck", "fraud-scorer-retrain/datacheck"), ("-train", "fraud-scorer-retrain/train"),
        ("-evaluate", "fraud-scorer-retrain/evaluate")]
    train = next(job for _, name, job in seen if name.endswith("/train"))
    pod = train["spec"]["template"]["spec"]
    step = next(t for t in template["spec"]["templates"] if t["name"] == "train")
    assert train["kind"] == "Job" and pod["containers"] == [step["container"]]
    assert pod["initContainers"] == step["initContainers"] and pod["nodeSelector"] == step["nodeSelector"]
    assert pod["securityContext"] == template["spec"]["securityContext"]
    assert pod["automountServiceAccountToken"] is False and pod["serviceAccountName"] == "fraud-scorer-train"
