"""The words messages are made of: user text made safe to print, "did you mean", lists, articles, durations, and
text made inert in Markdown. One of each, for every reporter."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

from mlops.diagnostics.redact import printable, redact

_MARGIN = 4096   # redacted before it is cut: a secret longer than the cut is still seen whole (up to this)


def shown(text: str, limit: int = 60) -> str:
    """User text made safe to print: secrets redacted, control and other non-printable characters escaped, long
    text cut."""
    text = redact(text[: limit + _MARGIN])
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return printable(text)


def article(noun: str) -> str:
    return ("an " if noun[:1].lower() in "aeiou" else "a ") + noun


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """` (did you mean 'x'?)` for the closest choice, or an empty string."""
    options = sorted(set(choices))
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if not close:
        lowered = {c.lower(): c for c in options}
        if word.lower() in lowered:
            close = [lowered[word.lower()]]
    return f" (did you mean '{close[0]}'?)" if close else ""


def one_of(choices: Sequence[str]) -> str:
    """`a, b or c` for messages."""
    items = [str(c) for c in choices]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]


def duration(seconds: int) -> str:
    """300 -> `5 min`, 5400 -> `1 h 30 min`, 45 -> `45 s`."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{hours} h" if hours else "", f"{minutes} min" if minutes else "", f"{secs} s" if secs else ""]
    return " ".join(p for p in parts if p) or "0 s"


_MARKDOWN_SPECIAL = frozenset("\\`*_[]<|~")   # with `<` escaped, a `>` can open no tag


def markdown(text: str) -> str:
    """Free text (names, artifacts) made inert in Markdown: no emphasis, links, HTML or table breaks."""
    return "".join("\\" + c if c in _MARKDOWN_SPECIAL else c for c in text)
