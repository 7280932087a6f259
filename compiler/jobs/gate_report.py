"""The gate's verdict in words: the reasons a candidate fails, and the Markdown report (the pull request body
`mlops propose` opens, so it leads with the verdict and reads top to bottom)."""

from __future__ import annotations

from typing import Any

from mlops.jobs.common import cell, table


def _rule_sentence(name: str, value: Any, champion: Any, rule: dict[str, Any]) -> str:
    text = rule["rule"]
    if "champion" in text:
        return (f"{name} is {cell(value)}, which does not beat the champion's {cell(champion)} by the required "
                f"{text.rsplit(' ', 1)[-1]}")
    return f"{name} is {cell(value)}; the gate asks {text}"


def failures(out: dict[str, Any]) -> list[str]:
    reasons = []
    for row in out["metrics"]:
        reasons += [_rule_sentence(row["metric"], row["candidate"], row["champion"], rule)
                    for rule in row["rules"] if rule["passed"] is False]
    for row in out["fairness"]:
        name = f"{row['metric']} across {row['attribute']}"
        if row["note"]:
            reasons.append(f"{name} is {row['note']}")
            continue
        reasons += [_rule_sentence(name, row["candidate"], row["champion"], rule)
                    for rule in row["rules"] if rule["passed"] is False]
    check = out["data_check"]
    if not check["passed"]:
        reasons.append(check.get("note") or f"the {check.get('dataset') or 'training'} data failed its contract "
                                            f"({len(check.get('failures', []))} checks failed)")
    return reasons


def markdown(out: dict[str, Any]) -> str:
    lines = [_headline(out), ""]
    if out["failures"]:
        lines += ["**Why it fails**", ""] + [f"- {reason}" for reason in out["failures"]] + [""]
    lines += _metrics(out) + _fairness(out) + _data_check(out) + _notes(out)
    return "\n".join(lines)


def _headline(out: dict[str, Any]) -> str:
    cand, champ, holdout = out["candidate"], out["champion"], out["holdout"]
    verdict = "passes" if out["verdict"] == "pass" else "fails"
    against = f"against the champion `{champ['name']}`" if champ else "(no champion yet: the first candidate)"
    return (f"## Gate: the candidate {verdict}\n\nCandidate `{cand['name']}` {against}, on the holdout "
            f"`{holdout['path']}` ({holdout['rows']:,} rows, label `{holdout['label']}`).")


def _rules(rules: list[dict[str, Any]]) -> str:
    return "; ".join(r["rule"] for r in rules) or "—"


def _result(passed: bool | None, rules: list[dict[str, Any]]) -> str:
    if not rules:
        return "(not gated)"
    skipped = [r for r in rules if r["passed"] is None]
    return ("pass" if passed else "**fail**") + (" (change not checked: no champion)" if skipped else "")


def _metrics(out: dict[str, Any]) -> list[str]:
    rows = [(r["metric"], "higher" if r["greater_is_better"] else "lower", r["champion"], r["candidate"],
             _signed(r["change"]), _rules(r["rules"]), _result(r["passed"], r["rules"])) for r in out["metrics"]]
    return ["### Metrics on the holdout", "",
            table(["metric", "better", "champion", "candidate", "change", "rule", "result"], rows), ""]


def _signed(value: float | None) -> str:
    return "—" if value is None else f"{value:+.4f}"


def _fairness(out: dict[str, Any]) -> list[str]:
    if not out["fairness"]:
        return []
    rows = [(r["metric"], r["attribute"], r["champion"], r["candidate"], _rules(r["rules"]),
             _result(r["passed"], r["rules"]) if not r["note"] else "**fail** (not measurable)")
            for r in out["fairness"]]
    lines = ["### Fairness", "", f"Scores at or above {out['decision_threshold']:g} count as positive.", "",
             table(["metric", "attribute", "champion", "candidate", "rule", "result"], rows), ""]
    seen = set()
    for r in out["fairness"]:
        if r["attribute"] not in seen and r["groups"]:
            seen.add(r["attribute"])
            lines += [f"By {r['attribute']}:", "", _groups(r), ""]
    return lines


def _groups(row: dict[str, Any]) -> str:
    """Per group: rows and positive rates (champion, candidate), the candidate's TPR/FPR when measured."""
    rates = [k for k in ("true_positive_rate", "false_positive_rate") if any(k in v for v in row["groups"].values())]
    header = [row["attribute"], "rows", "positive rate (champion)", "positive rate (candidate)",
              *(f"{k.replace('_', ' ').replace('true positive rate', 'TPR').replace('false positive rate', 'FPR')} "
                "(candidate)" for k in rates)]
    body = []
    for group, values in sorted(row["groups"].items()):
        champion = row["champion_groups"].get(group, {}).get("selection_rate")
        name = f"{group} (left out: too few rows)" if group in row["dropped"] else group
        body.append([name, int(values["count"]), champion, values["selection_rate"], *(values.get(k) for k in rates)])
    return table(header, body)


def _data_check(out: dict[str, Any]) -> list[str]:
    check = out["data_check"]
    if check["policy"] == "off":
        return []
    if check.get("verdict") is None:
        return ["### Data check", "", f"{check.get('note')} (policy: {check['policy']}).", ""]
    contract = check.get("contract") or {}
    state = "kept" if check["verdict"] == "pass" else "**did not keep**"
    lines = ["### Data check", "", f"The {check.get('dataset') or 'training'} data {state} its contract "
             f"`{contract.get('id')}` {contract.get('version') or ''} (policy: {check['policy']}).", ""]
    if check.get("failures"):
        lines += [table(["check", "column", "why"], [(c.get("name") or c.get("type"), c.get("field"),
                                                      c.get("reason")) for c in check["failures"]]), ""]
    return lines


def _notes(out: dict[str, Any]) -> list[str]:
    notes = []
    if out["champion"] is None and any(r["passed"] is None for m in out["metrics"] for r in m["rules"]):
        notes.append("There is no champion yet, so `minChange` rules were not applied; the absolute bounds were.")
    dropped = {r["attribute"]: r["dropped"] for r in out["fairness"] if r["dropped"]}
    notes += [f"{attribute}: {', '.join(groups)} left out of fairness (fewer rows than the minimum)."
              for attribute, groups in sorted(dropped.items())]
    return (["### Notes", ""] + [f"- {n}" for n in notes]) if notes else []
