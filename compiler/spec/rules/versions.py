"""Kubernetes versions: one the target's managed service still creates clusters at, judged on today's date
(`mlops.targets.base.catalog.today`) against the support table in the provider's catalog.

Past its support: an error (`pulumi up` would fail at cluster creation). In extended support: a warning with
what it costs (`mlops cost` adds the line). Newer than the table: a warning, since the table may simply be older
than the release. Existing clusters (no catalog) are not judged: their version is not ours to choose.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

from mlops.diagnostics import Diagnostic, Path
from mlops.spec.defaults import DEFAULTS
from mlops.spec.overlay import EnvSource
from mlops.spec.raw import mapping
from mlops.targets.base import catalog as catalogs


def kubernetes_versions(doc: dict[str, Any], target: dict[str, Any] | None, at: EnvSource) -> Iterator[Diagnostic]:
    provider = mapping(target).get("provider")
    if provider not in catalogs.CLOUD_PROVIDERS:
        return
    table = catalogs.load(provider).kubernetes
    written = mapping(doc.get("cluster")).get("kubernetesVersion")
    if table is None or (written is not None and not isinstance(written, str)):
        return  # the schema reports a version that is not a string
    if written is not None and not re.fullmatch(r"[0-9]+(\.[0-9]+)*", written):
        return  # nor a version at all (its pattern): nothing to compare with the table
    minor = written or DEFAULTS["kubernetesVersion"]
    where: Path = ("cluster", "kubernetesVersion") if written else ("targets", mapping(target)["_name"], "provider")
    message, severity = judge(table, minor, catalogs.today(), catalogs.load(provider).hours_per_month)
    if message:
        name = "" if written else " (the default: set cluster.kubernetesVersion)"
        yield at.error(where, f"Kubernetes {minor}{name} {message} (target {mapping(target)['_name']})",
                       severity=severity)


def judge(table: catalogs.KubernetesSupport, minor: str, on: date, hours: int) -> tuple[str, Any]:
    """What to say of `minor` on day `on`: (message, severity), or ("", None) when it is in standard support."""
    choose = f"use {_one_of(table.in_standard(on))}" if table.in_standard(on) else "no version is in standard support"
    version = table.versions.get(minor)
    if version is None:
        known = table.minors()
        if known and catalogs.minor_key(minor) > catalogs.minor_key(known[-1]):
            return (f"is newer than the {table.service} versions mlops knows ({known[0]} to {known[-1]}, table of "
                    f"{table.taken}): check that {table.service} offers it", "warning")
        return f"is not offered by {table.service}: {table.ended}; {choose}", "error"
    state = version.state(on)
    if state == "unreleased":
        return f"is not offered by {table.service} before {version.released}; {choose}", "error"
    if state == "ended":
        last = version.end_of_extended or version.end_of_standard
        kind = "extended support" if version.end_of_extended else "support"
        standard = f"; standard support ended {version.end_of_standard}" if version.end_of_extended else ""
        return f"is past the end of {table.service} {kind} ({last}{standard}): {table.ended}; {choose}", "error"
    if state == "extended":
        return (f"is in {table.service} extended support since {version.end_of_standard} "
                f"(until {version.end_of_extended}): "
                f"{surcharge(table, hours)}; {choose} to stay in standard support", "warning")
    return "", None


def surcharge(table: catalogs.KubernetesSupport, hours: int) -> str:
    if table.extended_per_hour is None:
        return "extended support is billed"
    per_hour = Decimal(repr(table.extended_per_hour))
    return f"the cluster costs ${per_hour:.2f} more per hour (+${per_hour * hours:,.2f} per month, see mlops cost)"


def _one_of(minors: list[str]) -> str:
    return minors[0] if len(minors) == 1 else ", ".join(minors[:-1]) + f" or {minors[-1]}"
