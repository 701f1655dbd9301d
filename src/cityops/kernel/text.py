"""What text from outside may contain: one rule for every intake path and every export.

Free text — titles, descriptions, addresses, names, notes, reasons, answers, comments, article
bodies, category names — is *normalised*, silently (`clean_text`):

- line breaks become ``\\n`` (``\\r\\n``, a lone ``\\r``, U+0085, U+2028 and U+2029);
- control characters are removed: C0 (U+0000–U+001F, NUL included) except tab and newline,
  DEL (U+007F) and C1 (U+0080–U+009F). NUL is refused by PostgreSQL in text columns, the
  others by the XML inside an .xlsx file, and none of them means anything in a case;
- invisible formatting that can disguise text is removed: the bidi embeddings and overrides
  (U+202A–U+202E), the bidi isolates (U+2066–U+2069), the direction marks (U+200E, U+200F,
  U+061C), the zero-width space (U+200B) and the byte-order mark / zero-width no-break space
  (U+FEFF). The zero-width joiner and non-joiner (U+200C, U+200D) are kept: emoji sequences
  and some scripts need them;
- lone surrogates (U+D800–U+DFFF, which a JSON ``\\ud800`` escape can produce and no UTF-8
  encoder accepts) are removed;
- the result is in Unicode NFC, so the same words are stored as the same code points.

Everything else is kept as sent: tabs, newlines, emoji, CJK, every printable character. Leading
and trailing white space is the caller's business (most strip it).

Identifiers and codes — category, area and department codes, usernames, article codes, API
fields that name a record — are *refused* when they hold a character the rule above would
remove (`control_characters`, `checked_code`): silently changing a code could make it name
another record, so the sender is told which field is wrong.

Pure: no cityops imports, no I/O."""

from __future__ import annotations

import re
import unicodedata

from cityops.kernel.errors import ValidationFailed

# The characters free text loses: C0 controls but tab and newline, DEL, C1, the invisible
# formatting characters named in the module docstring, and lone surrogates.
_REMOVED = (
    "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
    "\u061c\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff"
    "\ud800-\udfff"
)
_REMOVED_RE = re.compile(f"[{_REMOVED}]")
# Line breaks other than "\n" (CR LF first, so it becomes one newline).
_BREAKS_RE = re.compile("\r\n|[\r\x85\u2028\u2029]")
# Any character clean_text changes (one search: most text holds none and is returned as is).
_TOUCHED_RE = re.compile(f"[{_REMOVED}\r\x85\u2028\u2029]")
# What a code may not hold: everything free text loses, and every line break and tab too.
_NOT_IN_CODE_RE = re.compile(f"[{_REMOVED}\t\n\r\x85\u2028\u2029]")


def clean_text(value: str) -> str:
    """`value` under the rule of this module: line breaks as "\\n", control characters and
    disguising formatting removed, NFC. Idempotent; text that needs nothing comes back as is."""
    if _TOUCHED_RE.search(value) is None:
        if value.isascii() or unicodedata.is_normalized("NFC", value):
            return value
        return unicodedata.normalize("NFC", value)
    text = _BREAKS_RE.sub("\n", value)
    text = _REMOVED_RE.sub("", text)
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text


def clean_optional(value: str | None) -> str | None:
    """`clean_text` for a value that may be absent."""
    return None if value is None else clean_text(value)


def control_characters(value: str) -> list[str]:
    """The characters of `value` that no code may hold, as U+XXXX, each once, in order."""
    found = dict.fromkeys(f"U+{ord(c):04X}" for c in _NOT_IN_CODE_RE.findall(value))
    return list(found)


def code_problem(value: str) -> str | None:
    """Why `value` cannot be a code (it holds control or invisible formatting characters), or
    None when it can."""
    bad = control_characters(value)
    if not bad:
        return None
    return f"must not contain control or invisible formatting characters ({', '.join(bad)})"


def checked_code(value: str, *, field: str) -> str:
    """`value` unchanged when it may be a code; ValidationFailed (422) naming `field` when it
    holds a control or invisible formatting character."""
    problem = code_problem(value)
    if problem is not None:
        raise ValidationFailed(f"{field} {problem}", code="control_character", field=field)
    return value
