"""The intermediate representation: the frozen types (`model`, and `ml` for the ML loop), their plain-data form
(`codec`), and the views derived from them that several stages need (`serving`, `names`). Importing `mlops.ir`
gives the types and the codec."""

from __future__ import annotations

from mlops.ir.codec import from_dict, to_dict
from mlops.ir.ml import Column, Compute, Data, DataChecks, Explain, Fairness, Logging, Threshold, Training
from mlops.ir.model import (Alerts, Analysis, ApiAccess, Drift, Endpoint, Environment, EnvVar, ExistingAddon,
                            Framework, Gateway, Metric,
                            Model, Monitoring, NodePool, Notify, Patch, PatchOperation, Registry, Resources, Rollout,
                            RuntimeOptions, Scaling, SecretRef, StoreCredentials, Strategy, Target, Tls, Variant,
                            Visibility)

__all__ = ["Alerts", "Analysis", "ApiAccess", "Column", "Compute", "Data", "DataChecks", "Drift", "Endpoint", "EnvVar",
           "Environment", "ExistingAddon", "Explain", "Fairness", "Framework", "Gateway", "Logging", "Metric", "Model", "Monitoring",
           "NodePool", "Notify", "Patch", "PatchOperation", "Registry", "Resources", "Rollout", "RuntimeOptions",
           "Scaling", "SecretRef", "StoreCredentials", "Strategy", "Target", "Threshold", "Tls", "Training", "Variant",
           "Visibility", "from_dict", "to_dict"]
