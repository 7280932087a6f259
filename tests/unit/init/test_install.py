"""What `mlops init --package` accepts: this project pinned (a released version, or a git commit), nothing else."""

from __future__ import annotations

import pytest

from mlops.init.install import Install, PackageRefused, parse

SHA = "0123456789abcdef0123456789abcdef01234567"


@pytest.mark.parametrize(("given", "requirement"), [
    ("mlops-compiler==0.1.0", "mlops-compiler[aws,gcp]==0.1.0"),
    ("mlops_compiler==1.2.3rc1", "mlops-compiler[aws,gcp]==1.2.3rc1"),
    (f"git+https://github.com/acme/mlops@{SHA}", f"mlops-compiler[aws,gcp] @ git+https://github.com/acme/mlops@{SHA}"),
    (f"mlops-compiler @ git+https://github.com/acme/mlops.git@{SHA}",
     f"mlops-compiler[aws,gcp] @ git+https://github.com/acme/mlops.git@{SHA}"),
    (f"git+ssh://git@github.com/acme/mlops.git@{SHA}", f"mlops-compiler[aws,gcp] @ git+ssh://git@github.com/acme/mlops.git@{SHA}"),
])
def test_this_project_pinned_is_accepted_and_gets_the_extras(given: str, requirement: str) -> None:
    assert parse(given).requirement(["gcp", "aws", "gcp"]) == requirement


@pytest.mark.parametrize(("given", "why"), [
    ("mlops==0.1.0", "PyPI's `mlops` is an unrelated 2018 package"),
    ("mlops", "PyPI's `mlops` is an unrelated 2018 package"),
    ("mlops-compiler", "pinned exactly, with =="),
    ("mlops-compiler>=0.1", "pinned exactly, with =="),
    ("mlops-compiler==0.1.*", "pinned exactly, with =="),
    ("mlops-compiler==0.1.0 --extra-index-url https://evil.example", "pinned exactly, with =="),
    ("git+https://github.com/acme/mlops@main", "pinned to a full commit id"),
    ("git+https://github.com/acme/mlops@v0.1.0", "pinned to a full commit id"),
    (f"git+https://github.com/acme/mlops@{SHA}#egg=other", "pinned to a full commit id"),
    ("requests==2.32.0", "the workflows install mlops-compiler only"),
    ("./dist/mlops_compiler-0.1.0.whl", "the workflows install mlops-compiler only"),
])
def test_anything_else_is_refused(given: str, why: str) -> None:
    with pytest.raises(PackageRefused, match="refusing to write workflows installing") as refused:
        parse(given)
    assert why in str(refused.value)


def test_a_token_in_a_git_url_is_refused_without_being_repeated() -> None:
    with pytest.raises(PackageRefused) as refused:
        parse(f"git+https://ghp_s3cr3t@github.com/acme/mlops@{SHA}")
    assert "ghp_s3cr3t" not in str(refused.value) and "must not carry credentials" in str(refused.value)


def test_the_default_is_the_installed_version() -> None:
    from importlib.metadata import version

    assert parse(None) == Install(version=version("mlops-compiler"))
