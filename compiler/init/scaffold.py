"""`mlops init`: a starter `mlops.yaml` and its JSON Schema, the plan and apply workflows, a pre-commit hook and
the `.gitignore` lines for `build/`, written into a repo.

Every file is built as data and dumped as YAML; the only text written verbatim is constant comment headers.
An existing `mlops.yaml` is kept and the workflows are written for its environments (it must be valid); other
existing files are refused, all of them at once and before anything is written, unless `force`. `.gitignore` is
the exception: an existing one gets the lines appended when it lacks them (it is the user's, never replaced).
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
from mlops.init.install import Install
from mlops.init.propose import PROPOSE_PATH, propose_workflow
from mlops.init.propose import header as propose_header
from mlops.init.workflows import (
    APPLY_HEADER,
    APPLY_PATH,
    DRIFT_HEADER,
    DRIFT_PATH,
    PLAN_HEADER,
    PLAN_PATH,
    apply_workflow,
    drift_workflow,
    plan_workflow,
    verify,
)
from mlops.pipeline import environments
from mlops.spec.load import load, parse
from mlops.spec.schema import schema_text

SPEC = "mlops.yaml"
SCHEMA = "mlops.schema.json"        # what the spec's `yaml-language-server` line names
PLAN = PLAN_PATH
APPLY = APPLY_PATH
PRE_COMMIT = ".pre-commit-config.yaml"
GITIGNORE = ".gitignore"

# `mlops compile` output is regenerated from mlops.yaml; the Pulumi stack settings in it are not only ours: Pulumi
# writes the stack's encryption salt, secrets provider and `pulumi config set --secret` values there, and a
# recompile keeps them (mlops.emit.stackconfig). So they stay in git, for the apply workflow's fresh checkout.
GITIGNORE_LINES = ("/build/**", "!/build/**/", "!/build/*/infra/Pulumi.*.yaml", "!/build/*/workloads/Pulumi.*.yaml")
GITIGNORE_TEXT = ("# Written by `mlops init`: compile output is regenerated from mlops.yaml, except the Pulumi stack\n"
                  "# settings (encryption salt, secrets), which a recompile keeps and the apply workflow needs.\n"
                  + "".join(f"{line}\n" for line in GITIGNORE_LINES))

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
    """Safe YAML, with multi-line strings (the workflows' scripts) written as literal blocks, and never an anchor
    or alias: a value used twice is written twice (actionlint before 1.7.10 rejects aliased steps)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _string(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_Dumper.add_representer(str, _string)


def dump(data: Any, header: str = "") -> bytes:
    text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, default_flow_style=False, allow_unicode=True, width=120)
    return (header + text).encode()


def workflows(envs: Any, install: Install) -> dict[str, bytes]:
    """The workflow files for `envs`, each checked to install nothing but `install`."""
    built = {PLAN: (plan_workflow(SPEC, install, envs), PLAN_HEADER),
             APPLY: (apply_workflow(envs, SPEC, install), APPLY_HEADER),
             DRIFT_PATH: (drift_workflow(envs, SPEC, install), DRIFT_HEADER)}
    proposing = propose_workflow(envs, SPEC, install)      # only when some model trains
    if proposing is not None:
        built[PROPOSE_PATH] = (proposing, propose_header(envs))
    for workflow, _ in built.values():
        verify(workflow, install)
    return {path: dump(workflow, header) for path, (workflow, header) in built.items()}


def files(folder: Path, install: Install) -> tuple[dict[str, bytes], bool]:
    """Every file init writes (but .gitignore), and whether `mlops.yaml` is new. Raises SpecError for an invalid
    existing spec."""
    spec_path = folder / SPEC
    existing = spec_path.exists()
    out: dict[str, bytes] = {}
    if existing:
        source = load(str(spec_path))
    else:
        out[SPEC] = dump(starter(platform_name(folder)), SPEC_HEADER)
        source = parse(out[SPEC].decode(), SPEC)
    envs, _ = environments(source)
    out[SCHEMA] = schema_text("mlops.schema.json").encode()
    out.update(workflows(envs, install))
    out[PRE_COMMIT] = dump({"repos": [{"repo": "local", "hooks": [HOOK]}]}, PRE_COMMIT_HEADER)
    return out, not existing


def gitignore(current: str | None) -> str | None:
    """The .gitignore with mlops's lines (None: it has them already)."""
    if current is None:
        return GITIGNORE_TEXT
    present = {line.strip() for line in current.splitlines()}
    if all(line in present for line in GITIGNORE_LINES):
        return None
    return current + ("" if not current or current.endswith("\n") else "\n") + "\n" + GITIGNORE_TEXT


def _replace(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.mlops-tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def init(folder: Path, install: Install, force: bool = False) -> list[Written]:
    """Write the files into `folder`. Raises ExistingFiles (nothing written), SpecError."""
    content, new_spec = files(folder, install)
    clashes = [p for p in content if (folder / p).exists()]
    if clashes and not force:
        raise ExistingFiles(clashes)
    ignore_path = folder / GITIGNORE
    ignored = gitignore(ignore_path.read_text(encoding="utf-8") if ignore_path.exists() else None)
    done = [] if new_spec else [Written(SPEC, "kept")]
    for relative, data in content.items():
        action = "overwritten" if (folder / relative).exists() else "written"
        _replace(folder / relative, data)
        done.append(Written(relative, action))
    if ignored is not None:
        action = "updated" if ignore_path.exists() else "written"
        _replace(ignore_path, ignored.encode())
        done.append(Written(GITIGNORE, action))
    return done
