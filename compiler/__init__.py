"""mlops: a declarative GitOps compiler for ML platforms (load -> validate -> normalize -> emit -> write)."""
