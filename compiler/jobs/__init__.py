"""The job programs of the ML loop: data checks, the retraining gate, and the drift, fairness and explanation
monitors. Each is `python -m mlops.jobs.<name>`, made to run in the job image (compiler/jobs/Dockerfile) from
CronJobs and Argo Workflows (the retraining WorkflowTemplate runs datacheck and gate: mlops.emit.k8s.training).
This docstring is their interface.

Rules every program keeps:

- **Local files only.** An init container downloads the data (and models) into a folder first; the programs
  never talk to a cloud. A data argument is a file or a folder; a folder is read recursively (parquet, csv,
  jsonl / ndjson / json / log as newline-delimited JSON, each text format optionally .gz; hidden and `_` files
  skipped). Live data may be flat rows or the logged inference events request logging writes (mlops.jobs.records).
- **Reports.** `--out DIR` (created) receives `report.json` (sorted keys, no NaN) and `report.md` (for a person:
  the gate's is the pull request body). The datacheck job also writes `rows.parquet` there when it converts.
- **Metrics.** With `--pushgateway URL --model M --namespace NS` the program PUTs its metrics with
  prometheus_client.push_to_gateway to `URL/metrics/job/<job>/model/<M>/namespace/<NS>` (datacheck adds
  `/dataset/<D>`), replacing that group; every push also holds `mlops_job_last_run_timestamp_seconds`.
  The Pushgateway must be scraped with honorLabels so `namespace` and `model` stay as pushed.
- **Exit codes.** 0 ok; 1 the check failed (gate verdict fail, contract violated, drift detected, a fairness
  bound crossed, an attribution shift alert), unless `--exit-zero` (monitors whose alerts come from Prometheus:
  a failing pod would only be retried by the Job); 2 bad input (usage, missing or unreadable files, columns the
  data lacks, a model that cannot be loaded), one line on stderr: `mlops.jobs.<name>: error: <why>`; 3 the check
  passed but the metrics could not be pushed (a failed check's 1 wins over 3). The report is written before the
  push, so it exists on 0, 1 and 3.

| program   | Pushgateway job | arguments (besides --out and the push options)                                   |
|-----------|-----------------|----------------------------------------------------------------------------------|
| datacheck | mlops-datacheck | --contract ODCS.yaml [--server NAME] [--data PATH] [--format parquet|csv|json]   |
|           |                 | [--dataset NAME] [--prediction COL] [--features A,B]                              |
| gate      | mlops-gate      | --candidate PATH --holdout PATH --label COL [--champion PATH] [--thresholds JSON] |
|           |                 | [--protected A,B] [--min-group-size N] [--decision-threshold T] [--features A,B]  |
|           |                 | [--exclude A,B] [--data-check REPORT.json] [--data-checks required|warn|off]      |
|           |                 | [--candidate-name TEXT] [--champion-name TEXT]                                    |
| drift     | mlops-drift     | --baseline PATH --live PATH [--contract ODCS.yaml] [--columns A,B]                |
|           |                 | [--method auto|psi|ks|wasserstein|jensenshannon] [--threshold X]                  |
|           |                 | [--min-rows N] [--prediction COL] [--features A,B]                                |
| fairness  | mlops-fairness  | --live PATH --protected A,B --thresholds JSON [--prediction COL] [--label COL]    |
|           |                 | [--labels PATH] [--join-on COLS] [--min-group-size N] [--decision-threshold T]    |
| explain   | mlops-explain   | --artifact PATH --baseline PATH --live PATH [--method tree-shap|kernel-shap]      |
|           |                 | [--sample N] [--alert-on-shift X] [--min-share X] [--background N]                |
|           |                 | [--kernel-samples N] [--features A,B] [--exclude A,B] [--seed N]                  |

Metrics (all gauges; labels besides the grouping key):

- datacheck: mlops_data_check_passed, mlops_data_check_failures, mlops_data_check_warnings,
  mlops_data_check_checks, mlops_data_check_check_passed{check, type, column}.
- gate: mlops_gate_passed, mlops_gate_failures, mlops_gate_metric{metric, role=candidate|champion},
  mlops_gate_fairness{metric, attribute, role}.
- drift: mlops_drift_score, mlops_drift_detected, mlops_drift_share, mlops_drift_columns_drifted,
  mlops_drift_columns, mlops_drift_live_rows, mlops_drift_feature_score{feature, method},
  mlops_drift_feature_drifted{feature, method}; a segment's series add {variant, revision}. Alert on
  `mlops_drift_detected > 0`: mlops_drift_score is the largest *distance* (as the PSI job pushed), absent when
  every column got a p-value test (ks, or auto on a small baseline).
- fairness: mlops_fairness_passed, mlops_fairness_rows, mlops_fairness_metric{metric, attribute},
  mlops_fairness_metric_passed{metric, attribute}, mlops_fairness_group_rows{attribute, group},
  mlops_fairness_group_positive_rate{attribute, group}, mlops_fairness_groups_dropped{attribute}; a segment's
  series add {variant, revision}.
- explain: mlops_explain_feature_share{feature, dataset=baseline|live}, mlops_explain_feature_shift{feature},
  mlops_explain_max_shift, mlops_explain_shift_alert, mlops_explain_rows{dataset}.

Segments (drift, fairness): each variant of a rollout, and within one each revision (a canary's new pods), when the
live rows hold more than one (mlops.jobs.records.segments). Explain is not segmented: it attributes the one
artifact it is given (the champion), so a segment would only show its inputs moving, which drift measures.

The thresholds JSON (gate, fairness) is the spec's shape: `{"metrics": {"roc_auc": {"min": 0.9, "minChange":
0.002}}, "fairness": {"demographicParityDifference": {"max": 0.05}}}` (mlops.jobs.scoring). Model files and
folders: mlops.jobs.models. The ODCS contract the datacheck and drift jobs read is mlops.emit.contracts'.

This package imports nothing else of mlops (tests/unit/test_architecture.py): it ships in a lean image.
"""
