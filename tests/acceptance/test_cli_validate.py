"""`mlops validate` as a user meets it: exit codes, formats, annotations, imports."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mlops.cli import main
from tests.support import NORTH_STAR, ROOT
from tests.support.cli import run

SHARED_NORTH_STAR = ROOT.parent / "shared" / "examples" / "north-star" / "mlops.yaml"
BAD = ROOT / "tests" / "cases" / "invalid" / "many-errors-at-once" / "mlops.yaml"


@pytest.mark.parametrize("example", sorted(p.name for p in (ROOT / "examples").iterdir()))
def test_examples_are_valid(example: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "validate", str(ROOT / "examples" / example / "mlops.yaml"))
    assert code == 0, out
    assert ": error: " not in out
    assert err.endswith("mlops.yaml: valid\n")


@pytest.mark.parametrize("contract", ["north-star", "loop"])
def test_the_shared_contract_specs_are_the_ones_we_ship(contract: str) -> None:
    shared = ROOT.parent / "shared" / "examples" / contract / "mlops.yaml"
    if not shared.exists():
        pytest.skip("../shared is not beside this checkout")
    assert shared.read_bytes() == (ROOT / "examples" / contract / "mlops.yaml").read_bytes()


def test_several_files_report_all_problems_and_fail(capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    code, out, err = run(capsys, "validate", str(NORTH_STAR), str(BAD))
    assert code == 1
    assert all(line.startswith(f"{BAD}:") for line in out.splitlines() if ": error: " in line)
    assert out.count(": error: ") == 6
    assert err.endswith("6 errors found\n")


def test_json_format_is_the_same_diagnostics_as_data(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "validate", "--format", "json", str(BAD))
    assert code == 1
    found = json.loads(out)
    assert found[0] == {"file": str(BAD), "line": 1, "col": 13, "severity": "error",
                        "message": "apiVersion must be 'mlops/v1', got 'mlops/v2'", "path": "$.apiVersion"}
    assert [d["line"] for d in found] == sorted(d["line"] for d in found)
    assert len(found) == 6


def test_json_format_of_a_valid_file_is_an_empty_list_or_warnings(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "validate", "--format", "json", str(NORTH_STAR))
    assert code == 0
    assert all(d["severity"] == "warning" for d in json.loads(out))


def test_github_actions_annotations(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    code, out, _ = run(capsys, "validate", str(BAD))
    assert code == 1
    annotations = [line for line in out.splitlines() if line.startswith("::")]
    assert len(annotations) == 6
    assert annotations[3] == (f"::error file={BAD},line=7,col=18::unknown target 'tt' (did you mean 't'?) "
                              "[at $.environments.prod.target]")


def test_missing_file_is_a_usage_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, "validate", str(tmp_path / "nope.yaml"))
    assert code == 2
    assert out == ""
    assert err == f"mlops: cannot read {tmp_path / 'nope.yaml'}: No such file or directory\n"


def test_no_arguments_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["validate"])
    assert exit_info.value.code == 2


def test_validate_imports_no_cloud_sdk() -> None:
    probe = (
        "import sys\n"
        "from compiler.cli import main\n"
        f"assert main(['validate', '-q', {str(NORTH_STAR)!r}]) == 0\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('pulumi', 'pulumi_aws', 'pulumi_gcp', 'pulumi_azure_native', 'pulumi_kubernetes', 'kubernetes', 'boto3'))\n"
        "print(loaded)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "[]"
