"""What a conversion could not carry into its target format, counted by kind and always reported."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Carried:
    """What a conversion could not carry, counted by kind (printed by `newsgold convert`)."""

    dropped: Counter[str] = field(default_factory=Counter)

    def note(self, kind: str, count: int = 1) -> None:
        if count:
            self.dropped[kind] += count

    def lines(self) -> list[str]:
        return [f"{count} {kind}" for kind, count in sorted(self.dropped.items())]
