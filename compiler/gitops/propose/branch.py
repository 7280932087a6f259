"""The proposal's branch, built with git plumbing: one commit on the base branch holding the edited spec, pushed to
`mlops/propose/<env>/<model>`. The working tree, the index and the checked-out branch are never touched (a
temporary index file builds the tree), so propose runs in any checkout, dirty or not.

The branch is mlops's: each proposal is rebuilt on the current base and force-pushed with a lease (a push that
would overwrite a commit pushed since it was read fails instead). When the branch already holds the same tree on
the same base, nothing is pushed: a second run with the same candidate changes nothing.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from mlops.diagnostics import shown
from mlops.gitops.gitrev import TIMEOUT, GitError, git_environment

# Who commits when the checkout names nobody (`git config user.email` unset): the identity of the Actions bot, so
# the commit is attributed to it (https://github.com/orgs/community/discussions/26560).
BOT_NAME, BOT_EMAIL = "github-actions[bot]", "41898282+github-actions[bot]@users.noreply.github.com"


@dataclass(frozen=True)
class Pushed:
    branch: str
    commit: str
    changed: bool              # False: the branch already held this proposal; nothing was pushed


def git(folder: Path, *args: str, extra: Mapping[str, str] | None = None, data: bytes | None = None) -> str:
    """git's stdout, stripped; GitError with its first line of stderr when it fails."""
    env = {**git_environment(), **(extra or {})}
    try:
        result = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, timeout=TIMEOUT, check=False,
                                env=env, input=data if data is not None else b"")
    except FileNotFoundError:
        raise GitError("git is not installed (propose commits the edited spec to a branch)") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"git {args[0]} did not answer in {TIMEOUT} s in {folder}") from None
    if result.returncode != 0:
        lines = result.stderr.decode("utf-8", "replace").strip().splitlines()
        why = shown(lines[0].removeprefix("fatal: ").removeprefix("error: "), 200) if lines else ""
        raise GitError(f"git {args[0]} failed: {why or f'exit code {result.returncode}'}")
    return result.stdout.decode("utf-8", "replace").strip()


def base_commit(folder: Path, remote: str, base: str) -> tuple[str, str]:
    """The base branch (its ref, its commit): the remote's copy (what the pull request merges into), else a local
    branch of that name."""
    for ref in (f"{remote}/{base}", base):
        full = f"refs/remotes/{ref}" if ref != base else f"refs/heads/{base}"
        try:
            return ref, git(folder, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{full}^{{commit}}")
        except GitError:
            continue
    raise GitError(f"no branch {shown(base)} here nor at {shown(remote)}/{shown(base)} (fetch it first: git fetch "
                   f"{shown(remote)} {shown(base)})")


def _identity(folder: Path) -> dict[str, str]:
    try:
        if git(folder, "config", "user.email"):
            return {}
    except GitError:           # unset: git config exits 1
        pass
    return {"GIT_AUTHOR_NAME": BOT_NAME, "GIT_AUTHOR_EMAIL": BOT_EMAIL,
            "GIT_COMMITTER_NAME": BOT_NAME, "GIT_COMMITTER_EMAIL": BOT_EMAIL}


def commit(folder: Path, base: str, inside: str, text: str, message: str) -> tuple[str, str]:
    """A commit on `base` whose tree is base's with `inside` (a path in the repository) holding `text`: (commit,
    tree)."""
    blob = git(folder, "hash-object", "-w", "--stdin", data=text.encode("utf-8"))
    listed = git(folder, "ls-tree", base, "--", inside)
    mode = listed.split(" ", 1)[0] if listed else "100644"
    with tempfile.TemporaryDirectory(prefix="mlops-propose-") as scratch:
        index = {"GIT_INDEX_FILE": os.path.join(scratch, "index")}
        git(folder, "read-tree", base, extra=index)
        git(folder, "update-index", "--add", "--cacheinfo", f"{mode},{blob},{inside}", extra=index)
        tree = git(folder, "write-tree", extra=index)
    made = git(folder, "commit-tree", tree, "-p", base, "-F", "-", extra=_identity(folder),
               data=message.encode("utf-8"))
    return made, tree


def remote_head(folder: Path, remote: str, branch: str) -> str | None:
    """The branch's commit at the remote (fetched, so it can be compared), or None when it does not exist."""
    listed = git(folder, "ls-remote", "--heads", remote, f"refs/heads/{branch}")
    if not listed:
        return None
    sha = listed.split()[0]
    git(folder, "fetch", "--quiet", "--no-tags", remote, f"refs/heads/{branch}")
    return sha


def push(folder: Path, remote: str, branch: str, base: str, made: str, tree: str) -> Pushed:
    head = remote_head(folder, remote, branch)
    if head is not None and git(folder, "rev-parse", f"{head}^{{tree}}") == tree and \
            git(folder, "rev-parse", f"{head}^@") == base:
        return Pushed(branch, head, False)
    lease = f"--force-with-lease=refs/heads/{branch}:{head or ''}"
    git(folder, "push", "--quiet", "--no-verify", lease, remote, f"{made}:refs/heads/{branch}")
    return Pushed(branch, made, True)
