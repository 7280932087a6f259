"""The published JSON Schemas (`mlops.schema.json`, `catalog.schema.json`), read with importlib.resources."""
