"""What the workflows `mlops init` writes pip-install: this project, pinned, and nothing else.

PyPI's `mlops` is an unrelated 2018 package (a TensorFlow toolkit with no `mlops` command): a workflow that
installed it would run a stranger's setup.py next to cloud OIDC credentials. So the workflows install the
distribution `mlops-compiler` at exactly the version that wrote them, or a git reference pinned to one commit,
and `mlops init` refuses anything else: another name, a range, a branch or tag (both move), pip options.
The target extras a job needs (`[aws]`, ...) are added here, from the spec, never typed by the user.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from mlops import DISTRIBUTION
from mlops.errors import UsageError

# PEP 440 public versions (no wildcard, no local part): what `==` pins exactly.
_VERSION = re.compile(r"(\d+!)?\d+(\.\d+)*((a|b|rc)\d+)?(\.post\d+)?(\.dev\d+)?")
# A git URL pip understands, pinned to a full commit id (sha-1 or sha-256): no credentials in it (a workflow file
# is public to everyone who can read the repository), no #egg or #subdirectory fragments.
_GIT = re.compile(r"git\+(https://|ssh://git@)[A-Za-z0-9.-]+(:\d+)?/[A-Za-z0-9._~/%+-]+@([0-9a-f]{40}|[0-9a-f]{64})")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


class PackageRefused(UsageError):
    """`--package` names something other than this project, pinned."""


@dataclass(frozen=True)
class Install:
    """This project, pinned: a released version (`version`) or a git commit (`url`)."""

    version: str | None = None
    url: str | None = None

    def requirement(self, extras: Iterable[str] = ()) -> str:
        """`mlops-compiler[aws,gcp]==0.1.0`, or `mlops-compiler[aws] @ git+https://...@<commit>`: pip checks that
        what it installs is named `mlops-compiler`, so a git URL of another project fails instead of running."""
        chosen = sorted(set(extras))
        name = f"{DISTRIBUTION}[{','.join(chosen)}]" if chosen else DISTRIBUTION
        return f"{name}=={self.version}" if self.version else f"{name} @ {self.url}"

    @property
    def shown(self) -> str:
        return self.requirement()


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def this_version() -> Install:
    """The installed mlops-compiler's own version. Raises PackageRefused when it is not installed as a distribution."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return Install(version=version(DISTRIBUTION))
    except PackageNotFoundError:
        raise PackageRefused(f"{DISTRIBUTION} is not installed as a distribution here, so the workflows cannot pin "
                             f"its version: give --package {DISTRIBUTION}==VERSION or "
                             f"--package git+https://HOST/REPO@COMMIT") from None


def parse(package: str | None) -> Install:
    """What `--package` asks the workflows to install (None: this version). Raises PackageRefused otherwise."""
    if package is None:
        return this_version()
    text = package.strip()
    if _GIT.fullmatch(text):
        return Install(url=text)
    name, sep, rest = text.partition(" @ ")
    if sep and _normal(name) == DISTRIBUTION and _GIT.fullmatch(rest.strip()):
        return Install(url=rest.strip())
    name, sep, pinned = text.partition("==")
    if sep and _NAME.fullmatch(name) and _normal(name) == DISTRIBUTION and _VERSION.fullmatch(pinned):
        return Install(version=pinned)
    raise PackageRefused(_why(text))


_USERINFO = re.compile(r"(?<=://)[^/@\s]+@")


def _why(text: str) -> str:
    name = re.split(r"[\s\[=<>!~@]", text, maxsplit=1)[0]
    credentials = text.startswith("git+") and _USERINFO.search(text) and not text.startswith("git+ssh://git@")
    if credentials:                         # never repeat a token back
        text = _USERINFO.sub("***@", text)
        told = "a workflow must not carry credentials in a URL (use the runner's git credentials)"
    elif _normal(name) == "mlops":
        told = "PyPI's `mlops` is an unrelated 2018 package, not this project"
    elif text.startswith("git+"):
        told = "a git reference must be pinned to a full commit id (branches and tags move)"
    elif _normal(name) == DISTRIBUTION:
        told = "the version must be pinned exactly, with =="
    else:
        told = f"the workflows install {DISTRIBUTION} only"
    return (f"refusing to write workflows installing '{text}': {told}; give --package {DISTRIBUTION}==VERSION or "
            f"--package git+https://HOST/REPO@COMMIT (default: this version)")
