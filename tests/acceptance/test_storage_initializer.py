"""KServe's storage-initializer, the pinned version's own entrypoint, run on the exact arguments of every init
container the manifests emit: every file of every source arrives.

`kserve/initializer-entrypoint-v0.15.2` is `python/storage-initializer/scripts/initializer-entrypoint` of
kserve/kserve at tag v0.15.2 (commit d623ea29e4a7312e509829f9104209cd6f820268), byte for byte; the image
`kserve/storage-initializer:v0.15.2` runs it as its ENTRYPOINT (python/storage-initializer.Dockerfile l.67). The
download code it imports is `kserve.storage` from PyPI `kserve[storage]==0.15.2` (`kserve-storage` starts at
0.16.0). That SDK pins protobuf and cloud clients against the Pulumi SDKs, so it lives in a venv of its own, as in
the image: `.ci/run` makes it and names its interpreter in MLOPS_KSERVE_PYTHON (see tests/README.md); without it
these tests are skipped.

No cloud is reached: each store URI is read from a local folder holding the same bucket and key (the entrypoint's
Storage.download treats an existing local path as a source, kserve/storage/storage.py@v0.15.2 l.69), and each
destination sits under a local root where the container's volume mounts exist. The number and order of the
arguments, which is what broke the drift job, are exactly the emitted ones.
"""

from __future__ import annotations

import io
import os
import subprocess
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from .wiring_build import ROOT, repository

ENTRYPOINT = Path(__file__).with_name("kserve") / "initializer-entrypoint-v0.15.2"
IMAGE = "docker.io/kserve/storage-initializer"
KSERVE_PYTHON = os.environ.get("MLOPS_KSERVE_PYTHON", "")
pytestmark = pytest.mark.skipif(not KSERVE_PYTHON,
                                reason="MLOPS_KSERVE_PYTHON names no venv with kserve[storage]==0.15.2")


def init_containers() -> Iterator[tuple[str, dict[str, Any]]]:
    """(file, container) of every storage-initializer in the compiled examples (tests/golden, held equal to a fresh
    compile by the golden test)."""
    for path in sorted((ROOT / "tests" / "golden").glob("*/*/manifests/*.yaml")):
        obj = yaml.safe_load(path.read_text(encoding="utf-8"))
        if obj.get("kind") not in ("Deployment", "Rollout", "CronJob"):
            continue
        spec = obj["spec"]["jobTemplate"]["spec"] if obj["kind"] == "CronJob" else obj["spec"]
        for container in spec["template"]["spec"].get("initContainers", []):
            if repository(container["image"]) == IMAGE:
                yield str(path.relative_to(ROOT / "tests" / "golden")), container


CONTAINERS = list(init_containers())


def local(uri: str, stores: Path) -> tuple[str, list[str]]:
    """A local source standing for `uri`, filled with files: (its path, the file names expected to arrive)."""
    where = stores / uri.replace("://", "/", 1)
    if uri.endswith("/"):                 # a folder: every file under it is fetched
        where.mkdir(parents=True, exist_ok=True)
        names = ["part-0.parquet", "part-1.parquet"]
        for n in names:
            (where / n).write_bytes(b"PAR1" + n.encode())
        return f"{where}/", names
    where.parent.mkdir(parents=True, exist_ok=True)
    if where.name.endswith((".tar.gz", ".tgz")):   # one archive is unpacked where it lands (storage.py l.692-695)
        names = ["model.joblib", "model-settings.json"]
        with tarfile.open(where, "w:gz") as archive:
            for n in names:
                data = n.encode()
                info = tarfile.TarInfo(n)
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))
        return str(where), names
    where.write_bytes(b"PAR1" + where.name.encode())
    return str(where), [where.name]


def run_entrypoint(args: list[str]) -> str:
    """The entrypoint as the image runs it (its own interpreter and SDK), with `args`; what it printed."""
    done = subprocess.run([KSERVE_PYTHON, str(ENTRYPOINT), *args], capture_output=True, text=True, timeout=300,
                          check=False)
    return done.stdout + done.stderr


def test_every_storage_initializer_is_covered() -> None:
    assert len(CONTAINERS) >= 10, "the examples fetch models and drift inputs with the storage-initializer"
    assert {c["image"] for _, c in CONTAINERS} == {f"{IMAGE}:v0.15.2"}


@pytest.mark.parametrize(("where", "container"), CONTAINERS, ids=[f"{w}:{c['name']}" for w, c in CONTAINERS])
def test_every_file_arrives(where: str, container: dict[str, Any], tmp_path: Path) -> None:
    root = tmp_path / "root"
    for mount in container["volumeMounts"]:          # the volumes exist before the container starts
        (root / mount["mountPath"].lstrip("/")).mkdir(parents=True, exist_ok=True)
    args, expected = [], []
    for index, arg in enumerate(container["args"]):
        if index % 2 == 0:
            source, names = local(arg, tmp_path / "stores")
            args.append(source)
        else:
            args.append(str(root / arg.lstrip("/")))
            expected.append((Path(args[-1]), names))
    printed = run_entrypoint(args)
    assert "Usage" not in printed
    for dest, names in expected:
        arrived = sorted(p.name for p in dest.iterdir() if p.is_file())
        assert arrived == sorted(names), (where, container["args"], arrived)


def test_the_old_drift_arguments_fetch_nothing(tmp_path: Path) -> None:
    """What the drift job used to pass (two pairs to one container): usage printed, exit 0, no file (R1)."""
    baseline, _ = local("s3://fraud-data/train.parquet", tmp_path / "stores")
    live, _ = local("s3://fraud-data/live/fraud-scorer/", tmp_path / "stores")
    (tmp_path / "data").mkdir()
    dests = [tmp_path / "data" / "baseline", tmp_path / "data" / "live"]
    printed = run_entrypoint([baseline, str(dests[0]), live, str(dests[1])])
    assert "Usage: initializer-entrypoint src_uri dest_path" in printed
    assert not any(d.exists() for d in dests)
