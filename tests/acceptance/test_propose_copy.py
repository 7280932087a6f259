"""The scheduled propose workflow's copy step for outputs on GCS and Azure Blob: its own script run with bash, with
fake `gcloud` and `az` on PATH that implement the documented filters (gcloud's --exclude: a Python regular
expression on the path relative to the source; az's --pattern: an fnmatch glob over blob names, each blob written
at its full name under --destination), then `mlops propose` on what was copied."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from mlops.init import propose as workflow
from tests.support.fake_github import fake_github
from tests.support.proposals import checkout, copy_reports, loop_with_output, propose, publish, report

FAKE_GCLOUD = """#!{python}
# `gcloud storage rsync SRC DST --recursive ... --exclude REGEX` against a folder standing for GCS.
import re, shutil, sys
from pathlib import Path
args = sys.argv[1:]
open({log!r}, "a").write(" ".join(args) + "\\n")
assert args[:2] == ["storage", "rsync"] and "--recursive" in args
src, dst = Path({store!r}) / args[2].removeprefix("gs://"), Path(args[3])
exclude = re.compile(args[args.index("--exclude") + 1])
for f in src.rglob("*"):
    rel = f.relative_to(src).as_posix()
    if f.is_file() and not exclude.match(rel):
        (dst / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(f, dst / rel)
"""

FAKE_AZ = """#!{python}
# `az storage blob download-batch --account-name A --source C --destination D --pattern P ...` against a folder
# standing for Blob storage: every blob whose name matches P, written at its full name under D.
import fnmatch, shutil, sys
from pathlib import Path
args = sys.argv[1:]
open({log!r}, "a").write(" ".join(args) + "\\n")
assert args[:3] == ["storage", "blob", "download-batch"] and args[args.index("--auth-mode") + 1] == "login"
value = lambda flag: args[args.index(flag) + 1]
container = Path({store!r}) / value("--account-name") / value("--source")
for f in container.rglob("*"):
    name = f.relative_to(container).as_posix()
    if f.is_file() and fnmatch.fnmatch(name, value("--pattern")):
        (Path(value("--destination")) / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(f, Path(value("--destination")) / name)
"""


def _copy(tmp_path: Path, output: str, tool: str, fake: str, bucket: str) -> tuple[object, Path, str]:
    """Publishes run-7 under `output` (its model files too), runs the copy script, returns the checkout, the
    tool's log and the candidate's artifact."""
    co = checkout(tmp_path, loop_with_output(output))
    store = tmp_path / "store"
    artifact = f"{output}run-7/model/"
    run_dir = publish(store / bucket, "run-7", report(run="run-7", artifact=artifact))
    (run_dir / "model").mkdir()
    (run_dir / "model" / "model.bst").write_bytes(b"weights")           # models are not copied
    log = tmp_path / f"{tool}.log"
    copy_reports(co, tmp_path, tool, fake.format(python=sys.executable, log=str(log), store=str(store)))
    copied = co.candidates / "fraud-scorer"
    assert sorted(p.relative_to(copied).as_posix() for p in copied.rglob("*") if p.is_file()) == [
        "run-7/report.json", "run-7/report.md"]
    return co, log, artifact


def _proposes(co: object, artifact: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    with fake_github() as gh:
        code, out, err = propose(capsys, monkeypatch, co, gh.url, "--env", "staging")  # type: ignore[arg-type]
    assert (code, err) == (0, "")
    assert out.startswith(f"staging/fraud-scorer: opened: {artifact} (run run-7)")


def test_a_gcs_output_is_copied_with_gcloud_storage_rsync_reports_only(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    output = "gs://fraud-models/fraud-scorer/"
    co, log, artifact = _copy(tmp_path, output, "gcloud", FAKE_GCLOUD, "fraud-models")
    assert log.read_text() == (f"storage rsync {output} {co.candidates}/fraud-scorer/ --recursive "  # type: ignore[attr-defined]
                               "--no-user-output-enabled --exclude ^(?!([^/]+/)*report\\.(json|md)$).*\n")
    _proposes(co, artifact, capsys, monkeypatch)


def test_an_azure_blob_output_is_downloaded_by_pattern_and_its_prefix_stripped(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    output = "az://fraudmodels/models/fraud-scorer/"
    co, log, artifact = _copy(tmp_path, output, "az", FAKE_AZ, "fraudmodels/models")
    calls = log.read_text().splitlines()
    assert [c.split(" --destination ")[0] for c in calls] == [
        "storage blob download-batch --account-name fraudmodels --source models"] * 2
    assert [c.split(" --pattern ")[1] for c in calls] == [
        "fraud-scorer/*/report.json --auth-mode login --only-show-errors --output none",
        "fraud-scorer/*/report.md --auth-mode login --only-show-errors --output none"]
    _proposes(co, artifact, capsys, monkeypatch)


@pytest.mark.parametrize("path", ["run-1/report.json", "run-1/report.md", "a/b/report.json", "run-1/model/model.bst",
                                  "run-1/report.json.bak", "run-1/myreport.json", "report.json",
                                  "run-1/datacheck.json"])
def test_the_gcs_exclude_keeps_only_reports_however_gcloud_applies_it(path: str) -> None:
    exclude = re.search(r"--exclude '(\^[^']+)'", workflow.COPY_SCRIPT)[1]  # type: ignore[index]
    keep = path.rsplit("/", 1)[-1] in {"report.json", "report.md"}
    # match, search or fullmatch: the expression is anchored and spans the whole path, so all three agree
    assert {bool(f(exclude, path)) for f in (re.match, re.search, re.fullmatch)} == {not keep}
