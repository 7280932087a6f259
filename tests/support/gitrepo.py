"""A throwaway git repository holding one mlops.yaml, for the plan and apply tests."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

GIT = ["git", "-c", "user.name=mlops tests", "-c", "user.email=tests@example.com", "-c", "commit.gpgsign=false",
       "-c", "init.defaultBranch=main"]
# Fixed dates: the same content gives the same commit ids, so outputs that show one can be compared verbatim.
ENV = {**os.environ, "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z"}


class Repo:
    def __init__(self, root: Path, spec: str | None) -> None:
        """A repository whose first commit holds `spec` as mlops.yaml (None: a commit without it)."""
        self.root = root
        self.spec = root / "mlops.yaml"
        self.git("init", "-q")
        self.commit(spec)

    def git(self, *args: str) -> str:
        done = subprocess.run([*GIT, "-C", str(self.root), *args], capture_output=True, text=True, check=True, env=ENV)
        return done.stdout.strip()

    def write(self, text: str) -> None:
        self.spec.write_text(text, encoding="utf-8")

    def edit(self, old: str, new: str) -> None:
        text = self.spec.read_text(encoding="utf-8")
        assert old in text, f"{old!r} is not in the spec"
        self.write(text.replace(old, new, 1))

    def commit(self, text: str | None = None, message: str = "change") -> str:
        if text is not None:
            self.write(text)
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD")
