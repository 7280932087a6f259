"""Pulumi entry point written by `mlops compile`; the program lives in the installed mlops package."""
from mlops.runtime.infra import main

main()
