"""The one place emitted YAML is produced: sorted keys, block style, no line folding.

Every emitted file goes through `dump`, so byte-for-byte determinism (and any later speed-up) lives here.
Multi-line strings (dashboards, programs) are written as literal blocks so they stay reviewable in diffs.
"""

from __future__ import annotations

from typing import Any

import yaml

_Base: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

# Wide enough that no scalar is ever folded: folding points would otherwise depend on the emitter.
WIDTH = 1 << 30


class _Dumper(_Base):  # type: ignore[misc]
    """Safe dumper whose multi-line strings use the literal block style, and which never writes anchors:
    an object built from a shared dict is written out in full at each place."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value and not value.endswith((" ", "\t")) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump(obj: Any) -> bytes:
    """One YAML document for `obj` (plain dicts, lists, str, int, float, bool, None)."""
    text: str = yaml.dump(obj, Dumper=_Dumper, sort_keys=True, default_flow_style=False,
                          allow_unicode=True, width=WIDTH, explicit_start=False)
    return text.encode("utf-8")
