"""What a CITYOPS_SECRET_KEY must be wherever the platform serves outside development (it signs
the bearer tokens: whoever knows it can sign in as anyone). A pure rule, no settings object:

- not the built-in development secret, nor a placeholder ('change-me', 'secret', …);
- at least MIN_SECRET_LENGTH (32) characters;
- at least MIN_SECRET_BITS (128) bits by an estimate from its characters: the shortest piece the
  secret repeats (all of it when it does not repeat) times the Shannon entropy of that piece's
  character frequencies. A random secret of 32 or more URL-safe characters scores far above;
  'aaaa…', 'abab…', a short password repeated, or a few distinct characters score far below.

The estimate can only err towards refusing: it never credits more than the characters show.
"""

from __future__ import annotations

import math
import re
from collections import Counter

DEV_SECRET = "dev-insecure-secret-change-me"
MIN_SECRET_LENGTH = 32
MIN_SECRET_BITS = 128
HOW_TO_MAKE = 'python -c "import secrets; print(secrets.token_urlsafe(48))"'

# whole secrets that are placeholders, and words that mark one anywhere in a secret (compared
# in lower case, without separators: 'CHANGE_ME' is 'changeme')
_PLACEHOLDERS = frozenset({"secret", "changeme", "password", "secretkey", "yoursecretkey"})
_PLACEHOLDER_WORDS = (
    "changeme",
    "changethis",
    "replaceme",
    "placeholder",
    "yoursecret",
    "insecure",
)


def _shortest_period(text: str) -> int:
    """The length of the shortest piece that `text` repeats ('abcab' → 3); len(text) when it
    repeats none (the prefix function of Knuth–Morris–Pratt)."""
    border = [0] * len(text)
    for i in range(1, len(text)):
        k = border[i - 1]
        while k and text[i] != text[k]:
            k = border[k - 1]
        border[i] = k + 1 if text[i] == text[k] else k
    return len(text) - border[-1] if text else 0


def estimated_bits(secret: str) -> float:
    """The secret's strength in bits as its characters show it: the shortest repeated piece's
    length times the Shannon entropy of that piece's character frequencies."""
    piece = secret[: _shortest_period(secret)]
    if not piece:
        return 0.0
    n = len(piece)
    per_char = -sum(c / n * math.log2(c / n) for c in Counter(piece).values())
    return n * per_char


def secret_key_problem(secret: str) -> str | None:
    """Why `secret` may not sign tokens of a served platform, with how to make one; None: it
    may."""
    why = _weakness(secret)
    if why is None:
        return None
    return (
        f"CITYOPS_SECRET_KEY {why}. Set it to a long random secret (at least "
        f"{MIN_SECRET_LENGTH} characters, about {MIN_SECRET_BITS} bits or more), e.g. the "
        f"output of: {HOW_TO_MAKE}"
    )


def _weakness(secret: str) -> str | None:
    text = secret.strip()
    if not text:
        return "is empty"
    if DEV_SECRET in text:
        return "is the built-in development secret, which anyone can read in the source"
    folded = re.sub(r"[\W_]+", "", text.lower())
    if folded in _PLACEHOLDERS or any(word in folded for word in _PLACEHOLDER_WORDS):
        return "is a placeholder, not a secret"
    if len(text) < MIN_SECRET_LENGTH:
        return f"has {len(text)} characters, fewer than {MIN_SECRET_LENGTH}"
    bits = estimated_bits(text)
    if bits < MIN_SECRET_BITS:
        return (
            f"is too predictable: about {bits:.0f} bits estimated from its characters (few "
            f"distinct characters, or a short piece repeated), fewer than {MIN_SECRET_BITS}"
        )
    return None
