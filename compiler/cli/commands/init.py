"""`mlops init [DIR]`: a starter mlops.yaml (kept if there is one), the plan and apply GitHub workflows for its
environments, and a pre-commit hook running `mlops validate`. Existing files are refused unless --force."""

from __future__ import annotations

import argparse
from pathlib import Path

from mlops.errors import UsageError

SPEC_ERROR = ("nothing written: the existing mlops.yaml is invalid ({errors} error(s)); "
              "the workflows follow its environments")


def _package() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"mlops=={version('mlops')}"
    except PackageNotFoundError:
        return "mlops"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dir", nargs="?", default=".", metavar="DIR", help="the repository's folder (default: .)")
    parser.add_argument("--force", action="store_true", help="overwrite workflow and pre-commit files that exist")
    parser.add_argument("--package", metavar="SPEC",
                        help="what the workflows pip-install (default: this mlops version, e.g. mlops==0.1.0; "
                             "or git+https://... of your fork)")


def run(args: argparse.Namespace) -> int:
    from mlops.init.scaffold import init

    folder = Path(args.dir)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{args.dir} exists and is not a folder")
    folder.mkdir(parents=True, exist_ok=True)
    written = init(folder, args.package or _package(), args.force)
    for item in written:
        print(f"{item.action}: {item.path}")
    return 0
