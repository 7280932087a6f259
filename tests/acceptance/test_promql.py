"""Every PromQL expression mlops emits (alert rules, rollout analyses, KEDA triggers, dashboards) parses with the
Prometheus project's grammar, on every example × environment × provider; and an expression that does not is
caught, with where."""

from __future__ import annotations

from tests.support.promql import as_sent, syntax_errors

from .wiring_build import Build, build, cases
from .wiring_rules import queries


def test_every_emitted_expression_parses() -> None:
    found: list[tuple[str, str]] = []
    for example, env, provider in cases():
        b = build(example, env, provider)
        if isinstance(b, Build):
            found += [(f"{b.case} {where}", expr) for where, expr in queries(b)]
    assert len(found) > 500 and {expr for _, expr in found if "{{args." in expr}   # analyses are among them
    bad = {expr for expr, _ in syntax_errors(sorted({e for _, e in found}))}
    assert not bad, "\n".join(f"{where}: {expr}" for where, expr in found if as_sent(expr) in bad)


def test_an_expression_that_does_not_parse_is_caught_where_it_breaks() -> None:
    fine = 'sum(rate(rest_server_requests_total{service="{{args.service}}"}[$__rate_interval]))'
    assert syntax_errors([fine, "sum(rate(x[5m])", "min by (variant (x)"]) == [
        ("sum(rate(x[5m])", [15]), ("min by (variant (x)", [16])]
