"""Azure for the mocks preview: ARM-shaped ids and names for the resources the program reads outputs of, and the
cluster credentials it lists."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from typing import Any

from mlops.targets.base.mocks import CallFn, OutputsFn

MOCK_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
_ARM: dict[str, tuple[str, str]] = {   # type token -> (ARM type, input holding the name)
    "azure-native:network:PublicIPAddress": ("Microsoft.Network/publicIPAddresses", "publicIpAddressName"),
    "azure-native:network:NatGateway": ("Microsoft.Network/natGateways", "natGatewayName"),
    "azure-native:network:VirtualNetwork": ("Microsoft.Network/virtualNetworks", "virtualNetworkName"),
    "azure-native:containerservice:ManagedCluster": ("Microsoft.ContainerService/managedClusters", "resourceName"),
    "azure-native:containerregistry:Registry": ("Microsoft.ContainerRegistry/registries", "registryName"),
    "azure-native:managedidentity:UserAssignedIdentity": ("Microsoft.ManagedIdentity/userAssignedIdentities",
                                                          "resourceName"),
}


def _guid(*parts: str) -> str:
    h = hashlib.sha256("/".join(parts).encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def principal_id(identity: str) -> str:
    """The principal id these mocks give the user-assigned identity named `identity` (its resourceName): what a
    role assignment's principalId is when it grants that identity (the wiring contract follows it)."""
    return _guid(identity, "principal")


def client_id(identity: str) -> str:
    """The client id these mocks give the user-assigned identity named `identity`: what the stack exports for the
    ServiceAccount annotation naming it (the wiring contract follows it)."""
    return _guid(identity, "client")


def _arm(name: str, inputs: Mapping[str, Any], provider: Mapping[str, Any], token: str) -> dict[str, Any]:
    subscription = provider.get("subscriptionId") or MOCK_SUBSCRIPTION
    group = f"/subscriptions/{subscription}/resourceGroups/{inputs.get('resourceGroupName')}"
    if token == "azure-native:resources:ResourceGroup":
        return {"id": group, "name": inputs.get("resourceGroupName")}
    if token == "azure-native:network:Subnet":
        vnet = f"{group}/providers/Microsoft.Network/virtualNetworks/{inputs.get('virtualNetworkName')}"
        return {"id": f"{vnet}/subnets/{inputs.get('subnetName')}", "name": inputs.get("subnetName")}
    kind, key = _ARM.get(token, ("", ""))
    if not kind:
        return {}
    physical = inputs.get(key) or name
    out: dict[str, Any] = {"id": f"{group}/providers/{kind}/{physical}", "name": physical}
    if kind.endswith("managedClusters"):
        # the API answers user-assigned identities as a map by resource id, where the inputs give a list
        identity = dict(inputs.get("identity") or {})
        if isinstance(identity.get("userAssignedIdentities"), list):
            identity["userAssignedIdentities"] = {
                i: {"clientId": _guid(i, "client"), "principalId": _guid(i, "principal")}
                for i in identity["userAssignedIdentities"]}
        out["identity"] = identity
        out["oidcIssuerProfile"] = {"enabled": True, "issuerURL": f"https://westeurope.oic.prod-aks.azure.com/{_guid('tenant')}/{_guid(physical)}/"}
        out["identityProfile"] = {"kubeletidentity": {"clientId": _guid(physical, "kubelet", "client"),
                                                      "objectId": _guid(physical, "kubelet", "object"),
                                                      "resourceId": f"{group}_nodes/providers/{_ARM[token][0]}/"
                                                                    f"{physical}-agentpool"}}
    elif kind.endswith("registries"):
        out["loginServer"] = f"{physical}.azurecr.io"
    elif kind.endswith("publicIPAddresses"):
        out["ipAddress"] = "203.0.113.30"
    elif kind.endswith("userAssignedIdentities"):
        out.update(clientId=client_id(physical), principalId=principal_id(physical),
                   tenantId=_guid("tenant"))
    return out


def _outputs(token: str) -> Any:
    return lambda name, inputs, provider: _arm(name, inputs, provider, token)


def _credentials(args: Mapping[str, Any], provider: Mapping[str, Any]) -> dict[str, Any]:
    """What listClusterUserCredential returns for an Entra ID cluster: the cluster, and a user to log in with."""
    name = args.get("resourceName")
    ca = base64.b64encode(f"mock CA of {name}".encode()).decode()
    config = (f"apiVersion: v1\nkind: Config\nclusters: [{{name: {name}, cluster: {{server: "
              f"https://{name}.hcp.mock.azmk8s.io:443, certificate-authority-data: {ca}}}}}]\n"
              f"users: [{{name: clusterUser_{name}, user: {{auth-provider: {{name: azure}}}}}}]\n")
    return {"kubeconfigs": [{"name": "clusterUser", "value": base64.b64encode(config.encode()).decode()}]}


def _client_config(args: Mapping[str, Any], provider: Mapping[str, Any]) -> dict[str, Any]:
    return {"clientId": _guid("deployer", "client"), "objectId": _guid("deployer", "object"),
            "subscriptionId": provider.get("subscriptionId") or MOCK_SUBSCRIPTION, "tenantId": _guid("tenant")}


OUTPUTS: dict[str, OutputsFn] = {token: _outputs(token) for token in [
    *_ARM, "azure-native:resources:ResourceGroup", "azure-native:network:Subnet"]}
CALLS: dict[str, CallFn] = {"azure-native:containerservice:listManagedClusterUserCredentials": _credentials,
                            "azure-native:authorization:getClientConfig": _client_config}
