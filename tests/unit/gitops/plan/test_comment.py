"""The comment's budget: the summary is whole and within its budget, per-model lines collapsing into counts (apply
time first, then refusals, then destructive changes) that point at the full plan; the details get what is left;
the whole never exceeds GitHub's 65,536 characters; `limit=None` (the artifact, `--full`) keeps every line."""

from __future__ import annotations

from dataclasses import replace

from mlops.gitops.plan import Cost, EnvPlan, Plan
from mlops.gitops.plan import comment as c
from mlops.gitops.plan.changes import FieldChange
from mlops.gitops.plan.infra_diff import Hazard
from mlops.gitops.plan.manifest_diff import ObjectChange
from mlops.gitops.promotion import NO_SOURCE, Refusal

RUN = "https://github.com/acme/ml/actions/runs/42"


def plan(models: int, *, refused: bool = False, removed: int = 0) -> Plan:
    def env(name: str) -> EnvPlan:
        objects = tuple(ObjectChange("add", "apps/v1", "Deployment", "ns", f"model-{i:04}", f"model-{i:04}",
                                     (FieldChange("spec.template", None, {"x": "y" * 80}),)) for i in range(models))
        hazards = tuple(Hazard("model", "remove", "Model", f"old-{i:04}",
                               f"model old-{i:04} is removed: its route stops answering") for i in range(removed))
        refusals = tuple(Refusal(name, f"model-{i:04}", f"registry://model-{i:04}:v1", "staging",
                                 f"{name}: model-{i:04} would run registry://model-{i:04}:v1, which staging has not "
                                 f"run at main (staging does not exist at main). Bootstrap it: ...", NO_SOURCE)
                         for i in range(models if refused and name == "production" else 0))
        rollouts = tuple(f"model-{i:04}: new (canary), starts model-{i:04} registry://model-{i:04}:v1 at full traffic"
                         for i in range(models))
        return EnvPlan(name, "added", "t (aws)", (), objects, hazards, rollouts, Cost(None, "not priced: test"),
                       refusals, (), ("new",) * models)

    return Plan("mlops.yaml", "main", "0" * 40, False, (env("staging"), env("production")))


def test_a_small_plan_is_whole_and_untouched() -> None:
    small = plan(3)
    text = c.as_markdown(small, link=RUN)
    assert text == c.as_markdown(small, limit=None, link=RUN)
    assert text.count("- **staging**: model-") == 3 and "artifact" not in text


def test_per_model_lines_collapse_into_counts_pointing_at_the_run() -> None:
    big = plan(400, refused=True, removed=300)
    text = c.as_markdown(big, link=RUN)
    assert len(text) <= c.COMMENT_LIMIT
    head = text.split("\n<details>", 1)[0] + "\n"
    assert len(head) <= c.SUMMARY_BUDGET and text.startswith(c.summary(big, 3, RUN))
    assert "- **staging**: 400 models change: 400 new" in head
    assert ("> - **production**: 400 artifacts of 400 models refused (400 because staging does not exist at main); "
            "for example:") in head
    assert "> - **production**: 300 models removed (old-0000, old-0001, old-0002 and 297 more)" in head
    assert head.count(f"the `mlops-plan` artifact of [this workflow run]({RUN})") == 3
    assert "trimmed to fit GitHub's 65,536-character comment limit" in text


def test_sections_collapse_only_as_far_as_needed() -> None:
    middling = plan(120, refused=True)              # the apply-time lines alone overflow the budget
    text = c.as_markdown(middling, link=RUN)
    head = text.split("\n<details>", 1)[0] + "\n"
    assert "- **staging**: 120 models change: 120 new" in head
    assert head.count("> - production: model-") == 120        # refusals still one by one


def test_the_full_plan_keeps_every_line() -> None:
    big = plan(400, refused=True, removed=300)
    full = c.as_markdown(big, limit=None)
    assert full.count("- **staging**: model-") == 400 and full.count("<details>") == 2 and "trimmed" not in full


def test_a_link_that_is_not_an_https_url_is_not_written() -> None:
    text = c.as_markdown(plan(400), link="javascript:alert(1)")
    assert "javascript" not in text and "`mlops plan --full`, or the plan workflow's `mlops-plan` artifact" in text


def test_even_thousands_of_environments_stay_within_the_limit() -> None:
    one = plan(1)
    many = replace(one, environments=tuple(replace(one.environments[0], name=f"env-{i:04}") for i in range(800)))
    text = c.as_markdown(many)
    assert len(text) <= c.COMMENT_LIMIT and "longer than the comment can hold" in text
