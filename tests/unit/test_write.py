"""Stage 5, write: all or nothing, and only over folders mlops wrote."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mlops import write as writing
from mlops.write import MARKER, OutputFailed, OutputRefused, write

FILES = {"a/manifests/x.yaml": b"new-a\n", "b/manifests/x.yaml": b"new-b\n"}


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def previous(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    write(out, ["a", "b"], {"a/manifests/x.yaml": b"old-a\n", "b/manifests/x.yaml": b"old-b\n"})
    return out


def failing_nth(n: int, error: BaseException) -> Callable[..., Any]:
    """os.replace that raises `error` on its n-th call (1-based) and renames otherwise."""
    real, calls = os.replace, []

    def replace(src: Any, dst: Any) -> None:
        calls.append((src, dst))
        if len(calls) == n:
            raise error
        real(src, dst)

    return replace


def test_writes_each_environment_with_its_marker(tmp_path: Path) -> None:
    write(tmp_path / "out", ["a", "b"], FILES)
    assert tree(tmp_path / "out") == {**FILES, f"a/{MARKER}": writing.MARKER_TEXT, f"b/{MARKER}": writing.MARKER_TEXT}


@pytest.mark.parametrize("n", [1, 2, 3, 4])
@pytest.mark.parametrize("error", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_a_failure_at_any_rename_leaves_every_environment_as_it_was(previous: Path, monkeypatch: pytest.MonkeyPatch,
                                                                     n: int, error: BaseException) -> None:
    before = tree(previous)
    monkeypatch.setattr(writing.os, "replace", failing_nth(n, error))
    with pytest.raises(OutputFailed if isinstance(error, OSError) else KeyboardInterrupt):
        write(previous, ["a", "b"], FILES)
    monkeypatch.undo()
    assert tree(previous) == before
    assert not list(previous.glob(".mlops-staging-*"))


def test_a_failure_while_staging_changes_nothing(previous: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = tree(previous)

    def full(*args: Any) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(writing.os, "write", full)
    with pytest.raises(OutputFailed, match="No space left on device; the previous build is unchanged"):
        write(previous, ["a", "b"], FILES)
    monkeypatch.undo()
    assert tree(previous) == before and not list(previous.glob(".mlops-staging-*"))


def test_a_killed_swap_is_rolled_back_by_the_next_write(previous: Path) -> None:
    """What SIGKILL between the two renames of `b` leaves: `a` new, `b` only in the staging folder's old/."""
    before = tree(previous)
    staging = previous / ".mlops-staging-killed"
    (staging / "old").mkdir(parents=True)
    (staging / "new" / "b" / "manifests").mkdir(parents=True)
    os.replace(previous / "a", staging / "old" / "a")
    (previous / "a" / "manifests").mkdir(parents=True)
    (previous / "a" / "manifests" / "x.yaml").write_bytes(b"new-a\n")
    os.replace(previous / "b", staging / "old" / "b")
    (staging / "journal").write_text("plan a\tb\nold a\nnew a\nold b\n")
    writing.recover(previous)
    assert tree(previous) == before and not staging.exists()


def test_a_folder_mlops_did_not_write_is_never_replaced(tmp_path: Path) -> None:
    docs = tmp_path / "out" / "docs"
    docs.mkdir(parents=True)
    (docs / "design.md").write_text("keep me")
    with pytest.raises(OutputRefused, match=r"refusing to replace .*docs: it was not written by mlops"):
        write(tmp_path / "out", ["docs"], {"docs/manifests/x.yaml": b"x"})
    assert (docs / "design.md").read_text() == "keep me"


def test_a_build_from_before_the_marker_is_replaced(tmp_path: Path) -> None:
    (tmp_path / "out" / "a" / "manifests").mkdir(parents=True)
    write(tmp_path / "out", ["a"], {"a/manifests/x.yaml": b"x"})
    assert (tmp_path / "out" / "a" / MARKER).is_file()


@pytest.mark.parametrize("where", ["/", "home", "spec"])
def test_refuses_the_root_the_home_and_the_spec_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       where: str) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    out = {"/": Path("/"), "home": tmp_path / "home", "spec": tmp_path}[where]
    with pytest.raises(OutputRefused, match="refusing to write into"):
        write(out, ["a"], {"a/x": b"x"}, protected=[tmp_path])


def test_an_out_that_is_a_file_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("")
    with pytest.raises(OutputRefused, match=r"cannot write into .*afile: it exists and is not a folder"):
        write(tmp_path / "afile", ["a"], {"a/x": b"x"})
    assert OutputRefused.exit_code == 2
