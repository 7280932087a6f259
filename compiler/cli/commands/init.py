"""`mlops init [DIR]`: a starter mlops.yaml (kept if there is one), the plan and apply GitHub workflows for its
environments, and a pre-commit hook running `mlops validate`. Existing files are refused unless --force."""

from __future__ import annotations

import argparse
from pathlib import Path

from mlops.errors import UsageError

SPEC_ERROR = ("nothing written: the existing mlops.yaml is invalid ({errors} error(s)); the workflows follow its "
              "environments")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dir", nargs="?", default=".", metavar="DIR", help="the repository's folder (default: .)")
    parser.add_argument("--force", action="store_true", help="overwrite workflow and pre-commit files that exist")
    parser.add_argument("--package", metavar="SPEC",
                        help="what the workflows pip-install: mlops-compiler==VERSION (default: this version) or "
                             "git+https://HOST/REPO@COMMIT (a fork, pinned to a commit); nothing else is accepted")


def run(args: argparse.Namespace) -> int:
    from mlops.init.install import parse
    from mlops.init.scaffold import init

    install = parse(args.package)                 # refused before anything is read or written
    folder = Path(args.dir)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{args.dir} exists and is not a folder")
    folder.mkdir(parents=True, exist_ok=True)
    written = init(folder, install, args.force)
    for item in written:
        print(f"{item.action}: {item.path}")
    return 0
