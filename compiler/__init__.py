"""mlops: a declarative GitOps compiler for ML platforms (load -> validate -> normalize -> emit -> write)."""

# The distribution this package is published as. PyPI's `mlops` is an unrelated 2018 package: never install that.
DISTRIBUTION = "mlops-compiler"

# The release. pyproject reads it (dynamic version); the emitted CronJobs and Workflows run the job image of this
# same version (mlops.ir.runtimes.jobs_image), so a compiler and the programs its manifests start never disagree.
__version__ = "0.1.0"
