"""Stage 5, write: all or nothing, and only over what mlops wrote before.

`write(out, environments, files)` replaces `out/<env>/` for each environment with exactly the files under that
prefix. The steps, under an exclusive lock on `out` (a second compile into the same folder waits for the first):

1. recover: a staging folder left by a compile that was killed is rolled back (its journal says how far it got),
   so the previous build is whole again, and removed;
2. check: each `out/<env>` must be absent or a folder mlops wrote (it holds the `.mlops-build` marker, or only
   the layer folders of a build older than the marker); anything else is refused, never deleted;
3. stage: every file is written into `out/.mlops-staging-*/new/`;
4. swap: per environment, `out/<env>` moves to `old/` and the new folder takes its place, each step recorded in
   the journal (fsynced) before the next one, then `commit`;
5. on any failure or interrupt before `commit`, the environments already swapped are swapped back.

A failed compile therefore leaves `out` as it was, and a killed one leaves it as it was once the next write has
recovered it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO

from mlops.errors import Failure, UsageError

MARKER = ".mlops-build"
MARKER_TEXT = b"Written by `mlops compile`: this folder is replaced whole on every compile.\n"
STAGING = ".mlops-staging-"
JOURNAL = "journal"
LAYER_FOLDERS = frozenset({"manifests", "infra", "workloads", "argocd", MARKER})   # what a build folder may hold


class OutputRefused(UsageError):
    """The output folder, or a folder an environment would replace, is not mlops's to write."""


class OutputFailed(Failure):
    """Writing the output failed (full disk, read-only file system, ...); the previous build is intact."""


class _RollbackFailed(Exception):
    def __init__(self, cause: BaseException):
        self.cause = cause.strerror if isinstance(cause, OSError) and cause.strerror else cause


def write(out: Path, environments: Iterable[str], files: Mapping[str, bytes], *,
          protected: Sequence[Path] = ()) -> None:
    """Replace `out/<env>/` for each environment with exactly the files under that prefix (and the marker).

    `protected`: folders `out` must not be (the spec's own folder). Raises OutputRefused or OutputFailed."""
    envs = sorted(set(environments))
    _check_out(out, protected)
    with _locked(out):
        try:
            recover(out)
        except OSError as exc:
            raise OutputFailed(f"cannot put back the build that an interrupted compile left in {out}: "
                               f"{exc.strerror or exc}; nothing written") from None
        for env in envs:
            _check_replaceable(out / env)
        try:
            staging = Path(tempfile.mkdtemp(prefix=STAGING, dir=out))
        except OSError as exc:
            raise OutputFailed(f"cannot write into {out}: {exc.strerror or exc}") from None
        keep = False
        try:
            _write_tree(staging / "new", {**files, **{f"{env}/{MARKER}": MARKER_TEXT for env in envs}})
            _swap(out, staging, envs)
        except _RollbackFailed as exc:
            keep = True   # the previous build is in there: never delete it
            raise OutputFailed(f"cannot write {out}: {exc.cause}; and the previous build could not be put back: "
                               f"it is in {staging / 'old'} (the next compile into {out} restores it)") from None
        except OSError as exc:
            raise OutputFailed(f"cannot write {out}: {exc.strerror or exc}; the previous build is unchanged") from None
        finally:
            if not keep:
                shutil.rmtree(staging, ignore_errors=True)


def _check_out(out: Path, protected: Sequence[Path]) -> None:
    resolved = out.resolve()
    refused = {Path("/"): "the file system root", **{p.resolve(): "the spec's own folder" for p in protected}}
    with contextlib.suppress(RuntimeError):       # no home folder known: nothing to protect
        refused[Path.home().resolve()] = "your home folder"
    if resolved in refused:
        raise OutputRefused(f"refusing to write into {out}: it is {refused[resolved]}; give --out a folder of its own "
                            f"(e.g. build)")
    if out.exists() and not out.is_dir():
        raise OutputRefused(f"cannot write into {out}: it exists and is not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputRefused(f"cannot create the output folder {out}: {exc.strerror or exc}") from None


@contextlib.contextmanager
def _locked(out: Path) -> Iterator[None]:
    """An exclusive lock on the output folder itself (no lock file to leave behind): released when the process
    lets go of it, or dies."""
    try:
        fd = os.open(out, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError as exc:
        raise OutputRefused(f"cannot write into {out}: {exc.strerror or exc}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _check_replaceable(folder: Path) -> None:
    if not (folder.exists() or folder.is_symlink()):
        return
    if folder.is_symlink() or not folder.is_dir():
        raise OutputRefused(f"refusing to replace {folder}: it is not a folder mlops wrote")
    entries = {e.name for e in os.scandir(folder)}
    if MARKER not in entries and not entries <= LAYER_FOLDERS:
        raise OutputRefused(f"refusing to replace {folder}: it was not written by mlops (no {MARKER} in it); "
                            f"move it away or choose another --out")


def _swap(out: Path, staging: Path, envs: Sequence[str]) -> None:
    (staging / "old").mkdir()
    with open(staging / JOURNAL, "ab") as journal:
        _log(journal, "plan " + "\t".join(envs))
        try:
            for env in envs:
                current, fresh = out / env, staging / "new" / env
                if current.exists() or current.is_symlink():
                    _log(journal, f"old {env}")
                    os.replace(current, staging / "old" / env)
                os.replace(fresh, current)
                _log(journal, f"new {env}")
            _log(journal, "commit")
        except BaseException as exc:
            try:
                _roll_back(out, staging, envs)
            except OSError:
                raise _RollbackFailed(exc) from None
            raise


def _log(journal: IO[bytes], line: str) -> None:
    journal.write(line.encode() + b"\n")
    journal.flush()
    os.fsync(journal.fileno())


def _roll_back(out: Path, staging: Path, envs: Sequence[str]) -> None:
    """Undo a swap that did not commit: every environment moved into place goes, every old one comes back."""
    trash = staging / "trash"
    trash.mkdir(exist_ok=True)
    for env in reversed(envs):
        moved_in = not (staging / "new" / env).exists()
        old = staging / "old" / env
        if moved_in and (out / env).exists() and not (trash / env).exists():
            os.replace(out / env, trash / env)
        if old.exists() or old.is_symlink():
            os.replace(old, out / env)


def recover(out: Path) -> None:
    """Roll back and remove what a killed compile left in `out` (call under the lock)."""
    for entry in sorted(out.glob(STAGING + "*")):
        if not entry.is_dir() or entry.is_symlink():
            continue
        journal = entry / JOURNAL
        # Only whole lines count: a line cut short by a crash (a plan naming `prod` as `pr`) must not name folders.
        lines = journal.read_text(encoding="utf-8", errors="replace").split("\n")[:-1] if journal.is_file() else []
        planned = lines[0].removeprefix("plan ").split("\t") if lines and lines[0].startswith("plan ") else []
        if planned and lines[-1] != "commit" and all(e and "/" not in e and e not in (".", "..") for e in planned):
            _roll_back(out, entry, planned)
        shutil.rmtree(entry, ignore_errors=True)


def _write_tree(root: Path, files: Mapping[str, bytes]) -> None:
    """Every file under `root`. Tens of thousands of small files: plain os calls, each folder made once."""
    made: set[str] = set()
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    base = str(root)
    os.makedirs(base, exist_ok=True)
    for relative, content in sorted(files.items()):
        folder, _, _ = relative.rpartition("/")
        if folder not in made:
            os.makedirs(os.path.join(base, folder), exist_ok=True)
            made.add(folder)
        fd = os.open(os.path.join(base, relative), flags, 0o666)
        try:
            view = memoryview(content)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)


