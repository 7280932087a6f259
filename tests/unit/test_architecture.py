"""The architecture, enforced: stages import one way, provider knowledge stays in targets/, and the commands
that need no cloud SDK import none."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.support import ROOT

PACKAGE_DIRS = {"mlops": ROOT / "compiler", "mlops.targets": ROOT / "targets", "mlops.schemas": ROOT / "schemas"}

# Each layer may import itself and the layers listed for it; nothing else of mlops. Read top-down: a layer is
# imported only by those above it.
ALLOWED: dict[str, set[str]] = {
    "schemas": set(),
    "diagnostics": set(),
    "errors": {"diagnostics"},
    "ir": {"errors", "diagnostics"},
    "targets": {"errors", "diagnostics", "ir"},
    "spec": {"errors", "diagnostics", "ir", "targets", "schemas"},
    "emit": {"errors", "diagnostics", "ir", "targets"},
    "write": {"errors"},
    "pipeline": {"errors", "diagnostics", "ir", "targets", "spec", "emit", "write"},
    "runtime": {"errors", "ir", "targets"},
    "cost": {"errors", "diagnostics", "ir", "targets", "spec", "pipeline"},
    "gitops": {"errors", "diagnostics", "ir", "targets", "spec", "emit", "write", "pipeline", "cost"},
    "init": {"errors", "diagnostics", "ir", "targets", "spec", "pipeline", "gitops"},
    "cli": {"errors", "diagnostics", "ir", "targets", "spec", "emit", "write", "pipeline", "cost", "gitops", "init"},
    "__main__": {"cli"},
    "jobs": set(),          # the job programs ship in a lean image of their own: nothing else of mlops
}


def modules() -> dict[str, Path]:
    out = {}
    for package, folder in PACKAGE_DIRS.items():
        for path in folder.rglob("*.py"):
            relative = path.relative_to(folder).with_suffix("")
            parts = [p for p in relative.parts if p != "__init__"]
            out[".".join([package, *parts])] = path
    return out


def layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "mlops"


def imports(path: Path, module: str) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                raise AssertionError(f"{module}: relative import (use absolute mlops.* imports)")
            found.add(node.module or "")
            found |= {f"{node.module}.{a.name}" for a in node.names}
    return {name for name in found if name.startswith("mlops.") or name == "mlops"}


def test_every_folder_is_a_package_listed_in_pyproject() -> None:
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    on_disk = {m for m, p in modules().items() if p.name == "__init__.py"}
    assert listed == on_disk


@pytest.mark.parametrize("module", sorted(modules()))
def test_stages_import_one_way(module: str) -> None:
    own = layer(module)
    if own == "mlops":
        return  # the package's own __init__
    allowed = ALLOWED[own] | {own}
    wrong = sorted(i for i in imports(modules()[module], module)
                   if i != "mlops" and layer(i) not in allowed and f"mlops.{layer(i)}" in modules())
    assert not wrong, f"{module} ({own}) imports {wrong}; {own} may import only {sorted(allowed)}"


PROVIDERS = ("aws", "gcp", "azure", "onprem")
TOKEN_PREFIXES = ("aws:", "gcp:", "azure-native:")


def provider_literals(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            value = node.value
            if value in PROVIDERS or value.startswith(TOKEN_PREFIXES):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {value!r}")
    return found


def test_no_provider_knowledge_outside_targets() -> None:
    offenders = [hit for module, path in sorted(modules().items())
                 if not module.startswith("mlops.targets") for hit in provider_literals(path)]
    assert not offenders, "provider names belong behind the Target protocol:\n" + "\n".join(offenders)


def _imported_after(code: str) -> set[str]:
    script = (f"import contextlib, io, sys\nwith contextlib.redirect_stdout(io.StringIO()):\n"
              f"{textwrap.indent(code, '    ')}\nprint('\\n'.join(sorted(m for m in sys.modules if m.split('.')[0] in ")
    script += "('pulumi', 'pulumi_aws', 'pulumi_gcp', 'pulumi_azure_native', 'pulumi_kubernetes', 'kubernetes'))))"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT.parent)
    return set(result.stdout.split())


@pytest.mark.parametrize("example", ["north-star", "quickstart", "retail-edge", "llm-platform"])
def test_compile_manifests_only_imports_no_cloud_sdk(example: str, tmp_path: Path) -> None:
    spec = ROOT / "examples" / example / "mlops.yaml"
    loaded = _imported_after(f"from mlops.cli import main\nassert main(['compile', {str(spec)!r}, '--manifests-only', "
                             f"'--out', {str(tmp_path)!r}]) == 0")
    assert loaded == set()


def test_validate_imports_no_cloud_sdk() -> None:
    spec = ROOT / "examples" / "north-star" / "mlops.yaml"
    assert _imported_after(f"from mlops.cli import main\nmain(['validate', '-q', {str(spec)!r}])") == set()


def test_validate_does_not_map_openssl() -> None:
    """hashlib loads OpenSSL: 3.5 MiB of the 23 MiB `mlops validate` peaks at (benchmarks/run.py); names that
    need a digest import it when they do."""
    spec = ROOT / "examples" / "north-star" / "mlops.yaml"
    code = (f"import contextlib, io, sys\nfrom mlops.cli import main\nwith contextlib.redirect_stderr(io.StringIO()):\n"
            f"    main(['validate', '-q', {str(spec)!r}])\nprint('_hashlib' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT.parent)
    assert result.stdout.splitlines()[-1] == "False"


def test_the_ir_package_loads_every_name_it_lists() -> None:
    """mlops.ir loads its types on first use (validate stays fast): every listed name must be there."""
    from mlops import ir

    assert sorted(ir.__all__) == sorted(ir._HOMES)
    assert all(getattr(ir, name) is not None for name in ir.__all__)


# --- the tests mirror the source -----------------------------------------------------------------------------

UNIT = ROOT / "tests" / "unit"
# Unit tests of what is not one module of the package: the whole package's architecture (this file), and the
# benchmark's spec generator (benchmarks/ is a top-level folder, not part of mlops).
NOT_A_MODULE = {"test_architecture.py": ROOT / "compiler",
                "benchmarks/test_specgen.py": ROOT / "benchmarks" / "specgen.py"}
DATA = ("golden", "cases", "node_modules")   # folders of data, not of tests


def module_under_test(test: Path) -> str:
    """`tests/unit/emit/k8s/test_rollout.py` -> `mlops.emit.k8s.rollout`; a package's own `__init__` is tested
    by the file named after the package (`tests/unit/cli/test_cli.py` -> `mlops.cli`); hostile inputs to a module
    have a file of their own beside it (`tests/unit/spec/test_load_hostile.py` -> `mlops.spec.load`)."""
    folders, name = test.relative_to(UNIT).parent.parts, test.stem.removeprefix("test_").removesuffix("_hostile")
    package = ".".join(["mlops", *folders])
    return package if folders and folders[-1] == name else f"{package}.{name}"


def test_unit_tests_mirror_the_package() -> None:
    known = modules()
    strays = []
    for test in sorted(UNIT.rglob("test_*.py")):
        relative = test.relative_to(UNIT).as_posix()
        if relative in NOT_A_MODULE:
            assert NOT_A_MODULE[relative].exists(), relative
            continue
        if module_under_test(test) not in known:
            strays.append(f"tests/unit/{relative}: no module {module_under_test(test)}")
    assert not strays, "a unit test file is named after the module it tests:\n" + "\n".join(strays)


def test_every_test_folder_is_a_package() -> None:
    folders = {p.parent for p in (ROOT / "tests").rglob("*.py") if not set(DATA) & set(p.parts)}
    missing = sorted(str(f.relative_to(ROOT)) for f in folders if not (f / "__init__.py").is_file())
    assert not missing
