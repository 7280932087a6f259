"""The pipeline, stage by stage: load -> validate -> normalize -> emit -> write."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from mlops import ir, targets
from mlops.diagnostics import Diagnostic, did_you_mean, shown
from mlops.emit import LAYERS, argocd, emit, fill, stackconfig
from mlops.emit.k8s.patches import PatchRefused
from mlops.errors import SpecError, UsageError
from mlops.spec.load import Source, load, read_text
from mlops.spec.normalize import environment_names, normalize
from mlops.spec.overlay import EnvSource
from mlops.spec.validate import check
from mlops.write import write


@dataclass(frozen=True)
class Build:
    environments: tuple[ir.Environment, ...]
    files: Mapping[str, bytes]            # path relative to the output folder -> content
    warnings: tuple[Diagnostic, ...]


class UnknownEnvironment(UsageError):
    """`--env` names an environment the spec does not have; the message lists or suggests the valid ones."""

    def __init__(self, env: str, names: Sequence[str]):
        hint = did_you_mean(env, names) or ": expected one of " + ", ".join(names)
        super().__init__(f"unknown environment '{shown(env)}'{hint}")


def check_environments(asked: Sequence[str] | None, names: Sequence[str]) -> None:
    """Every `--env` asked for is one of `names`; UnknownEnvironment otherwise."""
    for env in asked or ():
        if env not in names:
            raise UnknownEnvironment(env, names)


def environments(source: Source, envs: Sequence[str] | None = None) -> tuple[tuple[ir.Environment, ...],
                                                                             tuple[Diagnostic, ...]]:
    """The IR of `envs` (all when None) and the warnings. Raises SpecError if invalid, UnknownEnvironment."""
    diagnostics = check(source)
    if any(d.severity == "error" for d in diagnostics):
        raise SpecError(diagnostics)
    names = environment_names(source)
    check_environments(envs, names)
    return tuple(normalize(source, env) for env in (envs or names)), tuple(diagnostics)


def diagnose(source: Source) -> list[Diagnostic]:
    """What `mlops validate` reports: the spec's diagnostics, then, for a spec without errors that has patches,
    what only emitting finds (a patch on an object or a path that does not exist), located like the rest. A spec
    without patches is not emitted: validate stays as light as it was (no digest, no k8s builders loaded)."""
    diagnostics = check(source)
    if any(d.severity == "error" for d in diagnostics) or not _has_patches(source.data):
        return diagnostics
    for env in environment_names(source):
        try:
            _emit(source, normalize(source, env), ("manifests",))
        except SpecError as exc:
            diagnostics += exc.diagnostics
    return sorted(set(diagnostics))


def _has_patches(doc: Any) -> bool:
    """Some model, in the document or in an environment's overrides, has `patches`."""
    docs = [doc] + [env.get("overrides") for env in doc.get("environments", {}).values() if isinstance(env, dict)]
    return any("patches" in model for d in docs if isinstance(d, dict) and isinstance(d.get("models"), dict)
               for model in d["models"].values() if isinstance(model, dict))


def _emit(source: Source, environment: ir.Environment, layers: tuple[str, ...]) -> dict[str, bytes]:
    """The environment's files; SpecError, located in `source`, if one of its patches cannot apply."""
    try:
        return emit(environment, layers)
    except PatchRefused as exc:
        at = EnvSource(source, environment.name)
        raise SpecError([at.error(where, message) for where, message in exc.problems]) from None


# The layers to emit: the same for every environment, or chosen per environment (`mlops plan` leaves out the infra
# layer of a target whose Pulumi SDK is not installed).
Layers = tuple[str, ...] | Callable[[ir.Environment], tuple[str, ...]]


def compile_spec(path: str, envs: Sequence[str] | None = None, layers: Layers = LAYERS) -> Build:
    """Compile `path` for `envs` (all when None). Raises SpecError for an invalid spec, Unreadable if unreadable."""
    return compile_source(load(path), envs, layers)


def compile_source(source: Source, envs: Sequence[str] | None = None, layers: Layers = LAYERS) -> Build:
    """Compile a loaded spec (a file, or a git revision of one) in memory. Raises SpecError, UnknownEnvironment,
    SdkMissing (the infra layer of a target whose extra is not installed: every such environment at once)."""
    chosen, diagnostics = environments(source, envs)
    chosen_layers = {e.name: layers(e) if callable(layers) else layers for e in chosen}
    targets.require_sdk([e for e in chosen if "infra" in chosen_layers[e.name]],
                        "compile the infra layer (compile --manifests-only needs no SDK)")
    files: dict[str, bytes] = {}
    for environment in chosen:
        emitted = _emit(source, environment, chosen_layers[environment.name])
        files.update({f"{environment.name}/{p}": c for p, c in emitted.items()})
    return Build(chosen, files, diagnostics)


STACK_LAYERS = ("infra", "workloads")     # the Pulumi projects, each with a Pulumi.<env>.yaml
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def keep_stack_settings(out: Path, build: Build) -> Build:
    """`build` with each Pulumi.<env>.yaml merged into the one in `out` (mlops.emit.stackconfig): what Pulumi and
    the user keep there (encryption salt, secrets, their config) survives the compile. Read before anything is
    written, so the write stays all or nothing. Raises StackSettingsUnreadable."""
    files = dict(build.files)
    owned = targets.config_keys()
    for env in build.environments:
        for layer in STACK_LAYERS:
            relative = f"{env.name}/{layer}/Pulumi.{env.name}.yaml"
            there = out / relative
            if relative not in files or not (there.exists() or there.is_symlink()):
                continue
            if there.is_symlink() or not there.is_file():
                raise stackconfig.StackSettingsUnreadable(f"nothing written: {there} is not a regular file")
            try:
                previous = there.read_bytes()
            except OSError as exc:
                raise stackconfig.StackSettingsUnreadable(f"nothing written: cannot read {there}: "
                                                          f"{exc.strerror or exc}") from None
            files[relative] = stackconfig.merge(previous, yaml.load(files[relative], Loader=_Loader), owned, str(there))
    return dataclasses.replace(build, files=files)


def read_infra_outputs(path: str) -> dict[str, Any]:
    """The stack outputs in `path` (`pulumi stack output --json`: an object of output name -> value). Unreadable
    (UsageError) if it cannot be read, SpecError located in it if it is not JSON or not an object."""
    text = read_text(path)
    try:
        outputs = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SpecError([Diagnostic(path, exc.lineno, exc.colno, f"not JSON: {exc.msg}")]) from None
    if not isinstance(outputs, dict):
        raise SpecError([Diagnostic(path, 1, 1, f"expected the JSON object `pulumi stack output --json` prints "
                                                f"(output name -> value), got {type(outputs).__name__}")])
    return outputs


def filled(build: Build, infra_outputs: Mapping[str | None, tuple[str, Mapping[str, Any]]]) -> Build:
    """`build` with the manifests of each environment in `infra_outputs` (env -> (file, its infra stack's
    outputs); None: the one environment compiled) filled (mlops.emit.fill): what `kubectl apply -k` and Argo CD
    can apply as written. UsageError for an environment not compiled, or None with several compiled."""
    names = [e.name for e in build.environments]
    if None in infra_outputs and len(names) != 1:
        raise UsageError(f"--infra-outputs FILE without ENV= needs exactly one environment, and this compiles "
                         f"{len(names)} ({', '.join(names)}): add --env ENV, or write --infra-outputs ENV=FILE")
    chosen = {env or names[0]: given for env, given in infra_outputs.items()}
    for env in sorted(chosen):
        if env not in names:
            raise UsageError(f"--infra-outputs names environment '{shown(env)}', which is not compiled"
                             f"{did_you_mean(env, names) or ' (compiling: ' + ', '.join(names) + ')'}")
    files = dict(build.files)
    for env in sorted(chosen):
        files = fill.fill(files, env, chosen[env][1], chosen[env][0])
    return dataclasses.replace(build, files=files)


def with_applications(build: Build, source: argocd.Source) -> Build:
    """`build` plus each environment's Argo CD Application (mlops.emit.argocd), built from its manifests."""
    files = dict(build.files)
    for env in build.environments:
        prefix = f"{env.name}/manifests/"
        objects = [yaml.load(c, Loader=_Loader) for p, c in sorted(build.files.items())
                   if p.startswith(prefix) and p != prefix + "kustomization.yaml"]
        files.update({f"{env.name}/{p}": c for p, c in argocd.emit(env, objects, source).items()})
    return dataclasses.replace(build, files=files)


def compile_to(path: str, out: Path, envs: Sequence[str] | None = None, layers: Layers = LAYERS,
               infra_outputs: Mapping[str | None, str] | None = None, argo: argocd.Source | None = None) -> Build:
    """Compile, then swap the result into `out`; nothing in `out` changes unless everything compiled (and every
    deferred value of the environments in `infra_outputs` was filled). With `argo`, each environment also gets
    its Argo CD Application, which needs that environment's infra outputs (its destination cluster). The stack
    settings already in `out` are merged into, not rewritten."""
    # read before compiling: an unreadable or malformed outputs file fails fast
    outputs = {env: (file, read_infra_outputs(file)) for env, file in (infra_outputs or {}).items()}
    build = compile_spec(path, envs, layers)
    if argo is not None:
        given = {e.name for e in build.environments} if None in outputs else set(outputs)
        lacking = [e.name for e in build.environments if e.name not in given]
        if lacking:
            raise UsageError(f"--argocd needs --infra-outputs for every environment compiled (the Application's "
                             f"destination is the cluster its infra stack exports as clusterName): none for "
                             f"{', '.join(lacking)}")
        build = with_applications(build, argo)
    build = filled(build, outputs)
    build = keep_stack_settings(out, build)
    write(out, [e.name for e in build.environments], build.files, protected=[Path(path).parent])
    return build
