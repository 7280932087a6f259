"""mlops: a declarative GitOps compiler for ML platforms (load -> validate -> normalize -> emit -> write)."""

# The distribution this package is published as. PyPI's `mlops` is an unrelated 2018 package: never install that.
DISTRIBUTION = "mlops-compiler"
