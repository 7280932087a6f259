"""A spec as it was at a git revision: read from the object database, never from (or into) the working tree.

`mlops plan --base REF` and the promotion gate of `mlops apply` compare the working tree's spec with the same
path at REF. Paths are resolved relative to the spec's own folder (`REF:./mlops.yaml`), so the command works
from anywhere inside or outside the repository.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from mlops.errors import Failure
from mlops.spec.load import Source, decode, parse

TIMEOUT = 60   # seconds; reading one blob is instant, this only bounds a wedged git


class GitError(Failure):
    """git is missing, the file is outside a repository, or the revision does not exist."""


@dataclass(frozen=True)
class Revision:
    ref: str              # as the user wrote it, e.g. origin/main
    commit: str           # the full commit id it resolved to
    path: str             # the spec's path inside the repository
    source: Source | None  # None: the spec does not exist at that revision
    text: str | None = None  # the spec's text there


def _git(folder: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", "-C", str(folder), *args], capture_output=True, timeout=TIMEOUT, check=False)
    except FileNotFoundError:
        raise GitError("git is not installed (plan and the promotion gate read the spec at a git revision)") from None


def _text(result: subprocess.CompletedProcess[bytes]) -> str:
    return result.stdout.decode("utf-8", "replace").strip()


def spec_at(path: str, ref: str) -> Revision:
    """The spec at `path` as of `ref`. Raises GitError; SpecError if it exists there but is not usable YAML."""
    file = Path(path).resolve()
    folder = file.parent
    if ref.startswith("-"):
        raise GitError(f"'{ref}' is not a git revision")
    top = _git(folder, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        raise GitError(f"{path} is not inside a git repository: --base needs one")
    resolved = _git(folder, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
    if resolved.returncode != 0:
        raise GitError(f"unknown git revision '{ref}' (for a pull request, fetch the base branch first: "
                       f"git fetch origin main, or actions/checkout with fetch-depth: 0)")
    commit = _text(resolved)
    inside = file.relative_to(Path(_text(top)).resolve()).as_posix()
    listed = _git(folder, "ls-tree", "--name-only", commit, "--", file.name)
    if listed.returncode != 0:
        raise GitError(f"cannot list {inside} at {ref}: {listed.stderr.decode('utf-8', 'replace').strip()}")
    if not _text(listed):
        return Revision(ref, commit, inside, None)
    blob = _git(folder, "cat-file", "blob", f"{commit}:./{file.name}")
    if blob.returncode != 0:
        raise GitError(f"cannot read {inside} at {ref}: {blob.stderr.decode('utf-8', 'replace').strip()}")
    name = f"{ref}:{inside}"
    text = decode(blob.stdout, name)
    return Revision(ref, commit, inside, parse(text, name), text)
