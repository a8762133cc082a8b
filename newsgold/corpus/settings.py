"""Build settings from `configs/corpus.yaml`: paths, the split rule and dataset card metadata."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Mapping

from newsgold.io.config import read_yaml
from newsgold.model.errors import BuildError

DEFAULT_SETTINGS_RESOURCE = ("newsgold.configs", "corpus.yaml")


@dataclass(frozen=True)
class SplitRule:
    """Deterministic split assignment from the document id alone (see configs/corpus.yaml)."""

    salt: str
    weights: tuple[tuple[str, int], ...]
    pinned: Mapping[str, str] = field(default_factory=dict)

    @property
    def names(self) -> tuple[str, ...]:
        """Split names in the configured order."""
        return tuple(name for name, _ in self.weights)

    def assign(self, doc_id: str) -> str:
        """The split of a document: pinned, else its hash bucket."""
        if doc_id in self.pinned:
            return self.pinned[doc_id]
        digest = hashlib.sha256(f"{self.salt}:{doc_id}".encode("utf-8")).digest()
        bucket = int.from_bytes(digest[:8], "big") % sum(weight for _, weight in self.weights)
        for name, weight in self.weights:
            if bucket < weight:
                return name
            bucket -= weight
        raise AssertionError("unreachable: bucket beyond the total weight")


@dataclass(frozen=True)
class LicenseTerms:
    """What an article licence is and what it means for redistribution (quoted in the card)."""

    name: str
    hub_id: str
    url: str
    redistribution: str


@dataclass(frozen=True)
class CardSettings:
    """Dataset card metadata that is not derived from the data."""

    pretty_name: str
    annotations_license: str
    language: tuple[str, ...]
    citation: str
    licenses: Mapping[str, LicenseTerms] = field(default_factory=dict)
    annotation_process: str = ""
    annotations_creators: tuple[str, ...] = ("expert-generated",)


@dataclass(frozen=True)
class BuildSettings:
    """Everything `corpus build` needs besides the schema."""

    seeds: Path
    gold: Path
    output: Path
    splits: SplitRule
    card: CardSettings
    source: str = "<memory>"
    agreement: Path | None = None  # `annotate agreement --out` JSON that the card reports
    baseline: Mapping[str, Path] = field(default_factory=dict)  # split -> `eval run baseline --json-out` report


def default_settings_path() -> Path:
    """Path of the shipped configs/corpus.yaml."""
    package, name = DEFAULT_SETTINGS_RESOURCE
    return Path(str(resources.files(package).joinpath(name)))


def load_settings(path: str | Path | None = None) -> BuildSettings:
    """Read and check build settings (default: the shipped configs/corpus.yaml)."""
    source = Path(path) if path is not None else default_settings_path()
    data = read_yaml(source, error=BuildError, what="settings")  # strict: a duplicate key is an error
    return parse_settings(data, source=str(source))


def _require(data: Any, key: str, kind: type, source: str, where: str = "") -> Any:
    name = f"{where}{key}"
    if not isinstance(data, Mapping) or key not in data:
        raise BuildError(f"missing setting {name!r}", path=source, field=name)
    value = data[key]
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise BuildError(f"{name} must be a {kind.__name__}, got {value!r}", path=source, field=name)
    return value


def parse_settings(data: Any, *, source: str = "<memory>") -> BuildSettings:
    """Check settings data and build `BuildSettings`; BuildError names the bad key."""
    if not isinstance(data, Mapping):
        raise BuildError("settings must be a mapping", path=source)
    splits = _require(data, "splits", Mapping, source)
    weights = _require(splits, "weights", Mapping, source, "splits.")
    if not weights:
        raise BuildError("splits.weights needs at least one split", path=source, field="splits.weights")
    for name, weight in weights.items():
        if not isinstance(weight, int) or isinstance(weight, bool) or weight < 0:
            raise BuildError(f"weight of {name!r} must be a non-negative integer", path=source, field=f"splits.weights.{name}")
    if sum(weights.values()) == 0:
        raise BuildError("split weights sum to zero", path=source, field="splits.weights")
    pinned = splits.get("pinned") or {}
    if not isinstance(pinned, Mapping):
        raise BuildError("splits.pinned must map document ids to splits", path=source, field="splits.pinned")
    for doc_id, split in pinned.items():
        if split not in weights:
            raise BuildError(
                f"document {doc_id!r} is pinned to unknown split {split!r} (splits: {', '.join(weights)})",
                path=source,
                field="splits.pinned",
            )
    card = _require(data, "card", Mapping, source)
    language = _require(card, "language", list, source, "card.")
    licenses = _require(card, "licenses", Mapping, source, "card.")
    if "unknown" not in licenses:
        raise BuildError("card.licenses needs an `unknown` entry (for articles without a recorded licence)",
                         path=source, field="card.licenses")
    terms = {
        str(key): LicenseTerms(**{name: _require(entry, name, str, source, f"card.licenses.{key}.").strip()
                                  for name in ("name", "hub_id", "url", "redistribution")})
        for key, entry in licenses.items()
    }
    return BuildSettings(
        seeds=Path(_require(data, "seeds", str, source)),
        gold=Path(_require(data, "gold", str, source)),
        output=Path(_require(data, "output", str, source)),
        splits=SplitRule(
            salt=str(_require(splits, "salt", str, source, "splits.")),
            weights=tuple((str(k), int(v)) for k, v in weights.items()),
            pinned={str(k): str(v) for k, v in pinned.items()},
        ),
        card=CardSettings(
            pretty_name=_require(card, "pretty_name", str, source, "card."),
            annotations_license=_require(card, "annotations_license", str, source, "card."),
            language=tuple(str(x) for x in language),
            citation=_require(card, "citation", str, source, "card.").strip(),
            licenses=terms,
            annotation_process=" ".join(str(card.get("annotation_process") or "").split()),
            annotations_creators=tuple(str(x) for x in _require(card, "annotations_creators", list, source, "card.")),
        ),
        source=str(source),
        agreement=Path(_require(data, "agreement", str, source)) if data.get("agreement") is not None else None,
        baseline={str(k): Path(str(v)) for k, v in (_require(data, "baseline", Mapping, source) if "baseline" in data else {}).items()},
    )
