"""The pipeline, stage by stage: load -> validate -> normalize -> emit -> write."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from mlops import ir
from mlops.diagnostics import Diagnostic, did_you_mean, shown
from mlops.emit import LAYERS, emit
from mlops.emit.k8s.patches import PatchRefused
from mlops.errors import SpecError, UsageError
from mlops.spec.load import Source, load
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
    """What `mlops validate` reports: the spec's diagnostics, then, for a spec without errors, what only emitting
    finds (a patch on an object or a path that does not exist), located like the rest."""
    diagnostics = check(source)
    if any(d.severity == "error" for d in diagnostics):
        return diagnostics
    for env in environment_names(source):
        try:
            _emit(source, normalize(source, env), ("manifests",))
        except SpecError as exc:
            diagnostics += exc.diagnostics
    return sorted(set(diagnostics))


def _emit(source: Source, environment: ir.Environment, layers: tuple[str, ...]) -> dict[str, bytes]:
    """The environment's files; SpecError, located in `source`, if one of its patches cannot apply."""
    try:
        return emit(environment, layers)
    except PatchRefused as exc:
        at = EnvSource(source, environment.name)
        raise SpecError([at.error(where, message) for where, message in exc.problems]) from None


def compile_spec(path: str, envs: Sequence[str] | None = None, layers: tuple[str, ...] = LAYERS) -> Build:
    """Compile `path` for `envs` (all when None). Raises SpecError for an invalid spec, Unreadable if unreadable."""
    return compile_source(load(path), envs, layers)


def compile_source(source: Source, envs: Sequence[str] | None = None, layers: tuple[str, ...] = LAYERS) -> Build:
    """Compile a loaded spec (a file, or a git revision of one) in memory. Raises SpecError, UnknownEnvironment."""
    chosen, diagnostics = environments(source, envs)
    files: dict[str, bytes] = {}
    for environment in chosen:
        files.update({f"{environment.name}/{p}": c for p, c in _emit(source, environment, layers).items()})
    return Build(chosen, files, diagnostics)


def compile_to(path: str, out: Path, envs: Sequence[str] | None = None, layers: tuple[str, ...] = LAYERS) -> Build:
    """Compile, then swap the result into `out`; nothing in `out` changes unless everything compiled."""
    build = compile_spec(path, envs, layers)
    write(out, [e.name for e in build.environments], build.files, protected=[Path(path).parent])
    return build
