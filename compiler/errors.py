"""The one error family. Library code raises these, never prints and never exits; the CLI maps each to its exit
code in one place (`mlops.cli`). Anything else that escapes a command is a bug: exit 3, "internal error".

    MlopsError
    ├── UsageError  (2)  the command line: an unreadable FILE, an unknown --env, an unusable --out, ...
    ├── Failure     (1)  the command could not do its job: an invalid spec, git, Pulumi, the promotion gate, ...
    │   └── SpecError    carries every located diagnostic
    └── Paused      (4)  `apply`: the rollout waits for a person
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from mlops.diagnostics import Diagnostic

EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_INTERNAL, EXIT_PAUSED = 0, 1, 2, 3, 4


class MlopsError(Exception):
    """A failure a user can cause and fix. `str(error)` is one line, printed after `mlops: `."""

    exit_code: ClassVar[int] = EXIT_FAILURE
    diagnostics: tuple[Diagnostic, ...] = ()     # located problems to print before the message

    def lines(self) -> list[str]:
        """What the CLI prints, each line after `mlops: ` (most errors: their message)."""
        return [str(self)]


class UsageError(MlopsError):
    exit_code = EXIT_USAGE


class Failure(MlopsError):
    exit_code = EXIT_FAILURE


class Paused(MlopsError):
    exit_code = EXIT_PAUSED


class SpecError(Failure):
    """The spec cannot be used; carries every diagnostic found, sorted and de-duplicated. The command that
    raised it says what did not happen (`nothing written`, `cannot price FILE`, ...)."""

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        self.diagnostics = tuple(sorted(set(diagnostics)))
        super().__init__("\n".join(d.text() for d in self.diagnostics))

    @property
    def errors(self) -> int:
        return sum(d.severity == "error" for d in self.diagnostics)
