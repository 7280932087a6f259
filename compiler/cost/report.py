"""Cost reporters: estimates and comparisons as an aligned table, Markdown (pull-request comments) or JSON.

They return text; the CLI prints. Amounts are rounded to cents here and only here: the data keeps
the exact decimals (and JSON carries them as computed).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import ROUND_HALF_UP, Decimal

from mlops.cost import compare
from mlops.cost import estimate as cost
from mlops.diagnostics.words import markdown
from mlops.targets.base import catalog as catalogs

CENT = Decimal("0.01")
Row = list[str]


def amount(value: Decimal) -> str:
    return f"{value.quantize(CENT, rounding=ROUND_HALF_UP):,}"


def money_range(value: cost.Range) -> str:
    """`455.34..2,859.08`: a monthly cost at min..at max."""
    return f"{amount(value.min)}..{amount(value.max)}"


def signed(value: Decimal) -> str:
    rounded = value.quantize(CENT, rounding=ROUND_HALF_UP)
    return ("+" if rounded > 0 else "-" if rounded < 0 else "±") + f"{abs(rounded):,}"


def delta_line(change: cost.Delta) -> str:
    """One line for the top of `mlops plan`:
    `production: +1,234.56/month at max (+0.00 at min), now 455.34..2,859.08`."""
    return (f"{change.environment}: {signed(change.change.max)}/month at max ({signed(change.change.min)} at min), "
            f"now {money_range(change.after)}")


# --- one estimate per environment -------------------------------------------------------------------------

HEADER = ["line", "instance type", "capacity", "nodes", "per node-hour", "at min", "at max",
          "the other capacity (min..max)"]
NUMERIC = {3, 4, 5, 6}


def _pool_row(pool: cost.PoolLine) -> Row:
    carried = f" ({pool.accelerator})" if pool.accelerator else ""
    other = (f"{pool.other_capacity} {money_range(pool.other_cost)}" if pool.other_cost
             else f"no {pool.other_capacity} offering")
    return [f"pool {pool.name}", pool.instance_type + carried, pool.capacity, f"{pool.floor}..{pool.max_nodes}",
            str(pool.hourly), amount(pool.cost.min), amount(pool.cost.max), other]


def _estimate_rows(estimate: cost.Estimate) -> list[Row]:
    rows = [_pool_row(p) for p in estimate.pools]
    # at max the pool's own line already pays for its runs (see the line's note)
    rows += [[t.name, t.instance_type, t.capacity, str(t.nodes), str(t.hourly), amount(t.monthly), "in pool", ""]
             for t in estimate.training]
    rows += [[f.name, "", "", "", "", amount(f.monthly), amount(f.monthly), ""] for f in estimate.fixed]
    rows.append(["total", "", "", "", "", amount(estimate.total.min), amount(estimate.total.max), ""])
    return rows


def _title(estimate: cost.Estimate) -> str:
    if estimate.existing_cluster:
        return (f"{estimate.environment}: target {estimate.target} ({estimate.provider}), existing cluster: "
                "no cloud cost, 0.00")
    return (f"{estimate.environment}: target {estimate.target} ({estimate.provider} {estimate.region}), "
            f"{estimate.currency} per month of {estimate.hours_per_month} h, prices of {estimate.prices_taken}")


def _sources(estimates: Sequence[cost.Estimate]) -> str:
    dated = sorted({(e.provider, e.prices_taken) for e in estimates if e.prices_taken})
    if not dated:
        return "no cloud prices used"
    stale = [f"\nwarning: the {p} catalog's prices are of {d}, more than {catalogs.STALE_AFTER_DAYS} days old: "
             f"refresh targets/{p}/catalog.yaml before relying on them"
             for p, d in dated if catalogs.load(p).stale(catalogs.today())]
    return ("prices: " + ", ".join(f"{p} catalog of {d}" for p, d in dated)
            + " (targets/<provider>/catalog.yaml; spot prices are indicative, see each catalog's spotEstimate)"
            + "".join(stale))


def _grand_total(estimates: Sequence[cost.Estimate]) -> cost.Range:
    return sum((e.total for e in estimates), cost.NOTHING)


def estimates_table(estimates: Sequence[cost.Estimate]) -> str:
    out: list[str] = []
    for estimate in estimates:
        out.append(_title(estimate))
        if not estimate.existing_cluster:
            out += ["  " + line for line in grid([HEADER, *_estimate_rows(estimate)], NUMERIC)]
        out += [f"  note: {n}" for n in estimate.notes if n != cost.EXISTING_CLUSTER]
        out.append("")
    out.append(f"all environments: {money_range(_grand_total(estimates))} per month (at min..at max)")
    out.append(_sources(estimates))
    return "\n".join(out) + "\n"


def estimates_markdown(estimates: Sequence[cost.Estimate]) -> str:
    out = ["## Monthly cost", ""]
    for estimate in estimates:
        out += [f"### {markdown(_title(estimate))}", ""]
        if not estimate.existing_cluster:
            rows = _estimate_rows(estimate)
            *lines, total = markdown_table([HEADER, *rows], NUMERIC)
            out += [*lines, _bold_cells(total), ""]
        out += [f"- {markdown(n)}" for n in estimate.notes if n != cost.EXISTING_CLUSTER]
        out += [""] if any(n != cost.EXISTING_CLUSTER for n in estimate.notes) else []
    out += [f"**All environments: {money_range(_grand_total(estimates))} per month** (at min..at max)", "",
            markdown(_sources(estimates))]
    return "\n".join(out) + "\n"


# --- a comparison across providers -----------------------------------------------------------------------

def _instance(cell: compare.Cell, pool: str) -> str:
    gone = next((m.what for m in cell.missing if m.pool == pool), None)
    if gone:
        return f"missing: {gone}"
    priced = cell.estimate or cell.partial
    line = next((p for p in priced.pools if p.name == pool), None) if priced else None
    if line is None:
        return "-"
    swapped = f" ({line.accelerator})" if line.accelerator != line.accelerator_asked else ""
    return line.instance_type + swapped


def _money_cell(cell: compare.Cell, pick: Callable[[cost.Range], Decimal]) -> str:
    if cell.estimate is None:
        return "missing: " + "; ".join(sorted({m.what for m in cell.missing}))
    return amount(pick(cell.estimate.total))


def _comparison_rows(c: compare.Comparison) -> list[Row]:
    rows: list[Row] = [["", *c.providers]]
    for env in c.environments:
        cells = [c.cell(env, p) for p in c.providers]
        pools = sorted({p.name for cell in cells for e in (cell.estimate, cell.partial) if e for p in e.pools}
                       | {m.pool for cell in cells for m in cell.missing if m.pool})
        rows.append([env, *["" for _ in cells]])
        rows.append(["  region", *[_region(cell) for cell in cells]])
        rows += [[f"  pool {pool}", *[_instance(cell, pool) for cell in cells]] for pool in pools]
        rows.append(["  at min", *[_money_cell(cell, lambda r: r.min) for cell in cells]])
        rows.append(["  at max", *[_money_cell(cell, lambda r: r.max) for cell in cells]])
    totals = [c.total(p) for p in c.providers]
    rows.append(["all environments", *["" for _ in totals]])
    rows.append(["  at min", *[amount(t.min) if t else "incomplete" for t in totals]])
    rows.append(["  at max", *[amount(t.max) if t else "incomplete" for t in totals]])
    return rows


def _region(cell: compare.Cell) -> str:
    if cell.estimate and cell.estimate.existing_cluster:
        return f"existing cluster ({cell.estimate.target}, stays)"
    return (cell.region or "none nearby") + (" (current)" if cell.current else "")


def _findings(c: compare.Comparison) -> list[str]:
    out = [f"{cell.environment}, {cell.provider}: cannot: {m.message}" for cell in c.cells for m in cell.missing]
    out += [f"{cell.environment}, {cell.provider}: {n}" for cell in c.cells for n in cell.notes]
    return out


def _comparison_head(c: compare.Comparison) -> str:
    hours = sorted({cell.estimate.hours_per_month for cell in c.cells if cell.estimate}) or [cost.HOURS_PER_MONTH]
    return (f"Monthly cost by provider, USD per month of {hours[0]} h: at min = every node pool at its floor, at max = "
            f"at scaling.max.\nEach cloud environment is moved to the provider's nearest covered region; "
            f"existing clusters stay.")


def _used(c: compare.Comparison) -> list[cost.Estimate]:
    return [e for cell in c.cells for e in (cell.estimate, cell.partial) if e]


def comparison_table(c: compare.Comparison) -> str:
    rows = _comparison_rows(c)
    out = [_comparison_head(c), "", *grid(rows, set())]
    findings = _findings(c)
    if findings:
        out += ["", "asks a provider does not meet as written:", *[f"  {f}" for f in findings]]
    out += ["", _sources(_used(c))]
    return "\n".join(out) + "\n"


def comparison_markdown(c: compare.Comparison) -> str:
    rows = _comparison_rows(c)
    table = markdown_table([rows[0], *[[r[0].strip(), *r[1:]] for r in rows[1:]]], set())
    table = table[:2] + [_bold_cells(line, first_only=True) if not r[0].startswith(" ") else line
                         for r, line in zip(rows[1:], table[2:], strict=True)]
    out = ["## Monthly cost by provider", "", markdown(_comparison_head(c)), "", *table]
    findings = _findings(c)
    if findings:
        out += ["", "Asks a provider does not meet as written:", "", *[f"- {markdown(f)}" for f in findings]]
    out += ["", markdown(_sources(_used(c)))]
    return "\n".join(out) + "\n"


# --- layout -----------------------------------------------------------------------------------------------

def grid(rows: Sequence[Row], numeric: set[int]) -> list[str]:
    """Columns padded to their widest cell, numbers right-aligned, trailing blanks trimmed."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [c.rjust(w) if i in numeric else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))]
        lines.append("  ".join(cells).rstrip())
    return lines


def _bold_cells(line: str, first_only: bool = False) -> str:
    """A Markdown table row with its (first, or every non-empty) cells in bold."""
    cells = line[2:-2].split(" | ")
    bold = [f"**{c}**" if c and (not first_only or i == 0) else c for i, c in enumerate(cells)]
    return "| " + " | ".join(bold) + " |"


def markdown_table(rows: Sequence[Row], numeric: set[int]) -> list[str]:
    head, *body = rows
    rule = ["---:" if i in numeric else "---" for i in range(len(head))]
    return ["| " + " | ".join(markdown(c) for c in row) + " |" for row in [head, rule, *body]]


ESTIMATES: dict[str, Callable[[Sequence[cost.Estimate]], str]] = {
    "table": estimates_table, "markdown": estimates_markdown, "json": cost.to_json}
COMPARISONS: dict[str, Callable[[compare.Comparison], str]] = {
    "table": comparison_table, "markdown": comparison_markdown, "json": compare.to_json}
