"""`mlops compile FILE [--env ENV] [--out DIR] [--infra-outputs [ENV=]FILE]`: write DIR/<env>/{manifests,infra,
workloads}/.

`--infra-outputs` fills the values only the infra stack knows after `pulumi up` (`$(infra.NAME)`) into the
manifests, from `pulumi stack output --json` of that environment's infra stack, so that `kubectl apply -k` and
Argo CD apply them as written. It is per environment (one infra stack each, so one outputs file each): `ENV=FILE`,
repeatable; a bare FILE only when exactly one environment is compiled, where it cannot be ambiguous.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from mlops.diagnostics import reporters as report
from mlops.emit.argocd import Source
from mlops.errors import UsageError
from mlops.targets.base import deferred

SPEC_ERROR = "nothing written: {errors} error(s)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="the mlops.yaml to compile")
    parser.add_argument("--env", action="append", metavar="ENV",
                        help="environment to compile (repeatable; default: all)")
    parser.add_argument("--out", default="build", metavar="DIR", help="output folder (default: build)")
    parser.add_argument("--manifests-only", action="store_true",
                        help="write only manifests/ (skips the Pulumi projects and the mocks preview)")
    parser.add_argument("--infra-outputs", action="append", metavar="[ENV=]FILE",
                        help="fill the manifests' infra values from FILE, the `pulumi stack output --json` of ENV's "
                             "infra stack (repeatable; a bare FILE when one environment is compiled)")
    parser.add_argument("--argocd", metavar="REPO_URL",
                        help="also write <env>/argocd/application.yaml: an Argo CD Application syncing <env>/manifests "
                             "from this git repository (run from its root, with a relative --out; needs "
                             "--infra-outputs for every environment)")
    parser.add_argument("--argocd-revision", default="HEAD", metavar="REV",
                        help="the branch, tag or commit the Applications track (default: HEAD, the default branch)")
    parser.add_argument("--format", choices=sorted(report.REPORTERS), default="text", help="format of diagnostics")


def run(args: argparse.Namespace) -> int:
    from mlops.emit import LAYERS
    from mlops.pipeline import compile_to

    if not args.out:      # `--out "$OUT"` with OUT unset: Path("") would be the current folder
        raise UsageError("--out needs a folder, e.g. --out build")
    layers = ("manifests",) if args.manifests_only else LAYERS
    given = _infra_outputs(args.infra_outputs or [])
    build = compile_to(args.file, Path(args.out), args.env, layers, given, _argo(args))
    if None in given:
        given = {build.environments[0].name: given[None]}
    sys.stdout.write(report.REPORTERS[args.format](build.warnings) if build.warnings else "")
    for env in build.environments:
        count = sum(1 for p in build.files if p.startswith(f"{env.name}/"))
        print(f"{env.name}: {env.target.name} ({env.target.provider}), {count} files -> "
              f"{Path(args.out) / env.name}")
        for pool in env.node_pools:
            if pool.instance_type:
                accel = f", {pool.accelerator_count}x {pool.instance_accelerator}" if pool.instance_accelerator else ""
                print(f"  node pool {pool.name}: {pool.instance_type} ({pool.cpu}+ vCPU, {pool.memory}+{accel}, "
                      f"{'spot' if pool.spot else 'on-demand'}, {pool.min}..{pool.max} nodes)")
        deferred = _deferred(build.files, env.name)
        if deferred:
            print(f"  filled at apply time from the infra stack outputs: {', '.join(deferred)} (by mlops apply; "
                  f"for kubectl apply -k or Argo CD, compile with --infra-outputs {env.name}=FILE)")
        elif env.name in given:
            print(f"  infra stack outputs filled in from {given[env.name]}")
    return 0


def _argo(args: argparse.Namespace) -> Source | None:
    """The Applications' source: `--argocd`, `--argocd-revision`, and `--out` as the path inside the repository."""
    if args.argocd is None:
        return None
    out = PurePosixPath(Path(args.out).as_posix())
    if out.is_absolute() or ".." in out.parts or not args.argocd.strip():
        raise UsageError("--argocd needs a repository URL and a relative --out without '..' (the path Argo CD "
                         "reads, from the repository's root: run mlops compile there)")
    return Source(repo_url=args.argocd, revision=args.argocd_revision, out=str(out))


def _infra_outputs(values: list[str]) -> dict[str | None, str]:
    """`--infra-outputs` values as {ENV: FILE} (None: a bare FILE). A value with '=' is ENV=FILE (an environment
    name never has one), so a path containing '=' is given as ENV=path."""
    out: dict[str | None, str] = {}
    for value in values:
        env, sep, path = value.partition("=")
        key, file = (env, path) if sep else (None, value)
        if not file or (sep and not env):
            raise UsageError(f"--infra-outputs {value!r}: expected FILE or ENV=FILE")
        if key in out:
            raise UsageError("--infra-outputs given twice for " + (f"environment '{key}'" if key else "a bare FILE"))
        out[key] = file
    if None in out and len(out) > 1:
        raise UsageError("--infra-outputs: a bare FILE cannot be mixed with ENV=FILE")
    return out


def _deferred(files: Mapping[str, bytes], env: str) -> list[str]:
    """Infra stack outputs the manifests refer to as `$(infra.NAME)`: known only once the infra stack has run."""
    found: set[str] = set()
    for path, content in files.items():
        if path.startswith(f"{env}/manifests/"):
            found.update(deferred.names_in(content.decode("utf-8")))
    return sorted(found)
