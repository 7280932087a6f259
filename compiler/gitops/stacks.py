"""The Pulumi side of `mlops apply`, `mlops plan --live` and `mlops drift`: one small Protocol, backed by the
Automation API.

Each environment is one stack, named after the environment, in each of the two generated projects
(`<platform>-infra` and `<platform>-workloads`, written by `mlops compile`); the workloads project finds the
infra stack through a StackReference. The backend is whatever Pulumi itself would use: `PULUMI_BACKEND_URL`,
`PULUMI_ACCESS_TOKEN`, or the login stored by `pulumi login`. The programs run on the Python interpreter that
runs mlops (`PULUMI_PYTHON_CMD`), so they import the same installed `targets` package.
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

from mlops.errors import Failure

INSTALL = "install it from https://www.pulumi.com/docs/install/ (e.g. curl -fsSL https://get.pulumi.com | sh)"

Output = Callable[[str], None]


class PulumiUnavailable(Failure):
    """The Pulumi CLI (or a backend to keep state in) is not there."""


class StackFailed(Failure):
    """`pulumi up` or `pulumi preview` failed; the message is Pulumi's."""


class Stacks(Protocol):
    def up(self, project_dir: Path, stack: str, on_output: Output) -> dict[str, Any]:
        """Run `pulumi up` on the project's stack (created if new); its outputs, secrets in clear."""

    def preview(self, project_dir: Path, stack: str, on_output: Output) -> dict[str, int] | None:
        """`pulumi preview` of an existing stack: operation -> count; None when the stack does not exist yet."""

    def refresh_preview(self, project_dir: Path, stack: str, on_output: Output) -> dict[str, int] | None:
        """`pulumi refresh --preview-only` of an existing stack (what the cloud changed since the last update, without
        touching the state): operation -> count; None when the stack does not exist."""


def cli_missing() -> str | None:
    """Why the Pulumi CLI cannot run here, or None."""
    if shutil.which("pulumi") is None:
        return f"the pulumi CLI is not installed: {INSTALL}"
    return None


def backend_missing(environ: Mapping[str, str] | None = None, home: Path | None = None) -> str | None:
    """Why Pulumi has nowhere to read state from, or None (a backend URL, a token, or a stored login)."""
    environ = os.environ if environ is None else environ
    if environ.get("PULUMI_BACKEND_URL") or environ.get("PULUMI_ACCESS_TOKEN"):
        return None
    root = home or Path(environ.get("PULUMI_HOME") or Path.home() / ".pulumi")
    try:
        stored = json.loads((root / "credentials.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        stored = {}
    if isinstance(stored, dict) and stored.get("current"):
        return None
    return "no Pulumi backend is configured: run `pulumi login`, or set PULUMI_BACKEND_URL or PULUMI_ACCESS_TOKEN"


class AutomationStacks:
    """`Stacks` through `pulumi.automation` (a module object, replaceable by a fake in tests)."""

    def __init__(self, automation: Any = None) -> None:
        self.auto = automation if automation is not None else importlib.import_module("pulumi.automation")

    def _options(self) -> Any:
        return self.auto.LocalWorkspaceOptions(env_vars={"PULUMI_PYTHON_CMD": sys.executable})

    def up(self, project_dir: Path, stack: str, on_output: Output) -> dict[str, Any]:
        try:
            selected = self.auto.create_or_select_stack(stack_name=stack, work_dir=str(project_dir),
                                                        opts=self._options())
            result = selected.up(on_output=on_output)
        except FileNotFoundError:
            raise PulumiUnavailable(f"the pulumi CLI is not installed: {INSTALL}") from None
        except self.auto.CommandError as exc:
            raise StackFailed(f"pulumi up of {project_dir.name} ({stack}) failed: {_first_error(exc)}") from None
        return {name: out.value for name, out in result.outputs.items()}

    def _select(self, project_dir: Path, stack: str) -> Any:
        """The existing stack, or None."""
        try:
            return self.auto.select_stack(stack_name=stack, work_dir=str(project_dir), opts=self._options())
        except self.auto.StackNotFoundError:
            return None
        except FileNotFoundError:
            raise PulumiUnavailable(f"the pulumi CLI is not installed: {INSTALL}") from None
        except self.auto.CommandError as exc:
            raise StackFailed(f"cannot select stack {stack} of {project_dir.name}: {_first_error(exc)}") from None

    def preview(self, project_dir: Path, stack: str, on_output: Output) -> dict[str, int] | None:
        selected = self._select(project_dir, stack)
        if selected is None:
            return None
        try:
            result = selected.preview(on_output=on_output)
        except self.auto.CommandError as exc:
            raise StackFailed(f"pulumi preview of {project_dir.name} ({stack}) failed: {_first_error(exc)}") from None
        return _summary(result)

    def refresh_preview(self, project_dir: Path, stack: str, on_output: Output) -> dict[str, int] | None:
        selected = self._select(project_dir, stack)
        if selected is None:
            return None
        try:
            # Secrets stay masked in what is printed and reported (the drift report may become an issue).
            result = selected.preview_refresh(on_output=on_output, show_secrets=False)
        except self.auto.CommandError as exc:
            raise StackFailed(f"pulumi refresh --preview-only of {project_dir.name} ({stack}) failed: "
                              f"{_first_error(exc)}") from None
        return _summary(result)


def _summary(result: Any) -> dict[str, int]:
    summary = {str(getattr(op, "value", op)): int(n) for op, n in result.change_summary.items()}
    return dict(sorted(summary.items()))


def _first_error(exc: Exception) -> str:
    """Pulumi's own `error:` lines, without the `code: / stdout: / stderr:` frame the Automation API adds."""
    lines = [line.strip() for line in str(exc).splitlines()]
    lines = [line.split(":", 1)[1].strip() if line.startswith(("stdout:", "stderr:")) else line for line in lines]
    errors = [line for line in lines if line.startswith("error:")]
    rest = [line for line in lines if line and not line.startswith("code:")]
    return " ".join(errors[:3]) if errors else (rest[-1] if rest else type(exc).__name__)
