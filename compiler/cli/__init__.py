"""The `mlops` command: parses arguments, runs one command module, maps outcomes to exit codes.

Exit codes (`mlops.errors`): 0 success, 1 the spec is invalid (or the command's own failure), 2 usage error or
unreadable file, 3 internal error, 4 `apply`'s rollout paused for a person; `plan --detailed-exitcode` uses 2 for
"changes" (and 1 for every error). Commands raise `MlopsError`s; this module alone prints them and picks the exit
code, and alone calls sys.exit. Command modules are imported on demand, so `mlops validate` never pays for (or
imports) the cloud SDKs that `compile` needs.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import os
import sys
import traceback
from collections.abc import Iterator, Sequence
from types import ModuleType

from mlops.diagnostics import reporters, safe
from mlops.errors import EXIT_FAILURE, EXIT_INTERNAL, EXIT_USAGE, MlopsError, SpecError

COMMANDS: dict[str, tuple[str, str]] = {
    "validate": ("mlops.cli.commands.validate", "check mlops.yaml files against the schema and semantic rules"),
    "compile": ("mlops.cli.commands.compile", "write manifests and Pulumi projects for each environment"),
    "cost": ("mlops.cli.commands.cost", "monthly cost per environment and node pool, or compared across providers"),
    "schema": ("mlops.cli.commands.schema", "print the mlops.yaml JSON Schema"),
    "plan": ("mlops.cli.commands.plan", "what applying the spec changes, per environment, against a git revision"),
    "apply": ("mlops.cli.commands.apply", "pulumi up one environment's infra and workloads, then follow its rollout"),
    "report": ("mlops.cli.commands.report", "the platform's inventory per environment, with each model's status from "
                                            "Prometheus when one answers"),
    "drift": ("mlops.cli.commands.drift", "pulumi refresh --preview-only of one environment's stacks: what changed "
                                          "outside mlops"),
    "init": ("mlops.cli.commands.init",
             "write a starter mlops.yaml, the plan, apply and drift workflows and a pre-commit hook"),
}


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="mlops", description="Declarative GitOps compiler for ML platforms.")
    root.add_argument("--version", action=_Version, nargs=0, help="show the version and exit")
    sub = root.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (module, help_text) in COMMANDS.items():
        command = sub.add_parser(name, help=help_text, description=help_text[0].upper() + help_text[1:] + ".")
        command.set_defaults(module=module)
        importlib.import_module(module).add_arguments(command)
    return root


# The commands build large acyclic trees (source maps, the IR, tens of thousands of manifest dicts) that the
# cyclic collector would only rescan, again and again: a tenth of a 5,000-model compile. They run with it off;
# Pulumi's runtime, the one part that leaves garbage cycles, collects while it runs (mlops.emit.preview).
# `apply` (as long as a rollout takes) and `drift` run client libraries that do make cycles: they keep the collector.
_KEEPS_COLLECTOR = frozenset({"apply", "drift"})


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command in _KEEPS_COLLECTOR:
        return _run(args)
    with _collector_off():
        return _run(args)


@contextlib.contextmanager
def _collector_off() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _run(args: argparse.Namespace) -> int:
    module = importlib.import_module(args.module)
    try:
        return int(module.run(args))
    except MlopsError as exc:
        return _report(module, args, exc)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # never a traceback for users; MLOPS_DEBUG=1 shows it
        if os.environ.get("MLOPS_DEBUG"):
            traceback.print_exc()
        print(f"mlops: internal error: {type(exc).__name__}: {safe(str(exc))} (set MLOPS_DEBUG=1 for details; "
              f"please report it)", file=sys.stderr)
        return EXIT_INTERNAL


def _report(module: ModuleType, args: argparse.Namespace, exc: MlopsError) -> int:
    """Print `exc` the one way errors are printed, and say its exit code.

    An invalid spec's diagnostics go to stdout in the command's format (json when it prints JSON, else text, plus
    GitHub annotations under Actions), then the command's `SPEC_ERROR` sentence to stderr; every other error
    prints its diagnostics (if any) and its lines to stderr."""
    if isinstance(exc, SpecError):
        fmt = "json" if getattr(args, "format", "text") == "json" else "text"
        sys.stdout.write(reporters.REPORTERS[fmt](exc.diagnostics))
        if os.environ.get("GITHUB_ACTIONS") == "true" and fmt == "text":
            sys.stdout.write(reporters.github(exc.diagnostics))
        summary = getattr(module, "SPEC_ERROR", "{file} is invalid: {errors} error(s)")
        print(f"mlops: {summary.format(file=safe(getattr(args, 'file', '')), errors=exc.errors)}", file=sys.stderr)
    else:
        sys.stderr.write(reporters.text(exc.diagnostics))
        for line in exc.lines():
            print(f"mlops: {safe(line)}", file=sys.stderr)
    if exc.exit_code == EXIT_USAGE and getattr(args, "detailed_exitcode", False):
        return EXIT_FAILURE    # with --detailed-exitcode, 2 means "changes" only
    return exc.exit_code


class _Version(argparse.Action):
    """Looks the version up only when asked: importlib.metadata costs a noticeable part of `mlops validate`."""

    def __call__(self, parser: argparse.ArgumentParser, *args: object, **kwargs: object) -> None:
        from importlib.metadata import PackageNotFoundError, version

        from mlops import DISTRIBUTION

        try:
            parser.exit(message=f"mlops {version(DISTRIBUTION)}\n")
        except PackageNotFoundError:
            parser.exit(message="mlops (not installed)\n")


def entry() -> None:
    sys.exit(main())
