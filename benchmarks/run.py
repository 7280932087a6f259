"""Scaling benchmark of `mlops validate` and `mlops compile`, in one command.

Why: DESIGN.md's quality bars say validate answers fast (on the north-star: no slower than
check-jsonschema, which checks only the schema while mlops also runs the semantic rules) and that compile
time grows linearly in the number of models. This measures both, as the user runs them: each command is a
fresh subprocess (interpreter startup included), timed wall-clock, with the child's peak RSS from
os.wait4 (ru_maxrss, KiB on Linux), reporting the MEDIAN of --repeat runs. Specs come from specgen.py and
are written to /dev/shm when it exists (no disk noise); every compile writes to a fresh folder.

Per model costs are given raw (t/N, which startup inflates at small N) and marginal,
(t(N) - t(N0)) / (N - N0) with N0 the smallest size, so startup cannot hide growth. The floor
(floor.py) is libyaml load+dump of the very objects compile emitted, in-process (startup excluded).

    python benchmarks/run.py [--sizes 10,100,1000,5000] [--repeat 5] [--out FILE.md] [--quick]
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import floor
import specgen

REPO = Path(__file__).resolve().parent.parent
SCHEMA = REPO / "schemas" / "mlops.schema.json"
NORTH_STAR = REPO / "examples" / "north-star" / "mlops.yaml"


@dataclass(frozen=True)
class Run:
    """Median wall seconds and median peak RSS (KiB) of a command over its repeats."""

    wall: float
    rss_kib: int


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def tool(name: str) -> str:
    """The executable installed beside this interpreter: the same venv, so the same mlops as imported."""
    path = Path(sys.executable).parent / name
    if not (path.is_file() and os.access(path, os.X_OK)):
        raise SystemExit(f"run.py: {name} not found beside {sys.executable} (expected {path}); install it in this "
                         f"venv (pip install -e . / pip install check-jsonschema) and run with that venv's python")
    return str(path)


def once(cmd: list[str]) -> Run:
    """One subprocess: wall time from spawn to reap, and its ru_maxrss. Exits loudly on failure."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, cwd=REPO)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: keep Popen from waiting again
        if proc.returncode != 0:
            err.seek(0)
            tail = err.read().decode(errors="replace")[-3000:]
            raise SystemExit(f"run.py: exit {proc.returncode} from: {shlex.join(cmd)}\n{tail}")
    return Run(wall, usage.ru_maxrss)


def measure(label: str, make_cmd: Callable[[int], list[str]], repeat: int,
            cleanup: Callable[[int], object] | None = None) -> Run:
    """Median of `repeat` runs of make_cmd(i); cleanup(i) runs after each one, outside the timing."""
    runs = []
    for i in range(repeat):
        runs.append(once(make_cmd(i)))
        if cleanup is not None:
            cleanup(i)
    result = Run(statistics.median(r.wall for r in runs), int(statistics.median(r.rss_kib for r in runs)))
    log(f"  {label}: {result.wall * 1e3:.0f} ms (median of {repeat}; "
        f"min {min(r.wall for r in runs) * 1e3:.0f}, max {max(r.wall for r in runs) * 1e3:.0f}), "
        f"peak RSS {result.rss_kib / 1024:.0f} MiB")
    return result


def count_objects(out: Path) -> int:
    return sum(1 for f in out.glob("*/manifests/*.yaml") if f.name != "kustomization.yaml")


def bench_size(n: int, base: Path, repeat: int, mlops: str, cjs: str) -> dict[str, float]:
    """Every measure for one N, as plain numbers (seconds, KiB, counts)."""
    log(f"N={n}: generating spec")
    spec = base / f"mlops-{n}.yaml"
    spec.write_text(specgen.generate(n), encoding="utf-8")
    r: dict[str, float] = {"spec_kib": spec.stat().st_size / 1024}
    val = measure(f"N={n} mlops validate -q", lambda i: [mlops, "validate", "-q", str(spec)], repeat)
    ref = measure(f"N={n} check-jsonschema", lambda i: [cjs, "--schemafile", str(SCHEMA), str(spec)], repeat)
    r.update(validate=val.wall, validate_rss=val.rss_kib, cjs=ref.wall, cjs_rss=ref.rss_kib)

    def out(kind: str, i: int) -> Path:
        return base / f"out-{n}-{kind}-{i}"

    keep = repeat - 1  # the last manifests-only output feeds the object count and the floor

    def drop_mo(i: int) -> None:
        if i != keep:
            shutil.rmtree(out("mo", i), ignore_errors=True)

    mo = measure(f"N={n} compile --manifests-only",
                 lambda i: [mlops, "compile", str(spec), "--manifests-only", "--out", str(out("mo", i))], repeat,
                 cleanup=drop_mo)
    r.update(mo=mo.wall, mo_rss=mo.rss_kib, objects=count_objects(out("mo", keep)))
    fl = floor.measure(out("mo", keep), repeat=repeat)
    log(f"  N={n} floor (libyaml load+dump, in-process): {fl.seconds * 1e3:.0f} ms for {fl.objects} objects")
    shutil.rmtree(out("mo", keep), ignore_errors=True)
    r.update(floor=fl.seconds, floor_dump=fl.dump_seconds, floor_objects=fl.objects)
    full = measure(f"N={n} compile (full)", lambda i: [mlops, "compile", str(spec), "--out", str(out("full", i))],
                   repeat, cleanup=lambda i: shutil.rmtree(out("full", i), ignore_errors=True))
    r.update(full=full.wall, full_rss=full.rss_kib)
    spec.unlink()
    return r


def git_revision() -> str:
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True,
                             check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=REPO, capture_output=True, text=True,
                               check=False).stdout.strip()
        return rev + ("+dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def machine() -> str:
    cpu = ""
    try:
        cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                    if line.startswith("model name")), "")
    except OSError:
        pass
    return (f"Python {platform.python_version()}, {os.cpu_count()} CPUs{' (' + cpu + ')' if cpu else ''}, "
            f"{platform.platform()}")


def table(sizes: list[int], res: dict[int, dict[str, float]]) -> list[str]:
    """Rows are measures, columns are N (many measures, few sizes: readable that way round)."""
    n0 = sizes[0]

    def marginal(key: str) -> Callable[[int, dict[str, float]], str]:
        return lambda n, r: "—" if n == n0 else f"{(r[key] - res[n0][key]) / (n - n0) * 1e3:.3f}"

    rows = [
        ("spec size (KiB)", lambda n, r: f"{r['spec_kib']:.0f}"),
        ("validate wall (ms)", lambda n, r: f"{r['validate'] * 1e3:.0f}"),
        ("check-jsonschema wall (ms)", lambda n, r: f"{r['cjs'] * 1e3:.0f}"),
        ("validate / check-jsonschema", lambda n, r: f"{r['validate'] / r['cjs']:.2f}×"),
        ("validate peak RSS (MiB)", lambda n, r: f"{r['validate_rss'] / 1024:.0f}"),
        ("check-jsonschema peak RSS (MiB)", lambda n, r: f"{r['cjs_rss'] / 1024:.0f}"),
        ("manifests-only wall (ms)", lambda n, r: f"{r['mo'] * 1e3:.0f}"),
        ("manifests-only peak RSS (MiB)", lambda n, r: f"{r['mo_rss'] / 1024:.0f}"),
        ("objects emitted (all envs)", lambda n, r: f"{r['objects']:.0f}"),
        ("manifests-only objects/s", lambda n, r: f"{r['objects'] / r['mo']:.0f}"),
        ("manifests-only µs/object", lambda n, r: f"{r['mo'] / r['objects'] * 1e6:.0f}"),
        ("floor µs/object (libyaml, no startup)", lambda n, r: f"{r['floor'] / r['floor_objects'] * 1e6:.0f}"),
        ("manifests-only / floor (per object)",
         lambda n, r: f"{(r['mo'] / r['objects']) / (r['floor'] / r['floor_objects']):.2f}×"),
        ("floor, dump half only, µs/object", lambda n, r: f"{r['floor_dump'] / r['floor_objects'] * 1e6:.0f}"),
        ("manifests-only / dump-only floor", lambda n, r: f"{r['mo'] / r['floor_dump']:.2f}×"),
        ("full compile wall (ms)", lambda n, r: f"{r['full'] * 1e3:.0f}"),
        ("full compile peak RSS (MiB)", lambda n, r: f"{r['full_rss'] / 1024:.0f}"),
        ("full compile objects/s", lambda n, r: f"{r['objects'] / r['full']:.0f}"),
        ("validate ms/model, t/N", lambda n, r: f"{r['validate'] / n * 1e3:.3f}"),
        (f"validate ms/model, marginal vs N={n0}", marginal("validate")),
        ("manifests-only ms/model, t/N", lambda n, r: f"{r['mo'] / n * 1e3:.3f}"),
        (f"manifests-only ms/model, marginal vs N={n0}", marginal("mo")),
        ("full ms/model, t/N", lambda n, r: f"{r['full'] / n * 1e3:.3f}"),
        (f"full ms/model, marginal vs N={n0}", marginal("full")),
    ]
    lines = ["| measure | " + " | ".join(f"N={n}" for n in sizes) + " |", "|---|" + "---:|" * len(sizes)]
    lines += [f"| {name} | " + " | ".join(fmt(n, res[n]) for n in sizes) + " |" for name, fmt in rows]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Scaling benchmark of mlops validate / compile (medians of "
                                                 "subprocess runs; Markdown table on stdout)")
    parser.add_argument("--sizes", default="10,100,1000,5000", help="comma-separated model counts")
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement; the median is reported")
    parser.add_argument("--out", type=Path, help="also write the Markdown report to this file")
    parser.add_argument("--quick", action="store_true", help="smoke run: sizes 10,100 and repeat 1")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.repeat = "10,100", 1
    try:
        sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    except ValueError:
        parser.error(f"--sizes must be comma-separated integers, got {args.sizes!r}")
    if not sizes or sizes[0] < 1 or args.repeat < 1:
        parser.error("--sizes must be positive integers and --repeat at least 1")
    mlops, cjs = tool("mlops"), tool("check-jsonschema")
    command = shlex.join([sys.executable, *sys.argv]) if argv is None else shlex.join(["run.py", *argv])
    shm = Path("/dev/shm")
    tmp_root = str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None
    results: dict[int, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="mlops-bench-", dir=tmp_root) as tmp:
        log(f"working in {tmp}; sizes {sizes}, repeat {args.repeat}")
        log("north-star:")
        ns_val = measure("north-star mlops validate -q", lambda i: [mlops, "validate", "-q", str(NORTH_STAR)],
                         args.repeat)
        ns_cjs = measure("north-star check-jsonschema",
                         lambda i: [cjs, "--schemafile", str(SCHEMA), str(NORTH_STAR)], args.repeat)
        for n in sizes:
            results[n] = bench_size(n, Path(tmp), args.repeat, mlops, cjs)
    ratio = ns_val.wall / ns_cjs.wall
    report = [
        "# mlops scaling benchmark", "",
        f"- command: `{command}`",
        f"- machine: {machine()}",
        f"- git revision: {git_revision()}",
        (f"- each figure: median of {args.repeat} subprocess run(s), wall time incl. interpreter startup; peak "
         "RSS = child ru_maxrss; specs from benchmarks/specgen.py (2 environments, aws), temp files in "
         f"{tmp_root or tempfile.gettempdir()}"), "",
        (f"**Headline: north-star `mlops validate -q` {ns_val.wall * 1e3:.0f} ms vs `check-jsonschema` "
         f"{ns_cjs.wall * 1e3:.0f} ms = {ratio:.2f}× (target ≤ 1.00×: {'met' if ratio <= 1.0 else 'MISSED'}).** "
         f"Peak RSS {ns_val.rss_kib / 1024:.0f} vs {ns_cjs.rss_kib / 1024:.0f} MiB. check-jsonschema checks only "
         "the schema; mlops validate also runs the semantic rules per environment."), "",
        *table(sizes, results), "",
        ("Floor = `yaml.load(CSafeLoader)` + `yaml.dump(CSafeDumper)` of every emitted object, in-process: it "
         "excludes interpreter startup and file I/O, which favours the floor; its dump half alone is what any "
         "emitter must at least do. Marginal = (t(N) − t(N0)) / (N − N0)."),
    ]
    text = "\n".join(report) + "\n"
    sys.stdout.write(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
        log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
