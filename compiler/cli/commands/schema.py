"""`mlops schema`: print the published JSON Schema (for editors and other tools)."""

from __future__ import annotations

import argparse
import sys

from mlops.spec.schema import schema_text


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--catalog", action="store_true", help="print the provider catalog schema instead")


def run(args: argparse.Namespace) -> int:
    sys.stdout.write(schema_text("catalog.schema.json" if args.catalog else "mlops.schema.json"))
    return 0
