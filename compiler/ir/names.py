"""Names of the Kubernetes objects made for a model: one place, used by the emitters and by the rule that
rejects two models whose objects would share a name."""

from __future__ import annotations

from collections.abc import Iterable

DNS_LABEL = 63          # Service names and label values
CRONJOB = 52            # a CronJob's Jobs append 11 characters to its name


def short_name(name: str, limit: int) -> str:
    """`name` if it fits in `limit` characters, else a truncation made unique by a hash of the whole."""
    if len(name) <= limit:
        return name
    import hashlib  # here, not at the top: it maps OpenSSL, 3.5 MiB of `mlops validate`'s 23, for long names only

    digest = hashlib.sha256(name.encode()).hexdigest()[:6]
    return f"{name[: limit - 7].rstrip('-')}-{digest}"


def fit(name: str, limit: int = DNS_LABEL) -> str:
    """`name`, or a truncation of it made unique by a hash when longer than `limit`."""
    return short_name(name, limit)


def variant(model: str, name: str) -> str:
    return fit(f"{model}-{name}")


def candidate(model: str) -> str:
    return fit(f"{model}-candidate")


def canary_service(model: str) -> str:
    return fit(f"{model}-canary")


def preview_service(model: str) -> str:
    return fit(f"{model}-preview")


def metrics_service(model: str) -> str:
    return fit(f"{model}-metrics")


def dashboard(model: str) -> str:
    return fit(f"{model}-dashboard")


def drift(model: str) -> str:
    return fit(f"{model}-drift", CRONJOB)


MONITORS = ("datacheck", "fairness", "explain")
# The environment's request-logging Vector (mlops.emit.k8s.vector): its Service, ServiceAccount, ConfigMap and
# Deployment, made when a model logs its requests; a model of that name would collide with them.
VECTOR = "vector"


def monitor(model: str, job: str) -> str:
    """The CronJob (and its NetworkPolicy) of a live monitor of the model: `datacheck`, `fairness` or `explain`."""
    return fit(f"{model}-{job}", CRONJOB)


def contract(model: str) -> str:
    """The ConfigMap of the model's ODCS data contract, a key per dataset (`live.yaml`, ...): one per model, mounted
    by its monitors' CronJobs and its training workflow alike."""
    return fit(f"{model}-contract")


def drift_trigger(model: str) -> str:
    """The model's drift-triggered retraining: the event discriminator, its WorkflowEventBinding, and the
    ServiceAccount (with Role and RoleBinding) whose token Alertmanager posts the event with."""
    return fit(f"{model}-drift-trigger")


def drift_trigger_token(model: str) -> str:
    """The service-account-token Secret of drift_trigger(model): key `token`."""
    return fit(f"{model}-drift-trigger-token")


def ingress_policy(model: str) -> str:
    return fit(f"{model}-ingress")


def workloads(model: str, strategy: str, variants: Iterable[str]) -> tuple[str, ...]:
    """Deployments / Rollouts, each with the Service of the same name."""
    if strategy == "ab":
        return tuple(variant(model, v) for v in variants)
    if strategy == "shadow":
        return (model, candidate(model))
    return (model,)


def claims(model: str, strategy: str, variants: Iterable[str]) -> list[tuple[str, str, str]]:
    """(kind, name, what makes it) of every object of the model that another object could collide with, one entry
    per maker: a kind and name listed twice collide within the model itself (a variant named `metrics` makes the
    Service the model's metrics Service has)."""
    chosen = list(variants)
    if strategy == "ab":
        made = [(variant(model, v), f"variant '{v}'") for v in chosen]
    elif strategy == "shadow":
        made = [(model, "the model"), (candidate(model), "the shadow candidate")]
    else:
        made = [(model, "the model")]
    services = [*made, (metrics_service(model), "its metrics Service")]
    services += [(canary_service(model), "its canary Service")] if strategy == "canary" else []
    services += [(preview_service(model), "its preview Service")] if strategy == "blue-green" else []
    out = [("Service", name, what) for name, what in services] + [("Workload", name, what) for name, what in made]
    out += [("ConfigMap", dashboard(model), "its dashboard"), ("ConfigMap", contract(model), "its data contract"),
            ("CronJob", drift(model), "its drift check")]
    out += [("ServiceAccount", model, "the model"), ("ServiceAccount", trainer(model), "its retraining"),
            ("ServiceAccount", drift_trigger(model), "its drift trigger"),
            ("Secret", drift_trigger_token(model), "its drift trigger"),
            ("ConfigMap", retrain(model), "its retraining"), ("WorkflowTemplate", retrain(model), "its retraining")]
    out += [("CronJob", monitor(model, job), f"its {job} monitor") for job in MONITORS]
    out += [("ConfigMap", monitor(model, "fairness"), "its fairness monitor")]
    return out + [("NetworkPolicy", ingress_policy(model), "its ingress policy"),
                  ("NetworkPolicy", drift(model), "its drift check"),
                  ("NetworkPolicy", retrain(model), "its retraining"),
                  *(("NetworkPolicy", monitor(model, job), f"its {job} monitor") for job in MONITORS)]


def claimed(model: str, strategy: str, variants: Iterable[str]) -> set[tuple[str, str]]:
    """(kind, name) of every object of the model that a second model could collide with."""
    return {(kind, name) for kind, name, _ in claims(model, strategy, variants)}


def trainer(model: str) -> str:
    """The ServiceAccount (with its Role and RoleBinding) the model's retraining workflow pods run as."""
    return fit(f"{model}-train")


def retrain(model: str) -> str:
    """The model's WorkflowTemplate, its CronWorkflow, its data-contract ConfigMap and its NetworkPolicy."""
    return fit(f"{model}-retrain")
