"""Removing secrets (the API key, the V1 API secret, tokens) from text that came back from elsewhere.

An answer may echo a secret whole, in another case, split by spaces, dashes or quotes, or only in part. `Redactor`
replaces, case ignored and with up to `MAX_GAP` other characters allowed between any two of its letters and digits:
the whole secret, and every run of `MIN_FRAGMENT` of its letters and digits in order that mixes at least two kinds
(digits, lower case, upper case), by `[redacted]`. The mix keeps a hand-made secret's ordinary words ("webhooks")
from blanking out the same words in log lines; a random key's runs nearly all qualify. A secret with fewer than
`MIN_SECRET` letters and digits is not worth matching.

Callers pass every secret they hold (`Redactor([api_key, api_secret])`), so another API family's secrets plug in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

__all__ = ["MIN_FRAGMENT", "REDACTED", "Redactor"]

REDACTED = "[redacted]"
MIN_FRAGMENT = 8
MIN_SECRET = 4
MAX_GAP = 3
_GAP = f"[^0-9A-Za-z]{{0,{MAX_GAP}}}"


def _letters(secret: str) -> str:
    return "".join(ch for ch in secret.lower() if ch.isascii() and ch.isalnum())


class Redactor:
    """Callable: `redactor(text)` is `text` without any secret; `redactor.json(value)` walks parsed JSON."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        self._secrets: list[str] = []
        self._fragments: dict[str, list[tuple[str, int]]] = {}
        self._pattern: re.Pattern[str] | None = None
        for secret in secrets:
            self.add(secret)

    def __bool__(self) -> bool:
        return bool(self._secrets)

    def add(self, secret: str | None) -> None:
        original = "".join(ch for ch in secret or "" if _alnum(ch))
        letters = original.lower()
        if len(letters) < MIN_SECRET or letters in self._secrets:
            return
        self._secrets.append(letters)
        self._fragments.setdefault(letters, []).append((letters, len(letters)))
        for start in range(len(letters) - MIN_FRAGMENT + 1):
            if _mixed(original[start : start + MIN_FRAGMENT]):
                self._fragments.setdefault(letters[start : start + MIN_FRAGMENT], []).append(
                    (letters, start + MIN_FRAGMENT)
                )
        alternatives = sorted(self._fragments, key=len, reverse=True)
        body = "|".join(_GAP.join(re.escape(ch) for ch in fragment) for fragment in alternatives)
        self._pattern = re.compile(f"(?:{body})", re.IGNORECASE)

    def __call__(self, text: str) -> str:
        if self._pattern is None or not text:
            return text
        spans: list[tuple[int, int]] = []
        for match in self._pattern.finditer(text):
            if spans and match.start() < spans[-1][1]:
                continue
            spans.append((match.start(), self._extend(text, match)))
        if not spans:
            return text
        pieces, last = [], 0
        for start, end in spans:
            pieces += [text[last:start], REDACTED]
            last = end
        pieces.append(text[last:])
        return "".join(pieces)

    def _extend(self, text: str, match: re.Match[str]) -> int:
        """Where the secret that `match` found a piece of ends in `text` (following it as far as it goes)."""
        end = match.end()
        for letters, after in self._fragments.get(_letters(match.group()), []):
            position, index = match.end(), after
            while index < len(letters):
                step = position
                while step < len(text) and step - position < MAX_GAP and not _alnum(text[step]):
                    step += 1
                if step < len(text) and text[step].lower() == letters[index]:
                    position, index = step + 1, index + 1
                else:
                    break
            end = max(end, position)
        return end

    def json(self, value: Any) -> Any:
        """Parsed JSON with every string (keys too) redacted."""
        if self._pattern is None:
            return value
        if isinstance(value, str):
            return self(value)
        if isinstance(value, list):
            return [self.json(v) for v in value]
        if isinstance(value, dict):
            return {self(k) if isinstance(k, str) else k: self.json(v) for k, v in value.items()}
        return value


def _alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _mixed(run: str) -> bool:
    """Whether `run` mixes at least two of digits, lower case and upper case letters."""
    return sum((any(c.isdigit() for c in run), any(c.islower() for c in run), any(c.isupper() for c in run))) >= 2
