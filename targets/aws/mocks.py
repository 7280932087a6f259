"""AWS for the mocks preview: plausible, deterministic outputs of what a real `pulumi up` would report, derived
from the logical name and the inputs; keyed by type token (`aws:*` is the package's fallback)."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from mlops.targets.base.mocks import MOCK_ACCOUNT, CallFn, OutputsFn, digest

_AZ_SUFFIXES = ("a", "b", "c")


def _region(provider: Mapping[str, Any]) -> str:
    return str(provider.get("region") or "us-east-1")


def _account(provider: Mapping[str, Any]) -> str:
    allowed = provider.get("allowedAccountIds")
    if isinstance(allowed, str) and allowed.startswith("["):   # provider inputs arrive JSON-encoded
        import json

        allowed = json.loads(allowed)
    return str(allowed[0]) if allowed else MOCK_ACCOUNT


def _aws(name: str, inputs: Mapping[str, Any], provider: Mapping[str, Any]) -> dict[str, Any]:
    physical = inputs.get("name") or name
    out = {"arn": f"arn:aws:mock:{_region(provider)}:{_account(provider)}:{physical}"}
    return {**out, "id": physical} if "name" in inputs else out    # most named AWS resources use the name as id


def _prefixed(prefix: str) -> OutputsFn:
    return lambda name, inputs, provider: {
        "id": f"{prefix}-{digest(name, length=17)}",
        "arn": f"arn:aws:ec2:{_region(provider)}:{_account(provider)}:{prefix}/{name}"}


def _iam(kind: str) -> OutputsFn:
    return lambda name, inputs, provider: {
        "id": inputs.get("name") or name,
        "arn": f"arn:aws:iam::{_account(provider)}:{kind}/{inputs.get('name') or name}",
        "uniqueId": f"AROA{digest(kind, name, length=16).upper()}"}


def _eks_cluster(name: str, inputs: Mapping[str, Any], provider: Mapping[str, Any]) -> dict[str, Any]:
    physical, region = inputs.get("name") or name, _region(provider)
    oidc = f"https://oidc.eks.{region}.amazonaws.com/id/{digest(physical, length=32).upper()}"
    return {
        "arn": f"arn:aws:eks:{region}:{_account(provider)}:cluster/{physical}",
        "endpoint": f"https://{digest(physical, length=32).upper()}.gr7.{region}.eks.amazonaws.com",
        "certificateAuthority": {"data": base64.b64encode(f"mock CA of {physical}".encode()).decode()},
        "identities": [{"oidcs": [{"issuer": oidc}]}],
        "status": "ACTIVE",
        "platformVersion": "eks.1",
        "vpcConfig": {**inputs.get("vpcConfig", {}), "clusterSecurityGroupId": f"sg-{digest(physical, length=17)}"},
    }


def _ecr(name: str, inputs: Mapping[str, Any], provider: Mapping[str, Any]) -> dict[str, Any]:
    physical, account, region = inputs.get("name") or name, _account(provider), _region(provider)
    return {"arn": f"arn:aws:ecr:{region}:{account}:repository/{physical}", "registryId": account,
            "repositoryUrl": f"{account}.dkr.ecr.{region}.amazonaws.com/{physical}"}


OUTPUTS: dict[str, OutputsFn] = {
    "aws:*": _aws,
    "aws:ec2/vpc:Vpc": _prefixed("vpc"),
    "aws:ec2/subnet:Subnet": _prefixed("subnet"),
    "aws:ec2/internetGateway:InternetGateway": _prefixed("igw"),
    "aws:ec2/natGateway:NatGateway": _prefixed("nat"),
    "aws:ec2/eip:Eip": lambda name, inputs, provider: {**_prefixed("eipalloc")(name, inputs, provider),
                                                       "publicIp": "203.0.113.10"},
    "aws:ec2/routeTable:RouteTable": _prefixed("rtb"),
    "aws:iam/role:Role": _iam("role"),
    "aws:iam/policy:Policy": _iam("policy"),
    "aws:eks/cluster:Cluster": _eks_cluster,
    "aws:ecr/repository:Repository": _ecr,
    "aws:ec2/launchTemplate:LaunchTemplate": lambda name, inputs, provider: {
        **_prefixed("lt")(name, inputs, provider), "latestVersion": 1, "defaultVersion": 1},
}

CALLS: dict[str, CallFn] = {
    "aws:index/getAvailabilityZones:getAvailabilityZones": lambda args, provider: {
        "names": [_region(provider) + s for s in _AZ_SUFFIXES], "id": _region(provider),
        "zoneIds": [f"{_region(provider).replace('-', '')[:4]}-az{i}" for i in range(1, len(_AZ_SUFFIXES) + 1)]},
    "aws:index/getCallerIdentity:getCallerIdentity": lambda args, provider: {
        "accountId": _account(provider), "arn": f"arn:aws:iam::{_account(provider)}:user/mock", "userId": "MOCK",
        "id": _account(provider)},
    "aws:index/getPartition:getPartition": lambda args, provider: {"partition": "aws", "dnsSuffix": "amazonaws.com",
                                                                  "id": "aws"},
}
