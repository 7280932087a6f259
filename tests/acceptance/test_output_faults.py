"""Output-folder faults are clear errors, exit 1 (the write failed) or 2 (the folder is not usable), naming the
folder; the previous build is untouched and no staging folder is left. Read-only and full file systems are real
tmpfs mounts in a private mount namespace where the machine allows one (root, `unshare`), and injected faults
everywhere."""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from mlops import write as writing
from mlops.cli import main

ROOT = Path(__file__).parents[2]
QUICKSTART = ROOT / "examples" / "quickstart" / "mlops.yaml"


def compile_(capsys: pytest.CaptureFixture[str], out: str, spec: Path = QUICKSTART) -> tuple[int, str]:
    code = main(["compile", str(spec), "--manifests-only", "--out", out])
    err = capsys.readouterr().err
    assert "Traceback" not in err and "internal error" not in err
    return code, err


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def previous(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    out = tmp_path / "build"
    assert compile_(capsys, str(out))[0] == 0
    return out


@pytest.mark.parametrize("where, said", [
    ("a-file", "cannot write into {out}: it exists and is not a folder"),
    ("a-file/below", "cannot create the output folder {out}: Not a directory"),
    ("/dev/null", "cannot write into {out}: it exists and is not a folder"),
    ("/", "refusing to write into {out}: it is the file system root"),
    ("", "--out needs a folder"),
])
def test_an_unusable_out_is_a_usage_error_naming_it(where: str, said: str, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a-file").write_text("x")
    code, err = compile_(capsys, where)
    assert code == 2
    assert err.startswith("mlops: " + said.format(out=where))
    assert (tmp_path / "a-file").read_text() == "x" and sorted(os.listdir(tmp_path)) == ["a-file"]


def test_an_environment_named_like_a_foreign_folder_is_refused(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "project" / "mlops.yaml"
    spec.parent.mkdir()
    spec.write_text(QUICKSTART.read_text().replace("  dev:", "  docs:"), encoding="utf-8")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "design.md").write_text("mine")
    code, err = compile_(capsys, str(tmp_path), spec)
    assert code == 2 and f"refusing to replace {tmp_path / 'docs'}: it was not written by mlops" in err
    assert (tmp_path / "docs" / "design.md").read_text() == "mine"


@pytest.mark.parametrize("fail_at", [1, 5, 14])     # the quickstart's manifests are 14 files
def test_a_full_disk_while_staging_is_exit_1_and_changes_nothing(fail_at: int, previous: Path,
                                                                 capsys: pytest.CaptureFixture[str],
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    before = tree(previous)
    real, calls = os.write, []

    def write(fd: int, data: Any) -> int:
        calls.append(fd)
        if len(calls) >= fail_at:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(fd, data)

    monkeypatch.setattr(writing.os, "write", write)
    code, err = compile_(capsys, str(previous))
    assert code == 1
    assert err == f"mlops: cannot write {previous}: No space left on device; the previous build is unchanged\n"
    assert tree(previous) == before and not list(previous.glob(writing.STAGING + "*"))


def test_a_read_only_folder_is_exit_1_and_changes_nothing(previous: Path, capsys: pytest.CaptureFixture[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    before = tree(previous)

    def mkdtemp(**_: Any) -> str:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(writing.tempfile, "mkdtemp", mkdtemp)
    code, err = compile_(capsys, str(previous))
    assert (code, err) == (1, f"mlops: cannot write into {previous}: Read-only file system\n")
    assert tree(previous) == before


def test_a_leftover_that_cannot_be_put_back_is_exit_1(previous: Path, capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    left = previous / f"{writing.STAGING}killed"
    (left / "old").mkdir(parents=True)
    (left / writing.JOURNAL).write_text("plan dev\nold dev\n")
    os.replace(previous / "dev", left / "old" / "dev")

    def replace(*_: Any) -> None:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(writing.os, "replace", replace)
    code, err = compile_(capsys, str(previous))
    assert code == 1 and err.startswith(f"mlops: cannot put back the build that an interrupted compile left in "
                                        f"{previous}: Read-only file system")
    assert (left / "old" / "dev").is_dir()          # still there for the next compile to put back


def test_a_journal_line_cut_short_names_no_folder(previous: Path) -> None:
    """A crash mid-line must not make recovery act on a truncated name (`plan de` is not environment `de`)."""
    (previous.parent / "build" / "de").mkdir()
    (previous / "de" / "keep").write_text("mine")
    left = previous / f"{writing.STAGING}cut"
    left.mkdir()
    (left / writing.JOURNAL).write_text("plan de")
    writing.recover(previous)
    assert (previous / "de" / "keep").read_text() == "mine" and not left.exists()


_MOUNTED = """
import json, os, subprocess, sys
from mlops.cli import main
mnt, spec, mode = sys.argv[1:]
subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mnt], check=True)
out = os.path.join(mnt, "build")
first = main(["compile", spec, "--manifests-only", "--out", out])
before = sorted(os.path.relpath(os.path.join(d, f), mnt) for d, _, fs in os.walk(mnt) for f in fs)
if mode == "read-only":
    subprocess.run(["mount", "-o", "remount,ro", mnt], check=True)
else:
    fd = os.open(os.path.join(mnt, "fill"), os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(fd, b"x" * 4096)
    except OSError:
        os.close(fd)
second = main(["compile", spec, "--manifests-only", "--out", out])
new_folder = main(["compile", spec, "--manifests-only", "--out", os.path.join(mnt, "new", "sub")])
after = sorted(os.path.relpath(os.path.join(d, f), mnt) for d, _, fs in os.walk(mnt) for f in fs)
print(json.dumps({"first": first, "second": second, "new": new_folder, "same": before == after or
                  [p for p in after if p != "fill"] == before}))
"""


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("unshare") is None, reason="needs root and unshare")
@pytest.mark.parametrize("mode, exits, said", [
    ("read-only", (1, 2), ["cannot write into {mnt}/build: Read-only file system",
                           "cannot create the output folder {mnt}/new/sub: Read-only file system"]),
    ("full", (1, 1), ["cannot write {mnt}/build: No space left on device; the previous build is unchanged",
                      "cannot write {mnt}/new/sub: No space left on device"]),
])
def test_a_real_read_only_or_full_file_system(mode: str, exits: tuple[int, int], said: list[str],
                                              tmp_path: Path) -> None:
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    done = subprocess.run(["unshare", "-m", "--propagation", "private", sys.executable, "-c", _MOUNTED, str(mnt),
                           str(QUICKSTART), mode], capture_output=True, text=True, timeout=300, check=False)
    if done.returncode != 0 and "mount" in done.stderr and "permission" in done.stderr.lower():
        pytest.skip(f"no tmpfs mount here: {done.stderr.strip()}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert (result["first"], result["second"], result["new"]) == (0, *exits), done.stderr
    assert result["same"], "the previous build changed"
    lines = done.stderr.splitlines()
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    for expected in said:
        assert any(line.startswith("mlops: " + expected.format(mnt=mnt)) for line in lines), (expected, lines)
