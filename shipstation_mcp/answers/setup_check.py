"""The answer of `shipstation-mcp check`: one line per item of the set-up, ✓ or ✗ with the fix. No I/O."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CheckLine", "CheckReport"]


@dataclass(frozen=True)
class CheckLine:
    ok: bool
    what: str
    detail: str
    fix: str | None = None
    essential: bool = False
    """Serving cannot work while this fails (the exit status says so)."""

    def text(self) -> str:
        mark = "✓" if self.ok else "✗"
        fix = f" Fix: {self.fix}" if self.fix and not self.ok else ""
        return f"{mark} {self.what}: {self.detail}{fix}"


@dataclass(frozen=True)
class CheckReport:
    lines: tuple[CheckLine, ...]

    @property
    def ok(self) -> bool:
        """Every essential item holds."""
        return all(line.ok for line in self.lines if line.essential)

    def text(self) -> str:
        verdict = (
            "The essentials hold: the server can answer."
            if self.ok
            else "Fix the ✗ marked essential above (the API key line) before serving."
        )
        return "\n".join([*(line.text() for line in self.lines), verdict])
