"""The "PyYAML floor": the least time any Python YAML-emitting compiler could take for the same objects.

Why: `mlops compile --manifests-only` ends with one YAML document per Kubernetes object. Parsing each
emitted file with libyaml (`yaml.load(text, Loader=yaml.CSafeLoader)`) and dumping it back
(`yaml.dump(obj, Dumper=yaml.CSafeDumper)`) is the same work size with no compiler logic at all, so
"compile time per object / floor time per object" says how much the compiler adds on top of serialising.

Measured in-process, EXCLUDING interpreter startup and imports (and file reads): this favours the floor,
since every `mlops` run pays its own startup. Usage:

    python benchmarks/floor.py build/                  # every build/<env>/manifests/*.yaml
    python benchmarks/floor.py build/staging/manifests  # one folder
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

LOADER = getattr(yaml, "CSafeLoader", None)
DUMPER = getattr(yaml, "CSafeDumper", None)

@dataclass(frozen=True)
class Floor:
    """Seconds to load and dump every object once (and each half), and how many objects that was."""

    seconds: float
    objects: int
    load_seconds: float = 0.0
    dump_seconds: float = 0.0

    @property
    def per_object(self) -> float:
        return self.seconds / self.objects if self.objects else 0.0


def manifest_files(root: Path) -> list[Path]:
    """The object files mlops wrote under `root` (a build dir, an env dir or a manifests dir), without
    kustomization.yaml, which is an index rather than an object."""
    root = Path(root)
    candidates = [root / "manifests"] if (root / "manifests").is_dir() else []
    candidates += sorted(root.glob("*/manifests"))
    folders = candidates or [root]
    return [f for d in folders for f in sorted(d.glob("*.yaml")) if f.name != "kustomization.yaml"]


def _require_libyaml() -> None:
    if LOADER is None or DUMPER is None:
        raise SystemExit("floor: PyYAML was built without libyaml (no CSafeLoader/CSafeDumper); the floor needs it")


def measure_texts(texts: list[str]) -> Floor:
    """Time load + dump of each text, in this process (no startup, no file I/O). Load and dump are timed as
    two passes so that the dump half alone (what an emitter must at least do) can be reported too."""
    _require_libyaml()
    start = time.perf_counter()
    objs = [yaml.load(text, Loader=LOADER) for text in texts]
    loaded = time.perf_counter()
    for obj in objs:
        yaml.dump(obj, Dumper=DUMPER)
    end = time.perf_counter()
    return Floor(end - start, len(texts), loaded - start, end - loaded)


def measure(root: Path, repeat: int = 1) -> Floor:
    """The median over `repeat` passes, on the manifests under `root`."""
    texts = [f.read_text(encoding="utf-8") for f in manifest_files(root)]
    if not texts:
        raise SystemExit(f"floor: no manifests under {root}")
    runs = [measure_texts(texts) for _ in range(max(1, repeat))]
    return Floor(statistics.median(r.seconds for r in runs), len(texts),
                 statistics.median(r.load_seconds for r in runs), statistics.median(r.dump_seconds for r in runs))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="PyYAML (libyaml) load+dump floor for emitted manifests; "
                                                 "in-process, interpreter startup excluded (favours the floor)")
    parser.add_argument("folder", type=Path, help="build dir, env dir or manifests dir")
    parser.add_argument("--repeat", type=int, default=5, help="passes; the median is reported (default 5)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    args = parser.parse_args(argv)
    floor = measure(args.folder, args.repeat)
    if args.json:
        print(json.dumps({"seconds": floor.seconds, "objects": floor.objects, "per_object": floor.per_object,
                          "load_seconds": floor.load_seconds, "dump_seconds": floor.dump_seconds}))
    else:
        print(f"{floor.objects} objects: {floor.seconds * 1e3:.1f} ms load+dump (libyaml; load "
              f"{floor.load_seconds * 1e3:.1f}, dump {floor.dump_seconds * 1e3:.1f}), "
              f"{floor.per_object * 1e6:.1f} us/object; in-process, interpreter startup excluded")
    return 0


if __name__ == "__main__":
    sys.exit(main())
