"""PromQL syntax, checked with the Prometheus project's own grammar (`k8s_schemas/node/promql.mjs`, one `node`
process per batch): a rule group with an expression Prometheus cannot parse is not loaded at all, and the
operator's admission webhook refuses the PrometheusRule.

What the expressions go through before Prometheus sees them is applied first: Argo Rollouts replaces an
AnalysisTemplate's `{{args.x}}` with the argument's value, Grafana a dashboard's `$__rate_interval`."""

from __future__ import annotations

import json
import re
import subprocess

from tests.support.k8s_schemas._crd import NODE_DIR, check_install

SUBSTITUTIONS = ((re.compile(r"\{\{\s*args\.[a-zA-Z0-9_-]+\s*\}\}"), "x"),
                 (re.compile(r"\$__(rate_)?interval\b"), "1m"))


def as_sent(expr: str) -> str:
    for pattern, value in SUBSTITUTIONS:
        expr = pattern.sub(value, expr)
    return expr


def syntax_errors(expressions: list[str]) -> list[tuple[str, list[int]]]:
    """(expression, offsets of the parser's error nodes) for each expression that does not parse."""
    if not expressions:
        return []
    sent = [as_sent(e) for e in expressions]
    proc = subprocess.run([check_install(), str(NODE_DIR / "promql.mjs")], input=json.dumps(sent),
                          capture_output=True, text=True, cwd=NODE_DIR, timeout=120, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"node promql.mjs failed (exit {proc.returncode}):\n{proc.stderr.strip()}")
    return [(sent[index], offsets) for index, offsets in json.loads(proc.stdout)]
