"""`Pulumi.<env>.yaml`, merged into the one already there, not rewritten.

The stack settings file is not only mlops's: Pulumi writes the stack's `encryptionsalt` (passphrase secrets),
`secretsprovider` and `encryptedkey` (cloud KMS secrets) there, `pulumi config set [--secret]` adds keys to its
`config`, and ESC users list `environment:` imports. A recompile that rewrote the file would lose the salt (every
secret in the stack becomes unreadable) and the user's config. So a recompile keeps every top-level key and every
config key it does not own, and replaces the keys it owns: `mlops:*`, and the provider keys targets set
(`targets.config_keys()`, every provider's, so a provider switch drops the old provider's). The result is sorted,
so the same previous file and the same spec give the same bytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from mlops.emit.yamlout import dump
from mlops.errors import Failure

OWNED_PREFIX = "mlops:"
LIMIT = 8 << 20                          # a stack settings file is kilobytes; anything near this is not one


class StackSettingsUnreadable(Failure):
    """The existing Pulumi.<env>.yaml cannot be merged into: nothing is written."""


def _load(previous: bytes, where: str) -> dict[str, Any]:
    def refuse(why: str) -> StackSettingsUnreadable:
        return StackSettingsUnreadable(f"nothing written: cannot keep the stack settings in {where}: {why}; fix it, or "
                                       f"move it away to start the stack's settings afresh")

    if len(previous) > LIMIT:
        raise refuse(f"it is larger than {LIMIT >> 20} MiB")
    try:
        text = previous.decode("utf-8")
        # Pulumi never writes anchors; refusing aliases also refuses alias bombs.
        if any(isinstance(t, yaml.AliasToken) for t in yaml.scan(text, Loader=yaml.SafeLoader)):
            raise refuse("it uses YAML aliases")
        data = yaml.safe_load(text)
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise refuse(f"it is not YAML ({str(exc).splitlines()[0]})") from None
    if data is None:
        return {}
    if not isinstance(data, dict) or not isinstance(data.get("config") or {}, dict):
        raise refuse("it is not a mapping with a `config` mapping")
    return data


def merge(previous: bytes | None, fresh: Mapping[str, Any], owned: frozenset[str], where: str) -> bytes:
    """`fresh` (a stack settings document with a `config`) merged into `previous` (the file there, if any).
    Raises StackSettingsUnreadable."""
    if previous is None:
        return dump(dict(fresh))
    old = _load(previous, where)
    kept = {str(k): v for k, v in (old.get("config") or {}).items()
            if not (str(k).startswith(OWNED_PREFIX) or str(k) in owned)}
    out = {**{k: v for k, v in old.items() if k != "config"}, **{k: v for k, v in fresh.items() if k != "config"}}
    return dump({**out, "config": {**kept, **fresh.get("config", {})}})
