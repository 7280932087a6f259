"""Wiring rules over identities and pods: storage grants, image users, NetworkPolicy enforcement, Services and the
init containers' interface (the rest of the contract is in wiring_rules.py)."""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Iterator
from typing import Any

from mlops.emit.k8s.runtimes import IMAGE_USERS
from mlops.ir import runtimes

from .wiring_build import Build, Obj, Violation, matches, name, pods, repository

STORAGE_INITIALIZER = "docker.io/kserve/storage-initializer"
BLOBS = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs"
OWN_SCHEME = {"aws": "s3", "gcp": "gs", "azure": "az"}   # what a cloud's own workload identity can be granted


def steps(b: Build) -> Iterator[tuple[str, str, Obj]]:
    """(where, service account, template) of every container step of a WorkflowTemplate: Argo runs each as a pod
    with the workflow's ServiceAccount (the template's init containers and volumes, its output artifacts)."""
    for obj in b.of_kind("WorkflowTemplate"):
        for t in obj["spec"]["templates"]:
            if "container" in t:
                yield f"{name(obj)} {t['name']}", obj["spec"]["serviceAccountName"], t


def fetched(b: Build) -> Iterator[tuple[str, str, Obj, Obj]]:
    """(where, service account, pod spec, init container) of every storage-initializer, workflow steps' included."""
    specs = [(name(obj), spec) for obj, spec, _ in pods(b)]
    specs += [(where, {"serviceAccountName": sa, "initContainers": t.get("initContainers", []),
                       "volumes": t.get("volumes", [])}) for where, sa, t in steps(b)]
    for where, spec in specs:
        for c in spec.get("initContainers", []):
            if repository(c["image"]) == STORAGE_INITIALIZER:
                yield where, spec["serviceAccountName"], spec, c


def scheme(uri: str) -> tuple[str, str, str] | None:
    """(scheme, bucket or account, key) of a store URI; None for a plain https URL (public, nothing to grant)."""
    if uri.startswith(("s3://", "gs://")):
        bucket, _, key = uri[5:].partition("/")
        return uri[:2], bucket, key
    host, _, path = uri.removeprefix("https://").partition("/")
    if uri.startswith("https://") and host.endswith(".blob.core.windows.net"):
        return "az", host.split(".")[0], path
    return None


def _s3_statements(b: Build, sa: str) -> list[Obj]:
    roles = {a["inputs"]["roleArn"].rsplit("/", 1)[-1] for a in b.typed("aws:eks/podIdentityAssociation")
             if a["inputs"]["namespace"] == b.env.namespace and a["inputs"]["serviceAccount"] == sa}
    return [s for p in b.typed("aws:iam/rolePolicy") if p["inputs"]["role"] in roles
            for s in json.loads(p["inputs"]["policy"])["Statement"] if s["Effect"] == "Allow"]


def _s3_allows(statements: list[Obj], action: str, resource: str, prefix: str | None = None) -> bool:
    for s in statements:
        resources = s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]]
        if action in s["Action"] and any(fnmatch.fnmatchcase(resource, r) for r in resources):
            wanted = s.get("Condition", {}).get("StringLike", {}).get("s3:prefix")
            if prefix is None or wanted is None or any(fnmatch.fnmatchcase(prefix, w) for w in wanted):
                return True
    return False


def _s3_granted(b: Build, sa: str, bucket: str, key: str) -> bool:
    statements = _s3_statements(b, sa)
    # The storage-initializer lists with Prefix=<key> and reads every object under it (kserve@v0.15.2
    # storage.py _download_s3: bucket.objects.filter(Prefix=bucket_path)); a folder's objects are KEY + name.
    sample = f"{key}part-0.parquet" if key.endswith("/") or not key else key
    return (_s3_allows(statements, "s3:GetObject", f"arn:aws:s3:::{bucket}/{sample}")
            and _s3_allows(statements, "s3:ListBucket", f"arn:aws:s3:::{bucket}", key))


def _gs_granted(b: Build, sa: str, bucket: str, key: str) -> bool:
    project = b.env.target.project
    member = f"serviceAccount:{project}.svc.id.goog[{b.env.namespace}/{sa}]"
    accounts = {m["inputs"]["serviceAccountId"].rsplit("/", 1)[-1] for m in b.typed("gcp:serviceaccount/iAMMember")
                if m["inputs"]["member"] == member and m["inputs"]["role"] == "roles/iam.workloadIdentityUser"}
    for grant in b.typed("gcp:storage/bucketIAMMember"):
        i = grant["inputs"]
        if (i["bucket"] == bucket and i["member"].removeprefix("serviceAccount:") in accounts
                and i["role"] in ("roles/storage.objectViewer", "roles/storage.objectAdmin")):
            condition = i.get("condition", {}).get("expression", "")
            if not condition or f"objects/{key.rstrip('/')}" in condition:
                return True
    return False


def _az_condition_allows(condition: str, account: str, key: str) -> bool:
    """An ABAC condition (mlops.targets.azure.access.blob_read_condition) naming this account and container, and a
    path this blob starts with (or none): how a grant made at the subscription reads one store (infra Z4)."""
    container, _, path = key.partition("/")
    if (f"storageAccounts:name] StringEquals '{account}'" not in condition
            or f"containers:name] StringEquals '{container}'" not in condition):
        return False
    prefix = re.search(r":path\] StringStartsWith '([^']*)'", condition)
    return prefix is None or path.startswith(prefix.group(1))


def _az_principals(b: Build, sa: str) -> set[str]:
    """The principal ids of the user-assigned identities Kubernetes ServiceAccount `sa` may act as: those with a
    federated credential for its subject (AKS workload identity), as the mocks number them."""
    from mlops.targets.azure.mocks import principal_id

    subject = f"system:serviceaccount:{b.env.namespace}:{sa}"
    return {principal_id(c["inputs"]["resourceName"])
            for c in b.typed("azure-native:managedidentity:FederatedIdentityCredential")
            if c["inputs"].get("subject") == subject}


def _az_role_holds(b: Build, assignment: Obj, action: str) -> bool:
    """The assignment's role is one the stack defines, holding the blob data `action` and no control-plane action:
    an ABAC condition constrains data actions only, so any Action of the role would reach the whole scope."""
    role = assignment["inputs"].get("roleDefinitionId", "").rsplit("/", 1)[-1]
    return any(d["inputs"].get("roleDefinitionId") == role
               and all(not p.get("actions") and action in p.get("dataActions", ()) for p in d["inputs"]["permissions"])
               for d in b.typed("azure-native:authorization:RoleDefinition"))


def _az_granted(b: Build, sa: str, account: str, key: str) -> bool:
    principals = _az_principals(b, sa)
    return any(_az_role_holds(b, r, f"{BLOBS}/read")
               and r["inputs"].get("principalId") in principals
               and (f"storageAccounts/{account}" in r["inputs"].get("scope", "")
                    or _az_condition_allows(r["inputs"].get("condition", ""), account, key))
               for r in b.typed("azure-native:authorization:RoleAssignment"))


def _accounts(b: Build, sa: str) -> set[str]:
    """The Google service accounts Kubernetes ServiceAccount `sa` may act as (Workload Identity)."""
    member = f"serviceAccount:{b.env.target.project}.svc.id.goog[{b.env.namespace}/{sa}]"
    return {m["inputs"]["serviceAccountId"].rsplit("/", 1)[-1] for m in b.typed("gcp:serviceaccount/iAMMember")
            if m["inputs"]["member"] == member and m["inputs"]["role"] == "roles/iam.workloadIdentityUser"}


def _written(b: Build, sa: str, store: str, bucket: str, key: str) -> bool:
    """Argo's wait container may create `key` with the step's identity: s3 PutObject on it, gs objectCreator (or
    objectAdmin) with a prefix condition it falls under, az the stack's blob writer role with an ABAC path it falls
    under."""
    if store == "s3":       # and the bucket's region, which the artifact does not name (targets/aws/access.py)
        statements = _s3_statements(b, sa)
        return (_s3_allows(statements, "s3:PutObject", f"arn:aws:s3:::{bucket}/{key}")
                and _s3_allows(statements, "s3:GetBucketLocation", f"arn:aws:s3:::{bucket}"))
    if store == "gs":
        accounts = _accounts(b, sa)
        for grant in b.typed("gcp:storage/bucketIAMMember"):
            i = grant["inputs"]
            if (i["bucket"] == bucket and i["member"].removeprefix("serviceAccount:") in accounts
                    and i["role"] in ("roles/storage.objectCreator", "roles/storage.objectAdmin")):
                under = re.search(r'startsWith\("projects/_/buckets/[^/]+/objects/([^"]*)"\)',
                                  i.get("condition", {}).get("expression", ""))
                if under is None or key.startswith(under.group(1)):
                    return True
        return False
    principals = _az_principals(b, sa)
    return any(_az_role_holds(b, r, f"{BLOBS}/write")
               and r["inputs"].get("principalId") in principals
               and _az_condition_allows(r["inputs"].get("condition", ""), bucket, key)
               for r in b.typed("azure-native:authorization:RoleAssignment"))


def _destination(artifact: Obj) -> tuple[str, str, str, bool] | None:
    """(scheme, bucket or account, key, by a Secret) of an output artifact's object-store location."""
    if "s3" in artifact:
        s3 = artifact["s3"]
        return "s3", s3["bucket"], s3["key"], "accessKeySecret" in s3
    if "gcs" in artifact:
        gcs = artifact["gcs"]
        return "gs", gcs["bucket"], gcs["key"], "serviceAccountKeySecret" in gcs
    if "azure" in artifact:
        az = artifact["azure"]
        account = az["endpoint"].removeprefix("https://").split(".")[0]
        return "az", account, f"{az['container']}/{az['blob']}", "accountKeySecret" in az
    return None


def storage_written(b: Build) -> Iterator[tuple[str, str]]:
    """(where, why) of each workflow output artifact its step may not write."""
    for where, sa, t in steps(b):
        for artifact in t.get("outputs", {}).get("artifacts", []):
            found = _destination(artifact)
            if found is None:
                continue
            store, bucket, key, by_secret = found
            own = OWN_SCHEME.get(b.provider) == store
            if not (by_secret or (own and _written(b, sa, store, bucket, key))):
                how = f"the {b.provider} identity of ServiceAccount {sa}" if own else f"a {store} Secret"
                yield where, f"{store}://{bucket}/{key} is written without {how}"


def _credentials(b: Build, store: str, spec: Obj, container: Obj) -> bool:
    """The init container reads the Secret the target names for this store (targets.<t>.storageCredentials): by
    environment variables, or as a mounted key file (gs)."""
    secret = next((c.secret.name for c in b.env.target.storage_credentials if c.scheme == store), None)
    refs = {e.get("valueFrom", {}).get("secretKeyRef", {}).get("name") for e in container.get("env", [])}
    refs |= {e.get("secretRef", {}).get("name") for e in container.get("envFrom", [])}
    mounted = {m["name"] for m in container.get("volumeMounts", [])}
    refs |= {v["secret"].get("secretName") for v in spec.get("volumes", []) if "secret" in v and v["name"] in mounted}
    return secret is not None and secret in refs


def annotation_gap(b: Build, sa: str) -> str | None:
    """Why ServiceAccount `sa` does not name the cloud identity bound to it, if it does not: GKE needs the Google
    account in `iam.gke.io/gcp-service-account`, AKS's webhook the client id in `azure.workload.identity/client-id`
    (here a deferred `$(infra.X)` export, which must be the client id of an identity federated to `sa`). EKS Pod
    Identity needs none: its association names the ServiceAccount (wiring_grants._s3_statements follows it)."""
    from mlops.targets.azure.mocks import client_id

    found = [o for o in b.of_kind("ServiceAccount") if o["metadata"]["name"] == sa]
    notes = found[0]["metadata"].get("annotations", {}) if found else {}
    if b.provider == "gcp" and notes.get("iam.gke.io/gcp-service-account") not in _accounts(b, sa):
        return "its iam.gke.io/gcp-service-account names no Google service account it may act as"
    if b.provider == "azure":
        token = notes.get("azure.workload.identity/client-id", "")
        federated = {client_id(c["inputs"]["resourceName"])
                     for c in b.typed("azure-native:managedidentity:FederatedIdentityCredential")
                     if c["inputs"].get("subject") == f"system:serviceaccount:{b.env.namespace}:{sa}"}
        if b.outputs.get(token.removeprefix("$(infra.").removesuffix(")")) not in federated:
            return f"its azure.workload.identity/client-id {token!r} is no identity federated to it"
    return None


def storage_granted(b: Build) -> Iterator[Violation]:
    granted, unnamed = {"s3": _s3_granted, "gs": _gs_granted, "az": _az_granted}, set()
    for where, sa, spec, container in fetched(b):
        for uri in container.get("args", [])[0::2]:     # every source, however many the container was given
            found = scheme(uri)
            if found is None:
                continue
            store, bucket, key = found
            own = OWN_SCHEME.get(b.provider) == store
            if not (granted[store](b, sa, bucket, key) if own else _credentials(b, store, spec, container)):
                how = (f"the {b.provider} identity of ServiceAccount {sa}" if own
                       else f"a {store} storageCredentials Secret")
                yield Violation("storage-granted", where, f"{uri} is read without {how}")
            elif own and sa not in unnamed and (why := annotation_gap(b, sa)):   # granted: the pod must get it
                unnamed.add(sa)
                yield Violation("storage-granted", f"ServiceAccount/{sa}", why)
    for where, why in storage_written(b):
        yield Violation("storage-granted", where, why)


def _passwd_users(b: Build, spec: Obj, container: Obj) -> set[int]:
    """uids a passwd file mounted over the container's /etc/passwd defines."""
    mount = next((m for m in container.get("volumeMounts", []) if m["mountPath"] == "/etc/passwd"), None)
    volume = next((v for v in spec.get("volumes", []) if mount and v["name"] == mount["name"]), {})
    wanted = volume.get("configMap", {}).get("name")
    config = next((c for c in b.of_kind("ConfigMap") if c["metadata"]["name"] == wanted), None)
    text = config["data"].get(mount.get("subPath", ""), "") if config and mount else ""
    return {int(line.split(":")[2]) for line in text.splitlines() if line.count(":") >= 6}


def users_defined(b: Build) -> Iterator[Violation]:
    declared = {m.name: m.runtime.user for m in b.env.models}
    for obj, spec, _ in pods(b):
        for c in spec.get("initContainers", []) + spec["containers"]:
            uid = c.get("securityContext", {}).get("runAsUser", spec.get("securityContext", {}).get("runAsUser"))
            known = IMAGE_USERS.get(repository(c["image"]))
            if c["image"] == b.env.target.jobs_image:       # the release's, or the target's mirror of it
                known = IMAGE_USERS[runtimes.JOBS_REPOSITORY]
            if known is not None:
                ok = uid in known or uid in _passwd_users(b, spec, c)
            else:   # the model's own image: its own USER, the uid the spec gives it, or a copy needing no user
                ok = uid is None or uid == declared.get(spec["serviceAccountName"]) or c.get("command", [""])[0] == "cp"
            if not ok:
                yield Violation("users-defined", f"{name(obj)} {c['name']}", f"runs as uid {uid}, which {c['image']} "
                                                                              "does not define")


def _enforced(b: Build) -> bool:
    if b.provider == "aws":
        return any(a["inputs"]["addonName"] == "vpc-cni"
                   and json.loads(a["inputs"].get("configurationValues", "{}")).get("enableNetworkPolicy") == "true"
                   for a in b.typed("aws:eks/addon:Addon"))
    if b.provider == "gcp":
        return any(c["inputs"].get("datapathProvider") == "ADVANCED_DATAPATH"
                   or c["inputs"].get("networkPolicy", {}).get("enabled") for c in b.typed("gcp:container/cluster"))
    if b.provider == "azure":
        return any(c["inputs"].get("networkProfile", {}).get("networkPolicy") in ("cilium", "azure", "calico")
                   for c in b.typed("azure-native:containerservice:ManagedCluster"))
    return True    # an existing cluster's CNI is its operator's: the README states it must enforce NetworkPolicies


def netpol_enforced(b: Build) -> Iterator[Violation]:
    policies = b.of_kind("NetworkPolicy")
    if policies and not _enforced(b):
        yield Violation("netpol-enforced", name(policies[0]), f"{len(policies)} NetworkPolicies, and the {b.provider} "
                                                              "cluster's CNI is not configured to enforce them")


def _ports(spec: Obj) -> tuple[set[str], set[int]]:
    ports = [p for c in spec["containers"] for p in c.get("ports", [])]
    return {p["name"] for p in ports if "name" in p}, {p["containerPort"] for p in ports}


def services_select(b: Build) -> Iterator[Violation]:
    workloads = [(spec, labels) for obj, spec, labels in pods(b) if obj["kind"] != "CronJob"]
    for svc in b.of_kind("Service"):
        chosen = [spec for spec, labels in workloads if matches(svc["spec"].get("selector", {}), labels)]
        if not chosen:
            yield Violation("services-select", name(svc), "selects no pod")
        for port in svc["spec"]["ports"]:
            target: Any = port.get("targetPort", port["port"])
            if chosen and not all(target in _ports(s)[0 if isinstance(target, str) else 1] for s in chosen):
                yield Violation("services-select", name(svc), f"targetPort {target} is no port of its pods")


def _dest_mounted(container: Obj, dest: str) -> bool:
    return any(dest == m["mountPath"] or dest.startswith(m["mountPath"].rstrip("/") + "/")
               for m in container.get("volumeMounts", []))


def init_args(b: Build) -> Iterator[Violation]:
    """storage-initializer v0.15.x takes exactly one SRC DEST pair (kserve@v0.15.2 initializer-entrypoint l.9), from
    v0.16.0 one or more; a modelcar copy is `cp -R /models/. DEST`; every DEST is a mounted volume."""
    for obj, spec, _ in pods(b):
        for c in spec.get("initContainers", []):
            if repository(c["image"]) == STORAGE_INITIALIZER:
                tag = c["image"].rsplit(":", 1)[-1]
                args = c.get("args", [])
                pairs_ok = len(args) == 2 if tag.startswith("v0.15.") else (len(args) >= 2 and len(args) % 2 == 0)
                dests = args[1::2]
            else:
                command = c.get("command", [])
                pairs_ok = command[:3] == ["cp", "-R", "/models/."] and len(command) == 4
                dests = command[3:]
            if not pairs_ok:
                given = c.get("args") or c.get("command")
                yield Violation("init-args", f"{name(obj)} {c['name']}",
                                f"arguments {given} do not fit {c['image']}'s entrypoint")
            for dest in dests:
                if not _dest_mounted(c, dest.rstrip("/")):
                    yield Violation("init-args", f"{name(obj)} {c['name']}", f"{dest} is no mounted volume")
