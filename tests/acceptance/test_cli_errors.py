"""The error family, end to end: each kind of failure has one exit code and one way of being told."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops.cli import main
from mlops.emit.k8s import scaling
from tests.support import ROOT

QUICKSTART = str(ROOT / "examples" / "quickstart" / "mlops.yaml")


def test_a_key_error_inside_an_emitter_is_an_internal_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    def broken(*args: object) -> list[object]:
        return {}["spec"]  # type: ignore[no-any-return]

    monkeypatch.setattr(scaling, "build", broken)
    assert main(["compile", QUICKSTART, "--manifests-only", "--out", str(tmp_path / "out")]) == 3
    err = capsys.readouterr().err
    assert err.startswith("mlops: internal error: KeyError: 'spec' (set MLOPS_DEBUG=1") and "please report it" in err
    assert not (tmp_path / "out" / "dev").exists()


def test_out_naming_a_file_is_a_usage_error_naming_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "afile").write_text("")
    assert main(["compile", QUICKSTART, "--out", str(tmp_path / "afile")]) == 2
    assert capsys.readouterr().err == f"mlops: cannot write into {tmp_path / 'afile'}: it exists and is not a folder\n"


def test_an_unknown_environment_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compile", QUICKSTART, "--env", "prod", "--out", str(tmp_path)]) == 2
    assert capsys.readouterr().err == "mlops: unknown environment 'prod': expected one of dev\n"


def test_an_invalid_spec_writes_nothing_and_leaves_the_previous_build(tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["compile", QUICKSTART, "--manifests-only", "--out", str(out)]) == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    broken = tmp_path / "mlops.yaml"
    broken.write_text(Path(QUICKSTART).read_text().replace("framework: sklearn", "framework: sklern"))
    capsys.readouterr()
    assert main(["compile", str(broken), "--manifests-only", "--out", str(out)]) == 1
    captured = capsys.readouterr()
    assert "unknown framework 'sklern' (did you mean 'sklearn'?)" in captured.out
    assert captured.err == "mlops: nothing written: 1 error(s)\n"
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
