from mlops.cli import entry

entry()
