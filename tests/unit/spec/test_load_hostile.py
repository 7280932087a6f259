"""Hostile files at load: recursive aliases, alias amplification counted in nodes and characters, bad content under
a core tag, anything but a regular file. Each bomb is refused (or answered) in under a second of CPU, measured in a
fresh process whose peak memory (its VmHWM) is bounded too."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from mlops.errors import SpecError
from mlops.spec.load import Unreadable, load, parse

ROOT = Path(__file__).parents[3]
NORTH_STAR = (ROOT / "examples" / "north-star" / "mlops.yaml").read_text(encoding="utf-8")
HEAD = "apiVersion: mlops/v1\nkind: Platform\n"


def laughs(levels: int = 9) -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    names = "abcdefghijklmnop"
    for i in range(1, levels):
        lines.append(f"{names[i]}: &{names[i]} [" + ",".join([f"*{names[i - 1]}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def merge_laughs(levels: int = 8) -> str:
    lines = ["l0: &l0 {" + ", ".join(f"k{i}: lol" for i in range(10)) + "}"]
    for i in range(1, levels):
        lines.append(f"l{i}: &l{i} {{" + ", ".join(f"m{j}: {{<<: *l{i - 1}}}" for j in range(10)) + "}")
    return "\n".join(lines) + "\n"


def string_fanout(copies: int, size: int = 1_000_000) -> str:
    return HEAD + f"big: &b '{'x' * size}'\nl: [" + ", ".join(["*b"] * copies) + "]\n"


def model_fanout(models: int = 1000, variables: int = 950) -> str:
    env = "{" + ", ".join(f"V{i}: x" for i in range(variables)) + "}"
    return HEAD + f"shared: &m {{framework: sklearn, env: {env}}}\nmodels:\n" + "".join(
        f"  m{i}: *m\n" for i in range(models))


def recursive_north_star() -> str:
    return NORTH_STAR.replace("\nregistry:", "\nregistry: &reg\n  self: *reg", 1)


# name -> (text, what the refusal says; None: it loads)
BOMBS: dict[str, tuple[str, str | None]] = {
    "recursive-map": ("a: &x\n  b: *x\n", "recursive alias"),
    "recursive-seq": ("a: &x [*x]\n", "recursive alias"),
    "recursive-merge": ("a: &x\n  <<: *x\n", "recursive alias"),
    "recursive-in-north-star": (recursive_north_star(), "recursive alias"),
    "billion-laughs": (laughs(), "nodes to the document"),
    "merge-key-laughs": (merge_laughs(), "nodes to the document"),
    "1MB-string-x1k": (string_fanout(1_000), "characters to the document"),
    "1MB-string-x10k": (string_fanout(10_000), "characters to the document"),
    "30KB-model-x1000": (model_fanout(), "nodes to the document"),
    "shared-defaults-x100": (HEAD + "d: &d {framework: sklearn, resources: {cpu: '1', memory: 1Gi}}\nmodels:\n"
                             + "".join(f"  m{i}: {{<<: *d, artifact: 'registry://m{i}:v1'}}\n" for i in range(100)),
                             None),
}
# Strings that cost the schema's patterns or the secret scan: answered (with errors) in linear time.
SLOW_STRINGS: dict[str, str] = {
    "owner-regex-100k": NORTH_STAR.replace("risk-ml@example.com", "a@" + "." * 100_000 + "@"),
    "jwt-regex-1MB": NORTH_STAR.replace("cc-4242", "'" + "eyJ-" * 250_000 + "'"),
    "label-key-regex-1MB": NORTH_STAR.replace("cost-center: cc-4242", "? '" + "a" * 1_000_000 + "!'\n    : x"),
    "slack-regex-1MB": NORTH_STAR.replace("cc-4242", "'" + "xoxb-" * 200_000 + "'"),
}

_CHILD = """
import json, sys, time
from mlops.errors import SpecError
from mlops.spec.load import load
from mlops.spec.validate import check
started = time.process_time()
try:
    found = [d.message for d in check(load(sys.argv[1]))]
except SpecError as exc:
    found = [d.message for d in exc.diagnostics]
# VmHWM: the peak of this process's own memory since exec (ru_maxrss of a child also counts the parent's
# pages it was forked with, hundreds of MiB under pytest)
peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"seconds": time.process_time() - started, "messages": found, "kib": peak}))
"""


def measured(tmp_path: Path, text: str) -> tuple[float, int, list[str]]:
    """CPU seconds to load and validate `text` (interpreter start excluded: CPU time, so that a busy machine does
    not fail the test), peak RSS in MiB, the messages."""
    spec = tmp_path / "mlops.yaml"
    spec.write_text(text, encoding="utf-8")
    child = subprocess.Popen([sys.executable, "-c", _CHILD, str(spec)], stdout=subprocess.PIPE)
    timer = threading.Timer(60, child.kill)
    timer.start()
    assert child.stdout is not None
    out = child.stdout.read()
    _pid, status, _usage = os.wait4(child.pid, 0)
    timer.cancel()
    child.returncode = os.waitstatus_to_exitcode(status)
    assert child.returncode == 0, out
    result = json.loads(out)
    return result["seconds"], result["kib"] // 1024, result["messages"]


@pytest.mark.parametrize("name", BOMBS)
def test_each_bomb_is_refused_in_under_a_second(name: str, tmp_path: Path) -> None:
    text, refusal = BOMBS[name]
    seconds, mib, messages = measured(tmp_path, text)
    if refusal is None:
        assert not any("YAML bomb" in m or "alias" in m for m in messages)
    else:
        assert len(messages) == 1 and refusal in messages[0], messages
    assert seconds < 1.0, f"{name}: {seconds:.2f} s"
    assert mib < 300, f"{name}: {mib} MiB"


@pytest.mark.parametrize("name", SLOW_STRINGS)
def test_long_strings_are_answered_in_linear_time(name: str, tmp_path: Path) -> None:
    seconds, mib, messages = measured(tmp_path, SLOW_STRINGS[name])
    assert messages
    assert seconds < 3.0, f"{name}: {seconds:.2f} s"       # minutes before: quadratic regexes
    assert mib < 400


@pytest.mark.parametrize("text, message", [
    ("a: !!int abc\n", "'abc' is not a valid !!int"),
    ("a: !!int 0x\n", "'0x' is not a valid !!int"),
    ("a: !!int ''\n", "'' is not a valid !!int"),
    ("a: !!bool abc\n", "'abc' is not a valid !!bool"),
    ("a: !!float ''\n", "'' is not a valid !!float"),
    ("a: !!float .\n", "'.' is not a valid !!float"),
    ("a: " + "9" * 5000 + "\n", "is not a valid !!int"),
])
def test_bad_content_under_a_core_tag_is_a_located_error(text: str, message: str) -> None:
    with pytest.raises(SpecError) as caught:
        parse("x: 1\n" + text, "mlops.yaml")
    (d,) = caught.value.diagnostics
    assert (d.line, d.col, d.path) == (2, 4, "$.a") and message in d.message


def test_a_fifo_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "mlops.yaml"
    os.mkfifo(fifo)
    with pytest.raises(Unreadable, match="not a regular file"):
        load(str(fifo))          # before: blocked until a writer came


@pytest.mark.parametrize("device", ["/dev/null", "/dev/zero"])
def test_a_device_is_refused(device: str) -> None:
    with pytest.raises(Unreadable, match="not a regular file"):
        load(device)


def test_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(Unreadable, match="Is a directory"):
        load(str(tmp_path))
