"""checkov's Kubernetes checks over the compiled manifests, and the argued allowlist of what it may still flag.

checkov (pinned in tests/support/checkov-requirements.txt) lives in a venv of its own, as KServe's SDK does: its
own pins (boto3, networkx, a dozen more) are not the project's business. `.ci/run` makes it and names the
executable in MLOPS_CHECKOV.

checkov's Kubernetes runner knows the built-in workload kinds only: an Argo `Rollout` (a Deployment's pod template
under another kind) would go unchecked. So each Rollout is written for checkov as a Deployment of the same name and
pod template, and its findings are reported under `Rollout` again (`scan` keeps the file -> kind map). An Argo
`WorkflowTemplate` is written as one Job per container template, whose pod is the one the Workflow controller builds
for that step (a run-to-completion pod, as a Job's is, so checkov's own exemption of Jobs from probes applies):
the workflow's pod-level fields (service account, token mount, securityContext, podMetadata labels) and the
template's containers, volumes, node selector and tolerations (argoproj/argo-workflows@v4.0.6, the pinned chart's
appVersion, workflow/controller/workflowpod.go:116 `createWorkflowPod`: 216-217 restartPolicy and volumes, 907-910
podMetadata, 936-957 nodeSelector and tolerations, 978-981 securityContext, 1338-1345 the token mount); its
findings are reported as `WorkflowTemplate/<name>/<template>`. The executor's own `init` and `wait` containers are
not in the manifests (the chart's executor settings make them), so they are not scanned here.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from mlops.pipeline import compile_spec

ALLOWLIST = Path(__file__).with_name("checkov_allowlist.yaml")
AS_DEPLOYMENT = {"Rollout"}          # kinds checkov does not know whose pod template is a Deployment's
POD_FIELDS = ("nodeSelector", "tolerations", "volumes")           # a step template's own pod-level fields


@dataclass(frozen=True, order=True)
class Finding:
    """One failed check on one object of one example environment."""

    check: str       # CKV_K8S_11
    case: str        # example/environment
    kind: str
    name: str

    def __str__(self) -> str:
        return f"{self.check} {self.case} {self.kind}/{self.name}"


def write_manifests(examples: list[Path], root: Path) -> dict[str, tuple[str, str, str]]:
    """Every example's manifests under `root`/<example>/<env>/, as checkov's kinds; returns file (relative to root)
    -> (case, kind, name) of the object each file stands for."""
    kinds: dict[str, tuple[str, str, str]] = {}
    for example in examples:
        files = compile_spec(str(example / "mlops.yaml"), layers=("manifests",)).files
        for relative, content in files.items():
            if relative.endswith("kustomization.yaml"):
                continue
            obj = yaml.safe_load(content)
            case = f"{example.name}/{relative.split('/')[0]}"
            for suffix, name, scanned in _as_checkov_sees(obj):
                path = root / example.name / f"{relative.removesuffix('.yaml')}{suffix}.yaml"
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(yaml.safe_dump(scanned, sort_keys=True))
                kinds[str(path.relative_to(root))] = (case, obj["kind"], name)
    return kinds


def _as_checkov_sees(obj: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(file suffix, reported name, object) for each object checkov should scan in place of `obj`."""
    name = obj["metadata"]["name"]
    if obj["kind"] in AS_DEPLOYMENT:
        return [("", name, {**obj, "apiVersion": "apps/v1", "kind": "Deployment"})]
    if obj["kind"] != "WorkflowTemplate":
        return [("", name, obj)]
    spec = obj["spec"]
    pod = {k: spec[k] for k in ("serviceAccountName", "automountServiceAccountToken", "securityContext") if k in spec}
    out = []
    for template in spec["templates"]:
        if "container" not in template:
            continue
        pod_spec = {**pod, **{k: template[k] for k in POD_FIELDS if k in template},
                    "containers": [template["container"]], "restartPolicy": "Never",
                    **({"initContainers": template["initContainers"]} if "initContainers" in template else {})}
        labels = spec.get("podMetadata", {}).get("labels", {})
        job = {"apiVersion": "batch/v1", "kind": "Job",
               "metadata": {"name": f"{name}-{template['name']}", "namespace": obj["metadata"]["namespace"]},
               "spec": {"template": {"metadata": {"labels": labels}, "spec": pod_spec}}}
        out.append((f"-{template['name']}", f"{name}/{template['name']}", job))
    return out


def _reports(output: str) -> list[dict[str, Any]]:
    data = json.loads(output)
    return data if isinstance(data, list) else [data]


def scan(checkov: str, examples: list[Path], root: Path) -> tuple[set[Finding], int]:
    """(the failed checks, how many passed) over every example's manifests."""
    kinds = write_manifests(examples, root)
    # --skip-download: no call to Prisma Cloud for guidelines (the run is offline and the same every time)
    run = subprocess.run([checkov, "-d", str(root), "--framework", "kubernetes", "--quiet", "--compact",
                          "--skip-download", "-o", "json"], capture_output=True, text=True, timeout=900, check=False)
    if run.returncode not in (0, 1):            # 1: some check failed; anything else: checkov itself did
        raise RuntimeError(f"checkov exited {run.returncode}: {run.stderr[-2000:]}")
    found: set[Finding] = set()
    passed = 0
    for report in _reports(run.stdout):
        if report.get("check_type") not in (None, "kubernetes"):
            continue
        passed += report.get("summary", {}).get("passed", 0)
        for failed in report.get("results", {}).get("failed_checks", []):
            found.add(Finding(failed["check_id"], *kinds[failed["file_path"].lstrip("/")]))
    return found, passed


def allowlist() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(ALLOWLIST.read_text())
    return loaded


def allowed() -> set[Finding]:
    """Every (check, case, kind, name) the allowlist accepts; an object is in one entry of a check only."""
    out: set[Finding] = set()
    for entry in allowlist()["entries"]:
        for case, objects in entry["objects"].items():
            for obj in objects:
                kind, _, name = obj.partition("/")
                finding = Finding(entry["check"], case, kind, name)
                if finding in out:
                    raise ValueError(f"{finding} is allowed twice")
                out.add(finding)
    return out
