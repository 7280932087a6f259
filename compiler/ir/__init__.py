"""The intermediate representation: the frozen types (`model`), their plain-data form (`codec`), and the views
derived from them that several stages need (`serving`, `names`). Importing `mlops.ir` gives the types and codec.
"""

from __future__ import annotations

from mlops.ir.codec import from_dict, to_dict
from mlops.ir.model import (
                            Alerts,
                            Analysis,
                            Drift,
                            Endpoint,
                            Environment,
                            EnvVar,
                            Framework,
                            Metric,
                            Model,
                            NodePool,
                            Registry,
                            Resources,
                            Rollout,
                            Scaling,
                            Strategy,
                            Target,
                            Variant,
)

__all__ = ["Alerts", "Analysis", "Drift", "Endpoint", "EnvVar", "Environment", "Framework", "Metric", "Model",
           "NodePool", "Registry", "Resources", "Rollout", "Scaling", "Strategy", "Target", "Variant", "from_dict",
           "to_dict"]
