"""A spec as it was at a git revision: read from the object database, never from (or into) the working tree.

`mlops plan --base REF` and the promotion gate of `mlops apply` compare the working tree's spec with the same
path at REF. Paths are resolved relative to the spec's own folder (`REF:./mlops.yaml`), so the command works
from anywhere inside or outside the repository.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlops.diagnostics import Diagnostic, shown
from mlops.errors import Failure, SpecError, UsageError
from mlops.spec.load import Source, decode, parse

TIMEOUT = 60   # seconds; reading one blob is instant, this only bounds a wedged git


class GitError(Failure):
    """git is missing, the file is outside a repository, or the revision does not exist."""


class BadRevision(UsageError):
    """`--base` names no revision: it is empty, or it looks like an option (git would read it as one)."""


def git_environment(inherited: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment git runs in: the caller's, less every GIT_* variable, so that an inherited GIT_DIR or
    GIT_WORK_TREE (a hook, a CI step, another tool's shell) cannot point plan at another repository; git finds
    the repository holding the spec from the folder it runs in. Pathspecs are literal (a file named `:(glob)x`
    is that file), no prompt waits for a terminal, and messages are in English, as the checks below read them."""
    env = {k: v for k, v in (os.environ if inherited is None else inherited).items() if not k.startswith("GIT_")}
    return {**env, "GIT_LITERAL_PATHSPECS": "1", "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0",
            "LC_ALL": "C"}


@dataclass(frozen=True)
class Revision:
    ref: str              # as the user wrote it, e.g. origin/main
    commit: str           # the full commit id it resolved to
    path: str             # the spec's path inside the repository
    source: Source | None  # None: the spec does not exist at that revision
    text: str | None = None  # the spec's text there
    # Why the spec there is not usable YAML (then `source` is None although it exists): plan and apply treat such a
    # base like an invalid one, so the pull request that fixes it can be planned (it would deadlock otherwise).
    unusable: tuple[Diagnostic, ...] = ()


def _git(folder: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", "-C", str(folder), *args], capture_output=True, timeout=TIMEOUT, check=False,
                              env=git_environment(), stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        raise GitError("git is not installed (plan and the promotion gate read the spec at a git revision)") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"git {args[0]} did not answer in {TIMEOUT} s in {folder}") from None


def _stderr(result: subprocess.CompletedProcess[bytes]) -> str:
    lines = result.stderr.decode("utf-8", "replace").strip().splitlines()
    return shown(lines[0].removeprefix("fatal: "), 200) if lines else f"git exited with {result.returncode}"


def check_revision(ref: Any) -> str:
    """`ref` as a revision git may be given; BadRevision if it is empty or looks like an option."""
    if not isinstance(ref, str) or not ref.strip():
        raise BadRevision("--base needs a git revision, e.g. origin/main")
    if ref.startswith("-"):
        raise BadRevision(f"--base '{shown(ref)}' looks like an option, not a git revision (git would read it as "
                          f"one); for a branch whose name starts with '-', write refs/heads/{shown(ref)}")
    return ref


def _text(result: subprocess.CompletedProcess[bytes]) -> str:
    return result.stdout.decode("utf-8", "replace").strip()


def spec_at(path: str, ref: str) -> Revision:
    """The spec at `path` as of `ref` (`unusable` says why it exists there but is not usable YAML). Raises
    GitError."""
    ref = check_revision(ref)
    file = Path(path).resolve()
    folder = file.parent
    inside = _inside(file, _toplevel(path, folder))
    resolved = _git(folder, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
    if resolved.returncode != 0:
        raise GitError(f"unknown git revision '{shown(ref)}' (for a pull request, fetch the base branch first: "
                       f"git fetch origin main, or actions/checkout with fetch-depth: 0)")
    commit = _text(resolved)
    listed = _git(folder, "ls-tree", "--name-only", "-z", commit, "--", file.name)
    if listed.returncode != 0:
        raise GitError(f"cannot list {inside} at {shown(ref)}: {_stderr(listed)}")
    if file.name.encode() not in listed.stdout.split(b"\0"):
        return Revision(ref, commit, inside, None)
    blob = _git(folder, "cat-file", "blob", f"{commit}:./{file.name}")
    if blob.returncode != 0:
        raise GitError(f"cannot read {inside} at {shown(ref)}: {_stderr(blob)}")
    name = f"{ref}:{inside}"
    try:
        text = decode(blob.stdout, name)
        return Revision(ref, commit, inside, parse(text, name), text)
    except SpecError as exc:
        return Revision(ref, commit, inside, None, None, tuple(exc.diagnostics))


def _toplevel(path: str, folder: Path) -> Path:
    top = _git(folder, "rev-parse", "--show-toplevel")
    if top.returncode == 0:
        return Path(_text(top)).resolve()
    why = _stderr(top)
    if "dubious ownership" in why:
        raise GitError(f"git refuses to read the repository holding {path}: it belongs to another user (dubious "
                       f"ownership); if you trust it: git config --global --add safe.directory {folder}")
    if "not a git repository" in why:
        raise GitError(f"{path} is not inside a git repository: --base needs one")
    raise GitError(f"cannot find the git repository holding {path}: {why}")


def _inside(file: Path, top: Path) -> str:
    try:
        return file.relative_to(top).as_posix()
    except ValueError:     # a symlinked folder git resolved differently
        raise GitError(f"{file} is not inside the git repository at {top}") from None
