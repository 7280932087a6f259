"""Wiring rules over the retraining workflows (Argo Workflows): the programs and images each step runs, the identity
the pods run as, the ConfigMap they mount, what starts a run, and the drift trigger's access.

Argo's v4 interfaces, as the rules read them: a WorkflowTemplate's pods run as `spec.serviceAccountName`, Argo's own
containers with `spec.executor.serviceAccountName`'s token, which must create and patch `workflowtaskresults`
(argoproj/argo-workflows@v4.0.6 docs/workflow-rbac.md:11-28); the Argo Server submits an event's Workflow with the
caller's token, which must list WorkflowEventBindings, get the template and create Workflows
(server/event/event_server.go:79, server/event/dispatch/operation.go:99-151).
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator

from mlops.targets.base import addons
from mlops.targets.base.artifacts import registry_repo

from .wiring_build import Build, Obj, Violation, name

JOB_PROGRAMS = ("datacheck", "gate", "drift", "fairness", "explain")     # mlops.jobs.<program>, each with argparse


def steps(b: Build) -> Iterator[tuple[Obj, Obj]]:
    """(WorkflowTemplate, container template) of every step that runs a container."""
    for template in b.of_kind("WorkflowTemplate"):
        yield from ((template, t) for t in template["spec"]["templates"] if "container" in t)


def _program(container: Obj) -> str | None:
    command = container.get("command", [])
    if command[:2] == ["python", "-m"] and len(command) == 3 and command[2].startswith("mlops.jobs."):
        return command[2].removeprefix("mlops.jobs.")
    return None


def workflow_images(b: Build) -> Iterator[Violation]:
    """A job program (a workflow step, a monitor's CronJob) runs in the target's job image and accepts its
    arguments; the team's step runs its training image from the registry the target keeps for it."""
    trainers = {m.name: m.training.image for m in addons.trained(b.env) if m.training}
    repositories = {r["inputs"]["name"] for r in b.typed("aws:ecr/repository:Repository")}
    for template, step in steps(b):
        where, main = f"{name(template)} {step['name']}", step["container"]
        if _program(main) is not None:
            yield from _job_program(b, where, main)
            continue
        image = trainers.get(template["metadata"]["labels"]["app.kubernetes.io/name"], "")
        repo = registry_repo(image)
        if repo is None:
            if main["image"] != image:
                yield Violation("workflow-images", where, f"{main['image']} is not the training image {image}")
            continue
        if not main["image"].endswith("/" + image.removeprefix("registry://")):
            yield Violation("workflow-images", where, f"{main['image']} is not the training image {image}")
        if b.provider == "aws" and f"{b.env.stack}/{repo}" not in repositories:
            yield Violation("workflow-images", where, f"no registry repository {b.env.stack}/{repo} for {image}")
    for cron in b.of_kind("CronJob"):          # the monitors run the same programs on schedules
        for main in cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]:
            if _program(main) is not None:
                yield from _job_program(b, name(cron), main)


def _job_program(b: Build, where: str, main: Obj) -> Iterator[Violation]:
    """A job program runs in the target's job image, and its own argparse accepts the container's arguments."""
    program = _program(main)
    if main["image"] != b.env.target.jobs_image:
        yield Violation("workflow-images", where, f"{main['image']} is not the job image")
    if program not in JOB_PROGRAMS:
        yield Violation("workflow-images", where, f"mlops.jobs.{program} is no job program")
        return
    try:
        importlib.import_module(f"mlops.jobs.{program}").arguments().parse_args(main.get("args", []))
    except SystemExit:
        yield Violation("workflow-images", where, f"mlops.jobs.{program} refuses {main.get('args')}")


def _bound(b: Build, account: str) -> list[list[Obj]]:
    """The rules of every Role bound to ServiceAccount `account` of the namespace."""
    roles = {r["metadata"]["name"]: r.get("rules", []) for r in b.of_kind("Role")}
    return [roles[binding["roleRef"]["name"]] for binding in b.of_kind("RoleBinding")
            if binding["roleRef"]["kind"] == "Role" and binding["roleRef"]["name"] in roles
            and any(s["kind"] == "ServiceAccount" and s["name"] == account for s in binding.get("subjects", []))]


def _allows(rules: list[list[Obj]], resource: str, verb: str, named: str | None = None) -> bool:
    return any("argoproj.io" in r.get("apiGroups", []) and resource in r.get("resources", [])
               and verb in r.get("verbs", []) and (named is None or named in r.get("resourceNames", [named]))
               for role in rules for r in role)


def workflow_accounts(b: Build) -> Iterator[Violation]:
    accounts = {a["metadata"]["name"] for a in b.of_kind("ServiceAccount")}
    for template in b.of_kind("WorkflowTemplate"):
        spec = template["spec"]
        for account in {spec.get("serviceAccountName"), spec.get("executor", {}).get("serviceAccountName")}:
            if account not in accounts:
                yield Violation("workflow-accounts", name(template), f"ServiceAccount {account} does not exist")
        executor = spec.get("executor", {}).get("serviceAccountName") or spec.get("serviceAccountName", "default")
        rules = _bound(b, executor)
        if not all(_allows(rules, "workflowtaskresults", verb) for verb in ("create", "patch")):
            yield Violation("workflow-accounts", name(template),
                            f"{executor} may not create and patch workflowtaskresults (the executor cannot report)")


def _job_pods(b: Build) -> Iterator[tuple[str, list[Obj], list[Obj]]]:
    """(where, volumes, containers) of every workflow step and every CronJob's pod."""
    for template, step in steps(b):
        yield f"{name(template)} {step['name']}", step.get("volumes", []), [step["container"]]
    for cron in b.of_kind("CronJob"):
        pod = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]
        yield name(cron), pod.get("volumes", []), pod["containers"]


def workflow_config(b: Build) -> Iterator[Violation]:
    """Every ConfigMap a job (a workflow step, a CronJob) mounts exists, with every file its arguments name under the
    mount: the one contract ConfigMap of a model holds a key per dataset its jobs check."""
    maps = {c["metadata"]["name"]: c.get("data", {}) for c in b.of_kind("ConfigMap")}
    for where, volumes, containers in _job_pods(b):
        mapped = {v["name"]: v["configMap"]["name"] for v in volumes if "configMap" in v}
        for volume, wanted in sorted(mapped.items()):
            if wanted not in maps:
                yield Violation("workflow-config", where, f"ConfigMap {wanted} does not exist")
                continue
            for container in containers:
                yield from _named_keys(where, container, volume, wanted, maps[wanted])


def _named_keys(where: str, container: Obj, volume: str, wanted: str, data: Obj) -> Iterator[Violation]:
    for mount in (m for m in container.get("volumeMounts", []) if m["name"] == volume):
        folder = mount["mountPath"].rstrip("/") + "/"
        for arg in container.get("args", []):
            if str(arg).startswith(folder) and str(arg)[len(folder):] not in data:
                yield Violation("workflow-config", where, f"{arg} is no key of ConfigMap {wanted}")


def _argo_runs_here(b: Build) -> bool:
    if "argoWorkflows" in addons.existing(b.env):
        return True
    for release in b.typed("kubernetes:helm.sh/v3:Release", cluster=True):
        chart = addons.CHARTS["argo-workflows"]
        inputs = release["inputs"]
        if inputs["name"] == chart.release and inputs["version"] == chart.version:
            return b.env.namespace in inputs.get("values", {}).get("controller", {}).get("workflowNamespaces", [])
    return False


def workflow_refs(b: Build) -> Iterator[Violation]:
    """What starts a run names an existing WorkflowTemplate; a controller manages the namespace they are in."""
    templates = {t["metadata"]["name"] for t in b.of_kind("WorkflowTemplate")}
    for cron in b.of_kind("CronWorkflow"):
        ref = cron["spec"]["workflowSpec"].get("workflowTemplateRef", {}).get("name")
        if ref not in templates:
            yield Violation("workflow-refs", name(cron), f"WorkflowTemplate {ref} does not exist")
    for binding in b.of_kind("WorkflowEventBinding"):
        ref = binding["spec"]["submit"]["workflowTemplateRef"]["name"]
        if ref not in templates:
            yield Violation("workflow-refs", name(binding), f"WorkflowTemplate {ref} does not exist")
    argo = b.of_kind("WorkflowTemplate", "CronWorkflow", "WorkflowEventBinding")
    if argo and not _argo_runs_here(b):
        yield Violation("workflow-refs", name(argo[0]), f"no Argo Workflows controller manages {b.env.namespace}")


def trigger_access(b: Build) -> Iterator[Violation]:
    """The drift trigger's caller: the account the binding's discriminator names, its token Secret, and a Role
    letting the server submit the template with that token."""
    accounts = {a["metadata"]["name"] for a in b.of_kind("ServiceAccount")}
    tokens = {s["metadata"]["annotations"].get("kubernetes.io/service-account.name") for s in b.of_kind("Secret")
              if s.get("type") == "kubernetes.io/service-account-token"}
    for binding in b.of_kind("WorkflowEventBinding"):
        found = re.search(r'discriminator == "([^"]+)"', binding["spec"]["event"]["selector"])
        caller = found.group(1) if found else None
        ref = binding["spec"]["submit"]["workflowTemplateRef"]["name"]
        if caller not in accounts or caller not in tokens:
            yield Violation("trigger-access", name(binding), f"no ServiceAccount {caller} with a token Secret")
            continue
        rules = _bound(b, caller)
        wanted = [("workfloweventbindings", "list", None), ("workflowtemplates", "get", ref),
                  ("workflows", "create", None)]
        for resource, verb, named in wanted:
            if not _allows(rules, resource, verb, named):
                yield Violation("trigger-access", name(binding), f"{caller} may not {verb} {resource} "
                                                                 f"{named or ''}".rstrip())
