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
        for relative, content in sorted(files.items()):
            path = staging / "new" / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
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
