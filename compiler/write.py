"""Stage 5, write: all or nothing. Files are written into a temporary folder inside the output folder and
each environment's folder is swapped in by rename only once everything was written."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterable, Mapping


def write(out: Path, environments: Iterable[str], files: Mapping[str, bytes]) -> None:
    """Replace `out/<env>/` for each environment with exactly the files under that prefix."""
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".mlops-staging-", dir=out))
    try:
        _write_tree(staging / "new", files)
        (staging / "old").mkdir()
        for env in sorted(environments):
            fresh = staging / "new" / env
            fresh.mkdir(parents=True, exist_ok=True)
            current = out / env
            if current.is_symlink() or current.exists():
                os.replace(current, staging / "old" / env)
            os.replace(fresh, current)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _write_tree(root: Path, files: Mapping[str, bytes]) -> None:
    """Every file under `root`. Tens of thousands of small files: plain os calls, each folder made once."""
    made: set[str] = set()
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    base = str(root)
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
