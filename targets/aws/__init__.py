"""AWS: EKS with managed node groups, ECR, EKS Pod Identity."""

from __future__ import annotations

from mlops import ir

from mlops.targets import Hints
from mlops.targets.base import deferred
from mlops.targets.base import hints as common


class Aws:
    provider = "aws"

    @staticmethod
    def nodegroup(env: ir.Environment, pool: ir.NodePool) -> str:
        return f"{env.stack}-{pool.name}"

    def registry(self, env: ir.Environment) -> str:
        if env.target.account:
            return f"{env.target.account}.dkr.ecr.{env.target.region}.amazonaws.com/{env.stack}"
        return deferred.token("registryUrl")

    def hints(self, env: ir.Environment) -> Hints:
        return Hints(
            registry=common.registry(env, lambda: self.registry(env)),
            pools=common.pools(env, lambda pool: {"eks.amazonaws.com/nodegroup": self.nodegroup(env, pool)}),
            # EKS Pod Identity binds the role to the ServiceAccount from the infra side: no annotation needed.
            gateway_annotations=(("service.beta.kubernetes.io/aws-load-balancer-scheme", "internet-facing"),
                                 ("service.beta.kubernetes.io/aws-load-balancer-type", "nlb")),
        )

    def program(self, env: ir.Environment) -> None:
        from mlops.targets.aws import program as aws_platform   # pulumi-aws only when a program runs, not for hints

        aws_platform.run(env, self.nodegroup)


TARGET = Aws()
