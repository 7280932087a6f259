"""Helpers shared by the tests; no test lives here except the self-test of the schema validator.

- `specs`: small specs written inline, compiled through the whole pipeline (`manifests`, `errors`);
- `ir_factory`: IR objects built directly, with defaults, for the builders' tables (no file, no YAML);
- `infra_helpers`: inline specs -> IR for the target programs, and lookups in a mocks preview;
- `cli`: run `mlops` in-process and capture what it prints;
- `gitrepo`: a throwaway git repository holding one mlops.yaml;
- `fakes`: the Pulumi Automation API and kubernetes client, faked for `mlops apply`;
- `k8s_schemas`: every emitted object against the upstream Kubernetes and CRD schemas.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p for p in (ROOT / "examples").iterdir() if (p / "mlops.yaml").is_file())
NORTH_STAR = ROOT / "examples" / "north-star" / "mlops.yaml"
QUICKSTART = ROOT / "examples" / "quickstart" / "mlops.yaml"
