"""`mlops init`: a starter `mlops.yaml`, the plan and apply workflows, and a pre-commit hook, written into a repo.

Every file is built as data and dumped as YAML; the only text written verbatim is constant comment headers.
An existing `mlops.yaml` is kept and the workflows are written for its environments (it must be valid); other
existing files are refused, all of them at once and before anything is written, unless `force`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from importlib.resources import files as files_of
from pathlib import Path
from typing import Any

import yaml

from mlops.errors import Failure
from mlops.init.workflows import APPLY_HEADER, PLAN_HEADER, apply_workflow, plan_workflow
from mlops.pipeline import environments
from mlops.spec.load import load, parse

SPEC = "mlops.yaml"
PLAN = ".github/workflows/mlops-plan.yml"
APPLY = ".github/workflows/mlops-apply.yml"
PRE_COMMIT = ".pre-commit-config.yaml"

# The same hook as the project's own .pre-commit-hooks.yaml, run from the local install (`language: system`);
# repositories that pin the mlops repository itself can use its `mlops-validate` hook instead.
HOOK = {"id": "mlops-validate", "name": "mlops validate", "entry": "mlops validate", "language": "system",
        "files": r"(^|/)mlops\.ya?ml$", "types": ["yaml"]}

SPEC_HEADER = """# yaml-language-server: $schema=mlops.schema.json
# Written by `mlops init`: the smallest useful platform, one scikit-learn model on an existing cluster.
# Editor help: `mlops schema > mlops.schema.json`. Check: `mlops validate mlops.yaml`.
# Preview a change: `mlops plan mlops.yaml --base origin/main`. Deploy: `mlops apply mlops.yaml --env dev`.
"""
PRE_COMMIT_HEADER = "# Written by `mlops init`: `mlops validate` on every commit that touches mlops.yaml.\n"


class ExistingFiles(Failure):
    """Files init would overwrite; nothing was written."""

    def __init__(self, paths: list[str]):
        self.paths = paths
        super().__init__(f"nothing written: {', '.join(paths)} exist{'s' if len(paths) == 1 else ''} "
                         f"(--force overwrites them)")


@dataclass(frozen=True)
class Written:
    path: str                        # relative to the folder
    action: str                      # written | overwritten | kept


NAME_LIMIT = 24                      # metadata.name: a short DNS-1123 label (it prefixes every cloud resource)


def platform_name(folder: Path) -> str:
    """The folder's name as the spec's metadata.name (a DNS-1123 label of at most 24 characters), or `platform`."""
    name = re.sub(r"[^a-z0-9]+", "-", folder.resolve().name.lower())
    name = re.sub(r"^[^a-z]+", "", name)[:NAME_LIMIT].rstrip("-")
    return name or "platform"


def starter(name: str) -> dict[str, Any]:
    """The starter spec (`starter.yaml` beside this module), named `name`."""
    doc: dict[str, Any] = yaml.safe_load(files_of("mlops.init").joinpath("starter.yaml").read_text(encoding="utf-8"))
    doc["metadata"]["name"] = name
    return doc


class _Dumper(yaml.SafeDumper):
    """Safe YAML, with multi-line strings (the workflows' scripts) written as literal blocks."""


def _string(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_Dumper.add_representer(str, _string)


def dump(data: Any, header: str = "") -> bytes:
    text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, default_flow_style=False, allow_unicode=True, width=120)
    return (header + text).encode()


def files(folder: Path, package: str) -> tuple[dict[str, bytes], bool]:
    """Every file init writes, and whether `mlops.yaml` is new. Raises SpecError for an invalid existing spec."""
    spec_path = folder / SPEC
    existing = spec_path.exists()
    out: dict[str, bytes] = {}
    if existing:
        source = load(str(spec_path))
    else:
        out[SPEC] = dump(starter(platform_name(folder)), SPEC_HEADER)
        source = parse(out[SPEC].decode(), SPEC)
    envs, _ = environments(source)
    out[PLAN] = dump(plan_workflow(SPEC, package), PLAN_HEADER)
    out[APPLY] = dump(apply_workflow(envs, SPEC, package), APPLY_HEADER)
    out[PRE_COMMIT] = dump({"repos": [{"repo": "local", "hooks": [HOOK]}]}, PRE_COMMIT_HEADER)
    return out, not existing


def init(folder: Path, package: str, force: bool = False) -> list[Written]:
    """Write the files into `folder`. Raises ExistingFiles (nothing written), SpecError."""
    content, new_spec = files(folder, package)
    clashes = [p for p in content if (folder / p).exists()]
    if clashes and not force:
        raise ExistingFiles(clashes)
    done = [] if new_spec else [Written(SPEC, "kept")]
    for relative, data in content.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        action = "overwritten" if path.exists() else "written"
        temporary = path.with_name(f".{path.name}.mlops-tmp")
        temporary.write_bytes(data)
        os.replace(temporary, path)
        done.append(Written(relative, action))
    return done
