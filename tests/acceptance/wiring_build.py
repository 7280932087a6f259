"""What the wiring contract reads: one compiled environment (its manifests, its `resources.json`, the add-on table)
for every example × environment × provider.

An example's environment is moved to another provider by pointing it at a target of that provider (the original
target when the provider is its own, so its settings stay); a move the spec refuses (a TPU pool on AWS, say) is no
build, and the case is skipped saying why.
"""

from __future__ import annotations

import atexit
import copy
import functools
import hashlib
import json
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mlops import ir
from mlops.errors import SpecError
from mlops.pipeline import compile_spec

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p.parent for p in (ROOT / "examples").glob("*/mlops.yaml"))
PROVIDERS = ("aws", "gcp", "azure", "onprem")
TARGETS: dict[str, dict[str, Any]] = {
    "aws": {"provider": "aws", "region": "eu-west-1"},
    "gcp": {"provider": "gcp", "region": "europe-west4", "project": "wiring-test-123"},
    "azure": {"provider": "azure", "region": "westeurope"},
    "onprem": {"provider": "onprem", "context": "wiring", "registry": "registry.example.com/ml"},
}
# A moved environment reads other clouds' stores through a Secret per scheme (rule stores: a target's own identity
# reads only its own scheme; an existing cluster none), so the move is compiled rather than refused.
NATIVE = {"aws": "s3", "gcp": "gs", "azure": "az", "onprem": None}
Obj = dict[str, Any]


@dataclass
class Build:
    """One environment as compiled: what the rules look at."""

    example: str
    env: ir.Environment
    objects: list[Obj]                            # the manifests
    resources: list[Obj]                          # resources.json's resources
    cluster: list[Obj] = field(default_factory=list)   # resources of the stack installing the cluster's add-ons
    outputs: Obj = field(default_factory=dict)         # resources.json's outputs (the infra stack's exports)

    @property
    def provider(self) -> str:
        return self.env.target.provider

    @property
    def case(self) -> str:
        return f"{self.example}/{self.env.name}/{self.provider}"

    def of_kind(self, *kinds: str) -> list[Obj]:
        return [o for o in self.objects if o["kind"] in kinds]

    def typed(self, prefix: str, cluster: bool = False) -> list[Obj]:
        """resources.json entries whose type starts with `prefix` (of the add-on owner's stack when `cluster`)."""
        return [r for r in (self.cluster if cluster else self.resources) if r["type"].startswith(prefix)]


def cases() -> Iterator[tuple[str, str, str]]:
    for example in EXAMPLES:
        doc = yaml.safe_load((example / "mlops.yaml").read_text(encoding="utf-8"))
        for env in sorted(doc["environments"]):
            for provider in PROVIDERS:
                yield example.name, env, provider


def _moved(example: str, env: str, provider: str) -> str:
    doc = yaml.safe_load((ROOT / "examples" / example / "mlops.yaml").read_text(encoding="utf-8"))
    doc = copy.deepcopy(doc)
    own = doc["targets"][doc["environments"][env]["target"]]
    if own["provider"] != provider:
        doc["targets"][f"wiring-{provider}"] = {
            **TARGETS[provider],
            "storageCredentials": {s: {"secretRef": {"name": f"wiring-{s}-reader"}}
                                   for s in ("s3", "gs", "az") if s != NATIVE[provider]}}
        doc["environments"][env]["target"] = f"wiring-{provider}"
    return yaml.safe_dump(doc, sort_keys=False)


@functools.cache
def scratch() -> Path:
    """One folder for every compiled case of the session, so each is compiled once whichever test asks first."""
    folder = Path(tempfile.mkdtemp(prefix="mlops-wiring-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


@functools.cache
def _compiled(example: str, text: str, envs: tuple[str, ...], scratch: str) -> Any:
    path = Path(scratch) / f"{example}-{hashlib.sha256(text.encode()).hexdigest()[:12]}" / "mlops.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return compile_spec(str(path), envs)


def _load(result: Any, name: str) -> tuple[ir.Environment, list[Obj], list[Obj]]:
    env = next(e for e in result.environments if e.name == name)
    files = {p: c for p, c in result.files.items() if p.startswith(f"{name}/")}
    objects = [yaml.safe_load(c) for p, c in sorted(files.items())
               if p.startswith(f"{name}/manifests/") and not p.endswith("kustomization.yaml")]
    return env, objects, json.loads(files[f"{name}/infra/resources.json"])["resources"]


def outputs(result: Any, name: str) -> Obj:
    """The infra stack's exports of environment `name`, as the mocks give them."""
    found: Obj = json.loads(result.files[f"{name}/infra/resources.json"])["outputs"]
    return found


def build(example: str, env: str, provider: str) -> Build | str:
    """The environment compiled on `provider`, or why the spec refuses the move."""
    text = _moved(example, env, provider)
    try:
        environment, objects, resources = _load(_compiled(example, text, (env,), str(scratch())), env)
    except SpecError as error:
        return "; ".join(d.message for d in error.diagnostics[:2])
    cluster = resources
    if environment.addons_from:
        owner = environment.addons_from
        cluster = _load(_compiled(example, text, (owner,), str(scratch())), owner)[2]
    return Build(example, environment, objects, resources, cluster,
                 outputs(_compiled(example, text, (env,), str(scratch())), env))


@dataclass(frozen=True)
class Violation:
    rule: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"[{self.rule}] {self.where}: {self.message}"


def repository(image: str) -> str:
    """`host/repo:tag` -> `host/repo` (a registry port is not a tag)."""
    head, _, tail = image.rpartition("/")
    return f"{head}/{tail.split('@')[0].split(':')[0]}" if head else image


def pods(b: Build) -> Iterator[tuple[Obj, Obj, dict[str, str]]]:
    """(object, pod spec, pod labels) of every workload."""
    for obj in b.of_kind("Deployment", "Rollout", "CronJob"):
        spec = obj["spec"]
        template = spec["jobTemplate"]["spec"]["template"] if obj["kind"] == "CronJob" else spec["template"]
        yield obj, template["spec"], template["metadata"].get("labels", {})


def name(obj: Obj) -> str:
    return f"{obj['kind']}/{obj['metadata']['name']}"


def matches(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())
