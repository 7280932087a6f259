"""Secrets in text: the one table of credential formats, and the one redaction that every message and report goes
through (`safe`), so that no secret a spec holds is ever printed, whatever message it ends up in.

`mlops.spec.secrets` refuses a spec holding any of these formats; this module makes sure the refusal (and every
other diagnostic, plan or report) shows only the kind of secret, never its text.

Every pattern runs in time linear in its input on Python's backtracking engine: each starts with a literal (so
the engine skips to its occurrences) followed by a lookbehind that refuses an occurrence inside a run of the
secret's own characters (so a run is entered once, not once per character), its runs are possessive (`++`,
`{n,}+`) so a failed match never backtracks into them, and a kind whose hint is absent is not run at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass


def _random(token: str) -> bool:
    """Mixed case and digits: what a generated key looks like, and no DNS name or word does."""
    return any(c.isupper() for c in token) and any(c.islower() for c in token) and any(c.isdigit() for c in token)


_CLASSES = str.maketrans({**dict.fromkeys(map(chr, range(65, 91)), "u"), **dict.fromkeys(map(chr, range(97, 123)), "l"),
                          **dict.fromkeys("0123456789", "d"), **dict.fromkeys("/+=", "s")})
_RUNS = re.compile(r"(.)\1*")


def _class_changes(token: str) -> int:
    return len(_RUNS.findall(token.translate(_CLASSES))) - 1


def _aws_secret(token: str) -> bool:
    """40 base64 characters of a random key, told from a 40-character path or CamelCase name: both cases, a digit
    or symbol, at most five slashes or pluses, and many changes of character class (a random key averages 25 in
    40 characters, and 99% have 18 or more; a CamelCase path such as Models/FraudDetector2024/XGBoostV12Final has
    14)."""
    if len(token) != 40:
        return False
    classes = token.translate(_CLASSES)
    upper, lower = classes.count("u"), classes.count("l")
    others = len(token) - upper - lower
    return (upper >= 2 and lower >= 2 and others >= 1 and token.count("/") + token.count("+") <= 5
            and _class_changes(token) >= 15)


def _credentials(header: str) -> bool:
    """`Basic dXNlcjpwYXNz`, `Bearer abc.123`: base64 or a token, not a word (`Basic authentication`)."""
    credentials = header.split(None, 1)[-1]
    return any(c.isdigit() or c in "+/=" for c in credentials) or credentials != credentials.lower()


def _http(url: str) -> bool:
    """A user without a password in an http(s) URL is a token (`https://TOKEN@host`); `ssh://git@host` is not."""
    return url.lower().startswith(("http://", "https://"))


@dataclass(frozen=True)
class Kind:
    what: str                                   # "an AWS access key": said instead of the text
    pattern: str                                # matches the secret (what is redacted)
    hints: tuple[str, ...]                      # one of these is in any text holding it (lowercase when `fold`)
    fold: bool = False                          # the hints are looked for in the lowercased text
    plausible: Callable[[str], bool] | None = None   # a second look at a match, against lookalikes
    scheme: bool = False                        # the match starts at `://`: the URL scheme before it goes too


def _after(literal: str, charset: str) -> str:
    """`literal`, not preceded by a character of `charset`: the check comes after the literal so that the regex
    engine can skip to each occurrence of it, and it refuses an occurrence inside a run of `charset` at once."""
    return f"{re.escape(literal)}(?<!{charset}{re.escape(literal)})"


_WORD = "[A-Za-z0-9_]"
_B64URL = "[A-Za-z0-9_-]"

KINDS: tuple[Kind, ...] = (
    # https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html
    Kind("an AWS access key", r"A(?:KIA|SIA)(?<![A-Za-z0-9]A[\s\S]{3})[0-9A-Z]{16}(?![A-Za-z0-9])", ("AKIA", "ASIA")),
    # https://github.blog/engineering/platform-security/behind-githubs-new-authentication-token-formats/
    Kind("a GitHub token", _after("g", _WORD) + r"(?:h[pousr]_[A-Za-z0-9]{36,}+|ithub_pat_[A-Za-z0-9_]{22,}+)",
         ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_")),
    # https://docs.gitlab.com/security/tokens/#token-prefixes
    Kind("a GitLab token", _after("gl", _B64URL) + r"(?:pat|dt|rt|ptt|cbt|oas|soat|ffct|imt)-[A-Za-z0-9_-]{20,}+",
         tuple(f"gl{p}-" for p in ("pat", "dt", "rt", "ptt", "cbt", "oas", "soat", "ffct", "imt"))),
    # https://github.blog/changelog/2021-09-23-npm-has-a-new-access-token-format/
    Kind("an npm token", _after("npm_", _WORD) + r"[A-Za-z0-9]{36,}+", ("npm_",)),
    # https://pypi.org/help/#apitoken
    Kind("a PyPI token", _after("pypi-", _B64URL) + r"AgE[A-Za-z0-9_-]{50,}+", ("pypi-",)),
    # https://api.slack.com/concepts/token-types
    Kind("a Slack token", _after("xox", _B64URL) + r"[abposre]-[A-Za-z0-9-]{10,}+", ("xox",)),
    Kind("a Google API key", _after("AIza", _B64URL) + r"[0-9A-Za-z_-]{35}", ("AIza",)),
    # https://huggingface.co/docs/hub/security-tokens
    Kind("a Hugging Face token", _after("hf_", _WORD) + r"[A-Za-z0-9]{30,}+", ("hf_",)),
    # OpenAI (sk-, sk-proj-) and Stripe (sk_live_, rk_test_) keys: generated, so mixed case and digits
    Kind("an API secret key", r"[sr]k(?<![A-Za-z0-9_-][sr]k)[-_](?:live_|test_|proj-)?[A-Za-z0-9_-]{20,}+",
         ("sk-", "sk_", "rk-", "rk_"), plausible=_random),
    Kind("a JSON Web Token",
         _after("eyJ", _B64URL) + r"[A-Za-z0-9_-]{10,}+\.eyJ[A-Za-z0-9_-]{10,}+\.[A-Za-z0-9_-]{10,}+", ("eyJ",)),
    Kind("a private key", r"-----BEGIN (?:[A-Z]{1,20} ){0,4}PRIVATE KEY-----[A-Za-z0-9+/=\s]*+"
                          r"(?:-----END (?:[A-Z]{1,20} ){0,4}PRIVATE KEY-----)?", ("PRIVATE KEY",)),
    Kind("a password inside a URL", r"://[^/\s:@]*+:[^/\s@]++@", ("@",), scheme=True),
    Kind("a token inside a URL", r"://[^/\s:@?#]++@", ("@",), scheme=True, plausible=_http),
    Kind("a credential in a URL query",
         r"(?i)[?&](?:sig|signature|x-amz-signature|x-goog-signature|x-amz-credential|x-goog-credential"
         r"|x-amz-security-token|api[-_]?key|access[-_]?token|auth[-_]?token|token|password|passwd|pwd|secret"
         r"|client[-_]?secret)=[^&#\s'\"]*+", ("sig", "cred", "key", "token", "pass", "pwd", "secret"), fold=True),
    # https://learn.microsoft.com/azure/storage/common/storage-configure-connection-string
    Kind("a storage account key", r"(?i)=(?:(?<=accountkey=)|(?<=sharedaccesssignature=))[^;\s'\"]*+",
         ("accountkey=", "sharedaccesssignature="), fold=True),
    Kind("an HTTP authorization header",
         r"(?i)b(?<![a-z0-9]b)(?:asic|earer)[ \t]++[A-Za-z0-9._~+/=-]{8,}+",
         ("basic", "bearer"), fold=True, plausible=_credentials),
    # 40 base64 characters, told from paths and CamelCase names by _aws_secret
    Kind("an AWS secret access key", r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+=]{40,}+", ("",), plausible=_aws_secret),
)
_COMPILED = tuple(re.compile(k.pattern) for k in KINDS)
_SHORTEST = 8                  # no secret is shorter (`a://:p@h` is the shortest URL with a password)
_HINTLESS = 40                 # the AWS secret key, which has no hint, is 40 characters
# Most strings hold no hint at all: two searches for the hints (case-sensitive ones in the text, folded ones in
# the lowercased text: one case-insensitive search costs ten times more) spare them the per-kind loop.
_GATE = re.compile("|".join(sorted({re.escape(h) for k in KINDS if not k.fold for h in k.hints if h})))
_GATE_FOLDED = re.compile("|".join(sorted({re.escape(h) for k in KINDS if k.fold for h in k.hints})))


def _spans(text: str) -> list[tuple[int, int, Kind]]:
    """Every secret in `text`: (start, end, kind), earliest first, overlaps dropped."""
    if len(text) < _SHORTEST:
        return []
    lowered = text.lower()
    if len(text) < _HINTLESS and _GATE.search(text) is None and _GATE_FOLDED.search(lowered) is None:
        return []
    found: list[tuple[int, int, Kind]] = []
    for kind, pattern in zip(KINDS, _COMPILED, strict=True):
        haystack = lowered if kind.fold else text
        if not any(h in haystack for h in kind.hints):
            continue
        for match in pattern.finditer(text):
            start = _scheme_start(text, match.start()) if kind.scheme else match.start()
            if kind.plausible is None or kind.plausible(text[start:match.end()]):
                found.append((start, match.end(), kind))
    found.sort(key=lambda s: (s[0], -s[1]))
    out: list[tuple[int, int, Kind]] = []
    for span in found:
        if not out or span[0] >= out[-1][1]:
            out.append(span)
    return out


def _scheme_start(text: str, colon: int) -> int:
    start = colon
    while start > 0 and colon - start < 32 and (text[start - 1].isalnum() or text[start - 1] in "+.-"):
        start -= 1
    return start


def find(text: str) -> Kind | None:
    """The first kind of secret in `text`, or None."""
    spans = _spans(text)
    return spans[0][2] if spans else None


def redact(text: str) -> str:
    """`text` with every secret in it replaced by `(redacted: KIND)`."""
    spans = _spans(text)
    if not spans:
        return text
    out: list[str] = []
    done = 0
    for start, end, kind in spans:
        out += [text[done:start], f"(redacted: {kind.what})"]
        done = end
    return "".join(out) + text[done:]


def printable(text: str) -> str:
    """Control, bidi, line-separator and other non-printable characters escaped (`\\x1b`, `\\u202e`, `\\n`), so
    user text can neither drive a terminal nor split one diagnostic over two lines."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def safe(text: str) -> str:
    """The one form in which any text reaches a terminal, a file or a pull request: redacted, then escaped."""
    return printable(redact(text))
