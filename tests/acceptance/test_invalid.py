"""Bad input is data: each folder under cases/invalid holds a spec and the exact lines `mlops validate` prints."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest

from mlops.cli import main
from tests.support import ROOT

CASES = ROOT / "tests" / "cases" / "invalid"


def validate(capsys: pytest.CaptureFixture[str], *files: str) -> tuple[int, str]:
    code = main(["validate", *files])
    return code, capsys.readouterr().out


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir()), ids=str)
def test_invalid_case(case: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CASES / case)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    code, out = validate(capsys, "mlops.yaml")
    assert out == (CASES / case / "expected.txt").read_text(encoding="utf-8")
    assert code == 1


def test_there_are_at_least_thirty_cases() -> None:
    assert len(list(CASES.iterdir())) >= 30


def test_a_50_mb_file_is_refused_without_reading_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    huge = tmp_path / "mlops.yaml"
    with huge.open("w") as handle:
        handle.write("models:\n  m:\n    framework: '")
        handle.write("x" * (50 * 1024 * 1024))
        handle.write("'\n")
    code, out = validate(capsys, str(huge))
    assert code == 1
    size = huge.stat().st_size
    assert size > 50 * 1024 * 1024
    assert out == f"{huge}:1:1: error: file is {size:,} bytes; the limit is 16,777,216 (16 MiB) [at $]\n"


def test_binary_junk_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    junk = tmp_path / "mlops.yaml"
    junk.write_bytes(bytes(random.Random(7).randrange(256) for _ in range(4096)))
    code, out = validate(capsys, str(junk))
    assert code == 1
    assert out.startswith(f"{junk}:1:") and "not UTF-8 text: byte 0x" in out


def test_bad_inputs_never_print_a_traceback() -> None:
    """The real entry point, in a fresh process, on every case: exit 1 and no traceback on stderr."""
    files = [str(CASES / case / "mlops.yaml") for case in sorted(p.name for p in CASES.iterdir())]
    result = subprocess.run([sys.executable, "-m", "mlops", "validate", *files], capture_output=True, text=True)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stdout.count(": error: ") == sum(
        (CASES / case / "expected.txt").read_text().count(": error: ") for case in (p.name for p in CASES.iterdir()))
