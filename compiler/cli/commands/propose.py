"""`mlops propose FILE --candidates DIR`: a pull request for each model whose newest retraining candidate passed its
gate, bumping `environments.<env>.overrides.models.<model>.artifact` (mlops.gitops.propose).

Exit codes: 0 every model proposed, unchanged or with nothing to propose; 1 a proposal failed (git, the GitHub
API, an edit that does not validate, an environment with `promotion`), or --model was given and has no passing
candidate; 2 usage (no token, no repository, an unreadable --candidates folder, an unknown --env or --model).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

from mlops.diagnostics import safe, shown
from mlops.errors import Failure, UsageError

SPEC_ERROR = "cannot propose: {errors} error(s) in {file}"
_REPO = re.compile(r"^[A-Za-z0-9_.-]{1,100}/[A-Za-z0-9_.-]{1,100}$")
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="the mlops.yaml (in a git checkout) whose artifacts to bump")
    parser.add_argument("--candidates", metavar="DIR",
                        help="the retraining outputs, one folder per model: DIR/<model>/<run>/report.json")
    parser.add_argument("--env", metavar="ENV", help="only models that train in ENV (default: every one)")
    parser.add_argument("--model", metavar="M", help="only model M")
    parser.add_argument("--repo", metavar="OWNER/NAME", help="the GitHub repository (default: $GITHUB_REPOSITORY)")
    parser.add_argument("--base", default="main", metavar="BRANCH", help="the branch to propose to (default: main)")
    parser.add_argument("--remote", default="origin", metavar="NAME",
                        help="the git remote to push to (default: origin)")
    parser.add_argument("--list-outputs", action="store_true",
                        help="print MODEL<TAB>training.output of each model it would propose for, and exit (what the "
                             "scheduled workflow copies into DIR/<model>/ first)")
    parser.add_argument("--dry-run", action="store_true",
                        help="print each edit and what would be proposed; push nothing, call no API")


def _candidates(text: str) -> Path:
    if _URI.match(text) and not text.startswith("file://"):
        raise UsageError(f"--candidates {shown(text, 120)}: read a local copy of the outputs (e.g. the scheduled "
                         f"workflow's sync step); object storage is not read directly yet")
    folder = Path(text.removeprefix("file://"))
    if not folder.is_dir():
        raise UsageError(f"--candidates {shown(text, 120)} is not a folder")
    return folder


def _repo(args: argparse.Namespace) -> str | None:
    repo = args.repo or os.environ.get("GITHUB_REPOSITORY")
    if repo is None and not args.dry_run:
        raise UsageError("no GitHub repository: pass --repo OWNER/NAME (or set GITHUB_REPOSITORY)")
    if repo is not None and not _REPO.match(repo):
        raise UsageError(f"--repo {shown(repo)} is not OWNER/NAME")
    return repo


def run(args: argparse.Namespace) -> int:
    from mlops.gitops.propose import FAILED, NOTHING, Options, outputs, propose

    if args.list_outputs:
        for model, output in outputs(Options(file=args.file, candidates=Path(), env=args.env, model=args.model)):
            print(f"{safe(model)}\t{safe(output)}")
        return 0
    if args.candidates is None:
        raise UsageError("--candidates DIR is required (the retraining outputs: DIR/<model>/<run>/report.json)")
    if args.base.startswith("-") or args.remote.startswith("-"):
        raise UsageError("--base and --remote name a branch and a remote, not options")
    opts = Options(file=args.file, candidates=_candidates(args.candidates), env=args.env, model=args.model,
                   repo=_repo(args), base=args.base, remote=args.remote, dry_run=args.dry_run,
                   token=os.environ.get("GITHUB_TOKEN") or None, api=os.environ.get("GITHUB_API_URL"))
    outcomes = propose(opts)
    for o in outcomes:
        print(safe(f"{o.environment}/{o.model}: {o.action}: {o.message}"))
        for note in o.notes:
            print(safe(f"  not proposed: {note}"))
        if args.dry_run and o.diff:
            sys.stdout.write("".join(safe(line) + "\n" for line in o.diff.splitlines()))
    failed = [o for o in outcomes if o.action == FAILED]
    if failed:
        raise Failure(f"{len(failed)} proposal(s) failed: " + "; ".join(f"{o.model}: {o.message}" for o in failed))
    if args.model and all(o.action == NOTHING for o in outcomes):
        raise Failure(f"nothing to propose for {shown(args.model)}: {outcomes[0].message if outcomes else ''}")
    if not outcomes:
        print("nothing to propose: no model trains" + (f" in {safe(args.env)}" if args.env else ""))
    return 0
