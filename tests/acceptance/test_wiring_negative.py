"""Each wiring rule catches its edge broken on purpose: a compiled environment (the loop spec's production, on AWS,
which has every kind of object), with one edge cut; the rule must name it. The known gaps of the contract are
checked to still be gaps, so an entry goes once the work closing it lands."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable

import pytest

from . import wiring_rules
from .test_mirrors import MIRROR_CUTS
from .wiring_build import Build, Obj, build

Break = Callable[[Build], None]


def intact(example: str, env: str, provider: str) -> Build:
    """The environment as compiled, which every rule holds on: what each cut below breaks."""
    b = build(example, env, provider)
    assert isinstance(b, Build)
    assert not wiring_rules.check(b)
    return b


@pytest.fixture(scope="module")
def loop() -> Build:
    return intact("loop", "production", "aws")


@pytest.fixture(scope="module")
def trains() -> Build:
    """The loop's staging on AWS: where fraud-scorer retrains (its workflows, their triggers)."""
    return intact("loop", "staging", "aws")


@pytest.fixture(scope="module")
def llm() -> Build:
    """The llm-platform's dev on GCP: where a vLLM model reads its Hugging Face token from a mounted Secret."""
    return intact("llm-platform", "dev", "gcp")


@pytest.fixture(scope="module")
def by_secret() -> Build:
    """The loop's staging as written (GKE, its s3:// data through the target's storageCredentials): Vector reads the
    Secret's keys from files, SECRET[s3.KEY] over a mounted Secret."""
    return intact("loop", "staging", "gcp")


def broken(b: Build, cut: Break) -> Build:
    copied = copy.deepcopy(b)
    cut(copied)
    copied.cluster = copied.resources
    return copied


def obj(b: Build, kind: str, name: str) -> Obj:
    return next(o for o in b.objects if o["kind"] == kind and o["metadata"]["name"] == name)


def resource(b: Build, typ: str, **inputs: str) -> Obj:
    return next(r for r in b.resources if r["type"] == typ and all(r["inputs"].get(k) == v for k, v in inputs.items()))


def drop(b: Build, typ: str, **inputs: str) -> None:
    b.resources.remove(resource(b, typ, **inputs))


def pod(o: Obj) -> Obj:
    template = o["spec"]["jobTemplate"]["spec"]["template"] if o["kind"] == "CronJob" else o["spec"]["template"]
    spec: Obj = template["spec"]
    return spec


def old_drift_fetch(b: Build) -> None:
    """The drift job as it was: both pairs handed to one v0.15.2 storage-initializer."""
    spec = pod(obj(b, "CronJob", "fraud-scorer-drift"))
    first, second = spec["initContainers"]
    first["args"] += second["args"]
    spec["initContainers"] = [first]


def old_s3_grant(b: Build) -> None:
    """The fraud-scorer role as it was: the folder's ARN built with its trailing slash, `live/fraud-scorer//*`."""
    policy = resource(b, "aws:iam/rolePolicy:RolePolicy", role="fraud-platform-production-model-fraud-scorer")
    text = policy["inputs"]["policy"].replace("live/fraud-scorer/*", "live/fraud-scorer//*")
    policy["inputs"]["policy"] = text.replace('"live/fraud-scorer", ', '"live/fraud-scorer/", ')


def no_live_grant(b: Build) -> None:
    policy = resource(b, "aws:iam/rolePolicy:RolePolicy", role="fraud-platform-production-model-fraud-scorer")
    statements = json.loads(policy["inputs"]["policy"])["Statement"]
    kept = [s for s in statements if "live/" not in json.dumps(s)]
    policy["inputs"]["policy"] = json.dumps({"Version": "2012-10-17", "Statement": kept})


def vllm_without_passwd(b: Build) -> None:
    server = pod(obj(b, "Rollout", "assistant"))["containers"][0]
    server["volumeMounts"] = [m for m in server["volumeMounts"] if m["mountPath"] != "/etc/passwd"]


def model_image_as_other_uid(b: Build) -> None:
    init = pod(obj(b, "Rollout", "fraud-scorer"))["initContainers"][0]
    init["command"] = ["sh", "-c", "cp -R /models/. /mnt/models/"]


def cni_default(b: Build) -> None:
    resource(b, "aws:eks/addon:Addon", addonName="vpc-cni")["inputs"].pop("configurationValues")


def wrong_target_port(b: Build) -> None:
    obj(b, "Service", "fraud-scorer")["spec"]["ports"][0]["targetPort"] = "web"


def selects_nothing(b: Build) -> None:
    obj(b, "Service", "ranker-control")["spec"]["selector"]["app.kubernetes.io/instance"] = "ranker-contrl"


def wrong_prometheus_port(b: Build) -> None:
    trigger = obj(b, "ScaledObject", "fraud-scorer")["spec"]["triggers"][0]
    trigger["metadata"]["serverAddress"] = trigger["metadata"]["serverAddress"].replace(":9090", ":9091")


def no_issuer(b: Build) -> None:
    b.objects.remove(obj(b, "Issuer", "fraud-platform-acme"))


def no_gateway_api_in_cert_manager(b: Build) -> None:
    resource(b, "kubernetes:helm.sh/v3:Release", name="cert-manager")["inputs"]["values"].pop("config")


def model_on_http(b: Build) -> None:
    obj(b, "HTTPRoute", "fraud-scorer")["spec"]["parentRefs"][0]["sectionName"] = "http"


def old_gateway_name(b: Build) -> None:
    obj(b, "HTTPRoute", "ranker")["spec"]["parentRefs"][0]["name"] = "fraud-platform-mesh"


def step(b: Build, named: str) -> Obj:
    template = obj(b, "WorkflowTemplate", "fraud-scorer-retrain")
    found: Obj = next(t for t in template["spec"]["templates"] if t["name"] == named)
    return found


def gate_flag_renamed(b: Build) -> None:
    args = step(b, "evaluate")["container"]["args"]
    args[args.index("--holdout")] = "--holdout-data"


def monitor(b: Build, program: str) -> Obj:
    """The main container of the model's `program` monitor CronJob."""
    found: Obj = obj(b, "CronJob", f"fraud-scorer-{program}")["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    return found["containers"][0]


def fairness_flag_renamed(b: Build) -> None:
    """The gate's spelling of the group floor, which the fairness program does not take."""
    args = monitor(b, "fairness")["args"]
    args[args.index("--protected")] = "--protected-attributes"


def no_executor_role(b: Build) -> None:
    b.objects.remove(obj(b, "RoleBinding", "fraud-scorer-train"))


def trigger_role_for_another_template(b: Build) -> None:
    rules = obj(b, "Role", "fraud-scorer-drift-trigger")["rules"]
    next(r for r in rules if r["resources"] == ["workflowtemplates"])["resourceNames"] = ["ranker-retrain"]


WORKFLOW_CUTS: dict[str, list[tuple[Break, str]]] = {
    "workflow-images": [
        (lambda b: step(b, "datacheck")["container"].update(image="ghcr.io/mlops-compiler/mlops-jobs:latest"),
         "is not the job image"),
        (gate_flag_renamed, "mlops.jobs.gate refuses"),
        (fairness_flag_renamed, "CronJob/fraud-scorer-fairness: mlops.jobs.fairness refuses"),
        (lambda b: monitor(b, "explain").update(image="ghcr.io/mlops-compiler/mlops-jobs:latest"),
         "CronJob/fraud-scorer-explain: ghcr.io/mlops-compiler/mlops-jobs:latest is not the job image"),
        (lambda b: drop(b, "aws:ecr/repository:Repository", name="fraud-platform-staging/fraud-trainer"),
         "no registry repository fraud-platform-staging/fraud-trainer"),
    ],
    "workflow-accounts": [
        (lambda b: b.objects.remove(obj(b, "ServiceAccount", "fraud-scorer-train")),
         "ServiceAccount fraud-scorer-train does not exist"),
        (no_executor_role, "may not create and patch workflowtaskresults"),
    ],
    "workflow-config": [
        (lambda b: b.objects.remove(obj(b, "ConfigMap", "fraud-scorer-retrain")),
         "ConfigMap fraud-scorer-retrain does"),
        (lambda b: obj(b, "ConfigMap", "fraud-scorer-retrain")["data"].pop("thresholds.json") and None,
         "/etc/mlops/retrain/thresholds.json is no key"),
        (lambda b: b.objects.remove(obj(b, "ConfigMap", "fraud-scorer-contract")),
         "ConfigMap fraud-scorer-contract does not exist"),
        (lambda b: obj(b, "ConfigMap", "fraud-scorer-contract")["data"].pop("training.yaml") and None,
         "retrain datacheck: /etc/mlops/contract/training.yaml is no key"),
        (lambda b: obj(b, "ConfigMap", "fraud-scorer-contract")["data"].pop("live.yaml") and None,
         "fraud-scorer-drift: /etc/mlops/contract/live.yaml is no key"),
        (lambda b: obj(b, "ConfigMap", "fraud-scorer-contract")["data"].pop("live.yaml") and None,
         "fraud-scorer-datacheck: /etc/mlops/contract/live.yaml is no key"),
        (lambda b: b.objects.remove(obj(b, "ConfigMap", "fraud-scorer-fairness")),
         "CronJob/fraud-scorer-fairness: ConfigMap fraud-scorer-fairness does not exist"),
    ],
    "workflow-refs": [
        (lambda b: obj(b, "CronWorkflow", "fraud-scorer-retrain")["spec"]["workflowSpec"]["workflowTemplateRef"]
         .update(name="fraud-scorer-train"), "WorkflowTemplate fraud-scorer-train does not exist"),
        (lambda b: b.objects.remove(obj(b, "WorkflowTemplate", "fraud-scorer-retrain")),
         "WorkflowTemplate fraud-scorer-retrain does not exist"),
        (lambda b: drop(b, "kubernetes:helm.sh/v3:Release", name="argo-workflows"), "no Argo Workflows controller"),
    ],
    "trigger-access": [
        (lambda b: b.objects.remove(obj(b, "Secret", "fraud-scorer-drift-trigger-token")),
         "no ServiceAccount fraud-scorer-drift-trigger with a token Secret"),
        (trigger_role_for_another_template, "may not get workflowtemplates fraud-scorer-retrain"),
    ],
}


def monitor_rule_on_variant(b: Build) -> None:
    """A data-check alert split per variant: the job's push carries no variant label, the rule would never fire."""
    for rule in obj(b, "PrometheusRule", "fraud-scorer")["spec"]["groups"][0]["rules"]:
        rule["expr"] = rule["expr"].replace('job="mlops-datacheck"', 'job="mlops-datacheck",variant="a"')


def renamed_label(b: Build) -> None:
    """MLServer's status label under the name other servers give it: the error alert would select nothing."""
    for rule in obj(b, "PrometheusRule", "fraud-scorer")["spec"]["groups"][0]["rules"]:
        rule["expr"] = rule["expr"].replace("status_code=~", "code=~")


def renamed_envoy_label(b: Build) -> None:
    for rule in obj(b, "PrometheusRule", "ranker")["spec"]["groups"][0]["rules"]:
        rule["expr"] = rule["expr"].replace("envoy_cluster_name=~", "cluster_name=~")


def routing(b: Build) -> Obj:
    return obj(b, "AlertmanagerConfig", "mlops-alerts")["spec"]


def slack_url_inlined(b: Build) -> None:
    """The Slack webhook URL (which is its credential) written into the object instead of a Secret key."""
    warn = next(r for r in routing(b)["receivers"] if r["name"] == "warn")
    warn["slackConfigs"][0]["apiURL"] = "https://hooks.slack.com/services/T0/B0/XXXX"


def webhook_url_inlined(b: Build) -> None:
    routing(b)["receivers"].append({"name": "ops", "webhookConfigs": [{"url": "https://ops.example.com/?key=XXXX"}]})


def route_on_misspelt_alert(b: Build) -> None:
    routing(b)["route"]["routes"][0]["matchers"] = [{"name": "alertname", "value": "MLModelDrfit", "matchType": "="}]


def rule_without_namespace(b: Build) -> None:
    """A rule relying on its series' namespace: an aggregation drops it, OnNamespace then drops the alert."""
    del obj(b, "PrometheusRule", "ranker")["spec"]["groups"][0]["rules"][0]["labels"]["namespace"]


def old_trigger_discriminator(b: Build) -> None:
    """The discriminator of the first sketch (facts-loop section 2), not the one the binding selects."""
    url = "http://argo-workflows-server.argo:2746/api/v1/events/fraud-platform-production/fraud-scorer-drift"
    auth = {"type": "Bearer", "credentials": {"name": "fraud-scorer-drift-trigger-token", "key": "token"}}
    routing(b)["receivers"].append({"name": "retrain", "webhookConfigs": [
        {"url": url, "httpConfig": {"authorization": auth}}]})
    routing(b)["route"]["routes"].insert(0, {"receiver": "retrain", "matchers": [
        {"name": "alertname", "value": "MLModelDrift", "matchType": "="},
        {"name": "model", "value": "fraud-scorer", "matchType": "="}]})


def log_url_elsewhere(b: Build) -> None:
    agent = pod(obj(b, "Rollout", "fraud-scorer"))["containers"][1]
    agent["args"][agent["args"].index("--log-url") + 1] = "http://vector.fraud-platform-production:8081/"


def no_request_log_egress(b: Build) -> None:
    b.objects.remove(obj(b, "NetworkPolicy", "fraud-scorer-request-log"))


def past_the_logger(b: Build) -> None:
    obj(b, "Service", "fraud-scorer-canary")["spec"]["ports"][0]["targetPort"] = "http"


def sink_elsewhere(b: Build) -> None:
    config = obj(b, "ConfigMap", "vector")
    doc = json.loads(config["data"]["vector.yaml"])
    doc["sinks"]["fraud-scorer_live"]["key_prefix"] = "live/date=%F/"
    config["data"]["vector.yaml"] = json.dumps(doc)


def canary_analysis(b: Build) -> Obj:
    analysis: Obj = obj(b, "Rollout", "fraud-scorer")["spec"]["strategy"]["canary"]["analysis"]
    return analysis


def analysis_in_a_step(b: Build) -> None:
    """The same template started from a canary step, without the pod-template hash it needs."""
    obj(b, "Rollout", "fraud-scorer")["spec"]["strategy"]["canary"]["steps"].insert(
        1, {"analysis": {"templates": [{"templateName": "fraud-scorer"}]}})


def blue_green_analysis(b: Build, key: str, template: str, cluster: bool = False) -> None:
    ref: Obj = {"templateName": template, **({"clusterScope": True} if cluster else {})}
    obj(b, "Rollout", "assistant")["spec"]["strategy"]["blueGreen"][key] = {"templates": [ref]}


def template_elsewhere(b: Build) -> None:
    obj(b, "AnalysisTemplate", "fraud-scorer")["metadata"]["namespace"] = "fraud-platform-staging"


def undeclared_query_arg(b: Build) -> None:
    metric = obj(b, "AnalysisTemplate", "fraud-scorer")["spec"]["metrics"][0]
    metric["provider"]["prometheus"]["query"] += ' + 0 * up{pod="{{args.pod}}"}'


def no_vector_write(b: Build) -> None:
    """Vector's role without its PutObject (the loop's production writes data.live with its EKS Pod Identity)."""
    policy = resource(b, "aws:iam/rolePolicy:RolePolicy", role="fraud-platform-production-vector")
    policy["inputs"]["policy"] = json.dumps({"Version": "2012-10-17", "Statement": []})


def rollouts_plugin(b: Build) -> Obj:
    release = resource(b, "kubernetes:helm.sh/v3:Release", name="argo-rollouts")
    plugins: list[Obj] = release["inputs"]["values"]["controller"]["trafficRouterPlugins"]
    return plugins[0]


CUTS: dict[str, list[tuple[Break, str]]] = {
    "rollouts-plugin": [
        (lambda b: rollouts_plugin(b).update(name="argoproj-labs/gatewayapi"),
         "its traffic router argoproj-labs/gatewayAPI is not registered"),
        (lambda b: rollouts_plugin(b).update(location="file:///plugins/gatewayapi-plugin-linux-amd64"),
         "is downloaded from 'file:///plugins/gatewayapi-plugin-linux-amd64'"),
        (lambda b: rollouts_plugin(b).update(sha256="0" * 64), "sha256 is '" + "0" * 64 + "', not the pinned one")],
    "analysis-refs": [
        (lambda b: canary_analysis(b)["templates"][0].update(templateName="fraud-scorer-canary"),
         "canary.analysis: AnalysisTemplate fraud-scorer-canary does not exist in fraud-platform-production"),
        (template_elsewhere, "AnalysisTemplate fraud-scorer does not exist in fraud-platform-production"),
        (lambda b: canary_analysis(b).pop("args"), "canary.analysis: args.hash of fraud-scorer is not given"),
        (lambda b: canary_analysis(b)["args"][0].update(name="pod-hash"), "args.hash of fraud-scorer is not given"),
        (lambda b: canary_analysis(b)["args"][0].pop("valueFrom"), "args.hash of fraud-scorer is not given"),
        (analysis_in_a_step, "canary.steps[1].analysis: args.hash of fraud-scorer is not given"),
        (lambda b: blue_green_analysis(b, "prePromotionAnalysis", "assistant"),
         "blueGreen.prePromotionAnalysis: AnalysisTemplate assistant does not exist"),
        (lambda b: blue_green_analysis(b, "postPromotionAnalysis", "fraud-scorer", cluster=True),
         "blueGreen.postPromotionAnalysis: ClusterAnalysisTemplate fraud-scorer does not exist"),
        (undeclared_query_arg, "fraud-scorer uses args.pod, never declared"),
    ],
    "secrets-referenced": [(slack_url_inlined, "credential 'https://hooks.slack.com"),
                           (webhook_url_inlined, "ops: webhook URL inlined")],
    "alerts-routed": [(route_on_misspelt_alert, "no rule raises alertname=MLModelDrfit"),
                      (rule_without_namespace, "rules labelled namespace ['', 'fraud-platform-production']")],
    "drift-webhook": [(old_trigger_discriminator, "fraud-scorer-drift is not http://argo-workflows-server.argo:2746"
                                                  "/api/v1/events/fraud-platform-production/fraud-scorer-drift-trigger")],
    "labels-carried": [(renamed_label, "carries label code"), (renamed_envoy_label, "carries label cluster_name"),
                       (monitor_rule_on_variant, "mlops_data_check_passed carries label variant")],
    "metrics-scraped": [
        (lambda b: drop(b, "kubernetes:monitoring.coreos.com/v1:PodMonitor"), "envoy_cluster_upstream_rq_xx"),
        (lambda b: drop(b, "kubernetes:helm.sh/v3:Release", name="prometheus-pushgateway"), "mlops_drift_score"),
        (lambda b: b.objects.remove(obj(b, "CronJob", "fraud-scorer-fairness")),      # nothing pushes its verdict
         "no scraped target produces mlops_fairness_passed"),
        (lambda b: b.objects.remove(obj(b, "ServiceMonitor", "fraud-scorer")), "no ServiceMonitor scrapes Service"),
        (lambda b: obj(b, "Service", "fraud-scorer-metrics")["spec"]["selector"].update(
            {"app.kubernetes.io/name": "ranker"}) and None, "no scraped target produces rest_server"),
    ],
    "urls-resolve": [
        (lambda b: drop(b, "kubernetes:helm.sh/v3:Release", name="prometheus-pushgateway"),
         "http://prometheus-pushgateway.monitoring:9091"),
        (wrong_prometheus_port, "kube-prometheus-stack-prometheus.monitoring:9091"),
    ],
    "storage-granted": [(old_s3_grant, "s3://fraud-data/live/fraud-scorer/"),
                        (no_live_grant, "s3://fraud-data/live/fraud-scorer/")],
    "users-defined": [(vllm_without_passwd, "vllm-openai"), (model_image_as_other_uid, "uid 1000")],
    "netpol-enforced": [(cni_default, "not configured to enforce")],
    "services-select": [(wrong_target_port, "targetPort web"), (selects_nothing, "selects no pod")],
    "init-args": [(old_drift_fetch, "storage-initializer:v0.15.2")],
    "certificates-sourced": [(no_issuer, "tls-assistant.internal.example.com is neither issued"),
                             (no_gateway_api_in_cert_manager, "tls-fraud.example.com is neither issued")],
    "request-logging": [(log_url_elsewhere, "is not Vector's Service"),
                        (no_request_log_egress, "no NetworkPolicy lets the agent post to Vector"),
                        (past_the_logger, "Service/fraud-scorer-canary: routes to http"),
                        (sink_elsewhere, "no Vector sink writes s3://fraud-data/live/fraud-scorer/date=%F/")],
    "live-granted": [(no_vector_write, "s3://fraud-data/live/fraud-scorer/date=%F/ is written without the aws "
                                       "identity of ServiceAccount vector"),
                     (lambda b: drop(b, "aws:eks/podIdentityAssociation:PodIdentityAssociation",
                                     serviceAccount="vector"), "identity of ServiceAccount vector")],
    "routes-attached": [(model_on_http, "fraud-scorer: served over plain HTTP"),
                        (old_gateway_name, "no listener fraud-platform-mesh/http")],
}


def token_unmounted(b: Build) -> None:
    container = pod(obj(b, "Rollout", "assistant"))["containers"][0]
    container["volumeMounts"] = [m for m in container["volumeMounts"] if m["name"] != "hf-token"]


def token_key_moved(b: Build) -> None:
    volume = next(v for v in pod(obj(b, "Rollout", "assistant"))["volumes"] if v["name"] == "hf-token")
    volume["secret"]["items"][0]["path"] = "hf-token"


# The loop has no credential file; the llm-platform's assistant reads its Hugging Face token from one.
LLM_CUTS: dict[str, list[tuple[Break, str]]] = {
    "credential-files": [(token_unmounted, "Rollout/assistant server: HF_TOKEN_PATH=/var/run/secrets/mlops/"),
                         (token_key_moved, "huggingface/token is no key of a Secret mounted")],
}


def vector_config(b: Build, edit: Callable[[str], str]) -> None:
    """Vector's config text, edited."""
    config = obj(b, "ConfigMap", "vector")
    config["data"]["vector.yaml"] = edit(config["data"]["vector.yaml"])


def vector_pod(b: Build) -> Obj:
    return pod(obj(b, "Deployment", "vector"))


def backend_renamed(b: Build) -> None:
    def edit(text: str) -> str:
        doc = json.loads(text)
        doc["secret"] = {"aws": doc["secret"].pop("s3")}
        return json.dumps(doc)
    vector_config(b, edit)


def keys_unmounted(b: Build) -> None:
    container = vector_pod(b)["containers"][0]
    container["volumeMounts"] = [m for m in container["volumeMounts"] if m["name"] != "s3-credentials"]


def key_undocumented(b: Build) -> None:
    """A key projected and referenced alike, but one the Secret's owner was never told to put there."""
    volume = next(v for v in vector_pod(b)["volumes"] if v["name"] == "s3-credentials")
    volume["secret"]["items"][0] = {"key": "AWS_ACCESS_KEY", "path": "AWS_ACCESS_KEY"}
    vector_config(b, lambda text: text.replace("SECRET[s3.AWS_ACCESS_KEY_ID]", "SECRET[s3.AWS_ACCESS_KEY]"))


def key_file_unmounted(b: Build) -> None:
    """A gs sink's key file where no Secret is mounted."""
    def edit(text: str) -> str:
        doc = json.loads(text)
        doc["sinks"]["fraud-scorer_live"]["credentials_path"] = "/var/run/secrets/mlops/gs/key.json"
        return json.dumps(doc)
    vector_config(b, edit)


def secret_dropped(b: Build) -> None:
    keys_unmounted(b)
    vector_pod(b)["volumes"] = [v for v in vector_pod(b)["volumes"] if v["name"] != "s3-credentials"]


# The loop's staging writes data.live with the target's s3 Secret; each edge of Vector's reading of it, cut.
SECRET_CUTS: dict[str, list[tuple[Break, str]]] = {
    "credential-files": [
        (backend_renamed, "SECRET[s3.AWS_ACCESS_KEY_ID] names no directory backend of its config"),
        (lambda b: vector_config(b, lambda text: text.replace("SECRET[s3.AWS_DEFAULT_REGION]",
                                                              "SECRET[aws.AWS_DEFAULT_REGION]")),
         "SECRET[aws.AWS_DEFAULT_REGION] names no directory backend"),
        (keys_unmounted, "SECRET[s3.AWS_SECRET_ACCESS_KEY]: /var/run/secrets/mlops/s3/AWS_SECRET_ACCESS_KEY is no key "
                         "of a Secret mounted read-only there"),
        (key_undocumented, "SECRET[s3.AWS_ACCESS_KEY]: fraud-data-aws-reader/AWS_ACCESS_KEY is no key the target's "
                           "storageCredentials Secret documents"),
        (key_file_unmounted, "sinks.fraud-scorer_live.credentials_path: /var/run/secrets/mlops/gs/key.json is no key"),
    ],
    "request-logging": [(secret_dropped, "fraud-scorer: Vector lacks Secret fraud-data-aws-reader")],
}


@pytest.mark.parametrize(("rule", "index"), [(r, i) for r, cuts in SECRET_CUTS.items() for i in range(len(cuts))])
def test_vector_secret_rule_catches_its_edge_cut(by_secret: Build, rule: str, index: int) -> None:
    cut, expected = SECRET_CUTS[rule][index]
    found = [str(v) for v in wiring_rules.RULES[rule](broken(by_secret, cut))]
    assert any(expected in v for v in found), found


def test_every_rule_has_a_negative_test() -> None:
    # The mirror rules hold vacuously on the loop (no mirrors): their cuts are in test_mirrors.py, on the loop with
    # mirrors and pull secrets set.
    assert sorted({*CUTS, *WORKFLOW_CUTS, *MIRROR_CUTS, *LLM_CUTS}) == sorted(wiring_rules.RULES)


@pytest.mark.parametrize(("rule", "index"), [(r, i) for r, cuts in LLM_CUTS.items() for i in range(len(cuts))])
def test_llm_rule_catches_its_edge_cut(llm: Build, rule: str, index: int) -> None:
    cut, expected = LLM_CUTS[rule][index]
    found = [str(v) for v in wiring_rules.RULES[rule](broken(llm, cut))]
    assert any(expected in v for v in found), found


@pytest.mark.parametrize(("rule", "index"), [(r, i) for r, cuts in CUTS.items() for i in range(len(cuts))])
def test_rule_catches_its_edge_cut(loop: Build, rule: str, index: int) -> None:
    cut, expected = CUTS[rule][index]
    found = [str(v) for v in wiring_rules.RULES[rule](broken(loop, cut))]
    assert any(expected in v for v in found), found


@pytest.mark.parametrize(("rule", "index"), [(r, i) for r, cuts in WORKFLOW_CUTS.items() for i in range(len(cuts))])
def test_workflow_rule_catches_its_edge_cut(trains: Build, rule: str, index: int) -> None:
    cut, expected = WORKFLOW_CUTS[rule][index]
    found = [str(v) for v in wiring_rules.RULES[rule](broken(trains, cut))]
    assert any(expected in v for v in found), found


def test_the_old_drift_job_breaks_two_rules(loop: Build) -> None:
    """The integrity review's R1 and A4 together: one container for two pairs, and no grant for the live inputs."""
    b = broken(loop, lambda b: (old_drift_fetch(b), no_live_grant(b)))
    assert {v.rule for v in wiring_rules.check(b)} == {"init-args", "storage-granted"}
