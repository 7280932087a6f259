"""What a change to a model's retraining or data contract means, in words, from the IR of both sides.

`fraud-scorer: now retrains every day at 03:00 UTC, was Mondays at 03:00 UTC; gate roc_auc min 0.9 → 0.92` and
`fraud-scorer: data contract: country now allows `es`; amount max 100000 → 50000`. Training is told in the
environment whose cluster runs it (`training.environment`: its CronWorkflow and WorkflowTemplate live there);
the contract in every environment that checks it (the pipeline in the training environment, live data checks
wherever the model serves).
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence

from mlops import ir
from mlops.gitops.plan.narrate import versions

TRAINING, CONTRACT = "training changed", "data contract changed"
DAYS = ("Sundays", "Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays")
# robfig/cron's predefined schedules (robfig/cron@004a5153dd19:parser.go, parseDescriptor), as the cron they stand for
MACROS = {"@hourly": "0 * * * *", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@weekly": "0 0 * * 0",
          "@monthly": "0 0 1 * *", "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *"}


def said(old: ir.Model | None, new: ir.Model | None, environment: str) -> tuple[tuple[str, str], ...]:
    """(kind, sentence) for the training and the contract of a model on both sides; () when neither changes."""
    if old is None or new is None:
        return ()
    out: list[tuple[str, str]] = []
    if environment in {t.environment for t in (old.training, new.training) if t}:
        training = _training(old.training, new.training)
        out += [(TRAINING, f"{new.name}: {'; '.join(training)}")] if training else []
    contract = _contract(old.data, new.data)
    out += [(CONTRACT, f"{new.name}: data contract: {'; '.join(contract)}")] if contract else []
    return tuple(out)


def when(schedule: str | None) -> str:
    """`every day at 03:00 UTC`, `Mondays at 03:00 UTC`, `every hour at :15`; other crons as written."""
    if schedule is None:
        return "on no schedule"
    fields = MACROS.get(schedule, schedule).split()
    if len(fields) != 5 or not all(f.isdigit() for f in fields[:2]):
        return "every hour" if fields[:1] == ["0"] and fields[1:] == ["*"] * 4 else f"on cron '{schedule}'"
    minute, hour, dom, month, dow = fields
    at = f"at {int(hour):02d}:{int(minute):02d} UTC"          # the CronWorkflow runs in timezone UTC
    if (dom, month, dow) == ("*", "*", "*"):
        return f"every day {at}"
    if (dom, month) == ("*", "*") and dow.isdigit():
        return f"{DAYS[int(dow) % 7]} {at}"
    if month == "*" and dow == "*" and dom.isdigit():
        return f"on day {dom} of each month {at}"
    return f"on cron '{schedule}'"


def _training(old: ir.Training | None, new: ir.Training | None) -> list[str]:
    """Called only when one side trains here."""
    if new is None:
        return ["no longer retrains"]
    if old is None:
        return ["now retrains " + _triggers(new)]
    out = []
    if old.on_drift != new.on_drift and old.schedule == new.schedule:
        out.append("now also retrains when its drift alert fires" if new.on_drift
                   else "no longer retrains when its drift alert fires")
    elif old.on_drift != new.on_drift:
        out.append(f"now retrains {_triggers(new)}, was {_triggers(old)}")
    elif old.schedule != new.schedule:
        drift = " (and when its drift alert fires, as before)" if new.on_drift else ""
        out.append(f"now retrains {when(new.schedule)}, was {when(old.schedule)}{drift}")
    out += _run(old, new)
    out += _thresholds("gate", old.metrics, new.metrics) + _thresholds("fairness gate", old.fairness, new.fairness)
    if old.data_checks != new.data_checks:
        out.append(f"data checks {old.data_checks} → {new.data_checks} ({CHECKS[new.data_checks]})")
    return out + _reviewers(old.reviewers, new.reviewers)


def _run(old: ir.Training, new: ir.Training) -> list[str]:
    """How one run runs: image, command, resources, pool, timeout, where it publishes."""
    out = [f"training image {versions(old.image, new.image)}"] if old.image != new.image else []
    if (old.command, old.args) != (new.command, new.args):
        out.append(f"training command {_command(old)} → {_command(new)}")
    out += [f"training {what} {getattr(old.compute, what)} → {getattr(new.compute, what)}"
            for what in ("cpu", "memory", "gpu") if getattr(old.compute, what) != getattr(new.compute, what)]
    if old.node_pool != new.node_pool:
        out.append(f"training pool {_pool(old.node_pool)} → {_pool(new.node_pool)}")
    if old.timeout_seconds != new.timeout_seconds:
        out.append(f"training timeout {_span(old.timeout_seconds)} → {_span(new.timeout_seconds)}")
    if old.output != new.output:
        out.append(f"runs now publish to {new.output}, was {old.output} (propose reads the new folder only)")
    return out


# what a failed data contract does to a run (mlops.emit.k8s.training: the datacheck step exits non-zero and stops
# the DAG with `required`, runs with --exit-zero under `warn`, is absent with `off`)
CHECKS = {"required": "a failed data check stops the run",
          "warn": "a failed data check is noted in the gate report and the run goes on", "off": "no data check runs"}


def _command(t: ir.Training) -> str:
    return shlex.join((*t.command, *t.args)) or "the image's own"


def _pool(name: str | None) -> str:
    return name or "none (any node)"


def _span(seconds: int) -> str:
    """21600 -> `6h`, 5400 -> `1h30m`, 90 -> `1m30s`: the spec's own duration style."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return "".join(f"{n}{unit}" for n, unit in ((hours, "h"), (minutes, "m"), (secs, "s")) if n) or "0s"


def _reviewers(old: Sequence[str], new: Sequence[str]) -> list[str]:
    added, gone = [r for r in new if r not in old], [r for r in old if r not in new]
    out = [f"its proposals now also ask {', '.join(added)} to review"] if added else []
    return out + ([f"its proposals no longer ask {', '.join(gone)} to review"] if gone else [])


def _triggers(t: ir.Training) -> str:
    drift = " and when its drift alert fires" if t.on_drift else ""
    if t.schedule is None:
        return "only when its drift alert fires" if t.on_drift else "on no trigger"
    return when(t.schedule) + drift


def _thresholds(gate: str, old: Sequence[ir.Threshold], new: Sequence[ir.Threshold]) -> list[str]:
    before, after = {t.metric: t for t in old}, {t.metric: t for t in new}
    out = []
    for metric in [*after, *(m for m in before if m not in after)]:
        was, now = before.get(metric), after.get(metric)
        if now is None:
            out.append(f"{gate} no longer bounds {metric}")
            continue
        for bound in ("min", "max", "min_change"):
            a, b = getattr(was, bound) if was else None, getattr(now, bound)
            if a != b:
                out.append(f"{gate} {metric} {_bound(bound)} {_value(a)} → {_value(b)}")
    return out


def _bound(name: str) -> str:
    return "minChange" if name == "min_change" else name


def _value(value: float | int | str | bool | None) -> str:
    if value is None:
        return "none"
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value)


def _contract(old: ir.Data | None, new: ir.Data | None) -> list[str]:
    if old is None or new is None:
        return ["declared" if new else "removed: no data checks"] if (old or new) else []
    before, after = {c.name: c for c in old.columns}, {c.name: c for c in new.columns}
    out = [f"column `{n}` added ({after[n].type}{', required' if after[n].required else ''})"
           for n in after if n not in before]
    out += [f"column `{n}` removed" for n in before if n not in after]
    for name in (n for n in after if n in before):
        out += _column(before[name], after[name])
    if (old.rows_min, old.rows_max) != (new.rows_min, new.rows_max):
        out.append(f"rows {_value(old.rows_min)}..{_value(old.rows_max)} → {_value(new.rows_min)}.."
                   f"{_value(new.rows_max)}")
    return out


def _column(was: ir.Column, now: ir.Column) -> list[str]:
    name, out = now.name, []
    if was.type != now.type:
        out.append(f"{name} type {was.type} → {now.type}")
    if was.required != now.required:
        out.append(f"{name} now {'required' if now.required else 'optional'}")
    if was.unique != now.unique:
        out.append(f"{name} now {'unique' if now.unique else 'allows duplicates'}")
    out += [f"{name} {bound} {_value(getattr(was, bound))} → {_value(getattr(now, bound))}"
            for bound in ("min", "max") if getattr(was, bound) != getattr(now, bound)]
    if was.values != now.values:
        added = [v for v in now.values if v not in was.values]
        gone = [v for v in was.values if v not in now.values]
        if not now.values or not was.values:
            out.append(f"{name} now allows {'any value' if not now.values else _listed(now.values) + ' only'}")
        else:
            out += [f"{name} now allows {_listed(added)}"] if added else []
            out += [f"{name} no longer allows {_listed(gone)}"] if gone else []
    if was.freshness_seconds != now.freshness_seconds:
        out.append(f"{name} freshness {_value(was.freshness_seconds)} s → {_value(now.freshness_seconds)} s")
    return out


def _listed(values: Sequence[str | int | float | bool]) -> str:
    return ", ".join(f"`{_value(v)}`" for v in values)
