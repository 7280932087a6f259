"""The intermediate representation: the frozen types (`model`, and `ml` for the ML loop), their plain-data form
(`codec`), and the views derived from them that several stages need (`serving`, `names`).

`mlops.ir.X` gives the types and the codec, loaded on first use (PEP 562): `mlops validate` reads `names` and
`serving` facts without paying for building every IR dataclass.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mlops.ir.codec import from_dict, to_dict
    from mlops.ir.ml import Column, Compute, Data, DataChecks, Explain, Fairness, Logging, Threshold, Training
    from mlops.ir.model import (
        Alerts,
        Analysis,
        ApiAccess,
        Drift,
        Endpoint,
        Environment,
        EnvVar,
        ExistingAddon,
        Framework,
        Gateway,
        Metric,
        Model,
        Monitoring,
        NodePool,
        Notify,
        Patch,
        PatchOperation,
        Registry,
        Resources,
        Rollout,
        RuntimeOptions,
        Scaling,
        SecretRef,
        StoreCredentials,
        Strategy,
        Target,
        Tls,
        Variant,
        Visibility,
    )

_HOMES: dict[str, str] = {
    **dict.fromkeys(("from_dict", "to_dict"), "mlops.ir.codec"),
    **dict.fromkeys(("Column", "Compute", "Data", "DataChecks", "Explain", "Fairness", "Logging", "Threshold",
                     "Training"), "mlops.ir.ml"),
    **dict.fromkeys(("Alerts", "Analysis", "ApiAccess", "Drift", "Endpoint", "Environment", "EnvVar", "ExistingAddon",
                     "Framework", "Gateway", "Metric", "Model", "Monitoring", "NodePool", "Notify", "Patch",
                     "PatchOperation", "Registry", "Resources", "Rollout", "RuntimeOptions", "Scaling", "SecretRef",
                     "StoreCredentials", "Strategy", "Target", "Tls", "Variant", "Visibility"), "mlops.ir.model"),
}
__all__ = ["Alerts", "Analysis", "ApiAccess", "Column", "Compute", "Data", "DataChecks", "Drift", "Endpoint", "EnvVar",
           "Environment", "ExistingAddon", "Explain", "Fairness", "Framework", "Gateway", "Logging", "Metric", "Model",
           "Monitoring", "NodePool", "Notify", "Patch", "PatchOperation", "Registry", "Resources", "Rollout",
           "RuntimeOptions", "Scaling", "SecretRef", "StoreCredentials", "Strategy", "Target", "Threshold", "Tls",
           "Training", "Variant", "Visibility", "from_dict", "to_dict"]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'mlops.ir' has no attribute '{name}'")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value
