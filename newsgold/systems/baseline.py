"""The rule-based baseline extractor: spaCy's tokenizer, Matcher and PhraseMatcher, and a lexicon.

A real, honest floor for every system scored with newsgold: general patterns and word lists
(`configs/baseline.yaml`), nothing learnt and nothing looked up in the gold files. It runs on
`spacy.blank("en")` with the rule-based sentencizer, so there is no tagger or NER: names are
capitalised tokens, speakers are found by pronoun lists and position, quotations by punctuation.

What it marks (see docs/guidelines.md for the target):

- EVENT: head-word triggers from the lexicon, typed; factuality from cue words in the few words
  before the trigger (same clause); a light verb yields to the event noun that follows it.
- CLAIM + SPEAKER + attributed_to: (a) a quotation followed by speaker + reporting verb
  (`“…,” he concluded`, `“…,” the statement read`), one claim per quoted sentence, `mixed` when the
  sentence starts before the quotation; (b) speaker + reporting verb (+ "that") + the rest of the
  sentence (`He further noted that …`, `Konashenkov accused the UN of …`); (c) `, saying …`
  attributed to the sentence's subject. Optionally, a sentence with a non-speech event and no
  attribution is an authorial claim.
- SPEAKER.entity: a name's own text; a surname resolves to the nearest preceding full name ending
  with it; a pronoun, nominal or document to the nearest preceding full-name speaker (else the
  nearest capitalised multi-word name).
- FRAMING: lexicon terms (with device/target/valence), extended by a framing modifier before
  them, and single words in scare quotes; `voice` is `quoted` inside an attributed claim.
- about: a claim to the first event inside it, speech acts last.

`load_lexicon` checks the lexicon against the schema; a bad file raises `LexiconError` naming
the file and the key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Token

from newsgold.io.config import load_schema, read_yaml
from newsgold.model.document import Document, Relation, Span
from newsgold.model.errors import NewsgoldError, SchemaError
from newsgold.model.schema import Label, Schema
from newsgold.text.segment import blank_english

DEFAULT_LEXICON_RESOURCE = ("newsgold.configs", "baseline.yaml")
LEXICON_VERSION = 1

# The attribute values and relations these rules assign themselves (everything else comes from the
# lexicon). Not a list of allowed values: `check_schema_support` checks each against the schema so
# a schema that drops one fails at construction, not in the output.
ATTRIBUTED, AUTHORIAL = "attributed", "authorial"
DIRECT, INDIRECT, MIXED, NO_QUOTE = "direct", "indirect", "mixed", "none"
YES, NO = "yes", "no"
NAME, NOMINAL, PRONOUN, DOCUMENT = "name", "nominal", "pronoun", "document"
QUOTED = "quoted"
# Keyed by the part each label plays (`Roles`), never by label name: the lexicon's `roles` maps
# parts to the schema's labels and relations.
EMITTED: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "claim": {"voice": (ATTRIBUTED, AUTHORIAL), "quote": (DIRECT, INDIRECT, MIXED, NO_QUOTE), "checkworthy": (YES, NO)},
    "speaker": {"mention": (NAME, NOMINAL, PRONOUN, DOCUMENT), "entity": ()},
    "event": {},
    "framing": {"voice": (QUOTED, AUTHORIAL)},
}
EMITTED_RELATIONS: Mapping[str, tuple[str, str]] = {"attribution": ("claim", "speaker"), "topic": ("claim", "event")}


@dataclass(frozen=True)
class Roles:
    """Which schema label or relation plays each part the rules know (configs/baseline.yaml `roles`)."""

    claim: str
    speaker: str
    event: str
    framing: str
    attribution: str
    topic: str

    def label_of(self, part: str) -> str:
        """The schema label (or relation) that plays `part`."""
        return str(getattr(self, part))

# Punctuation heuristics (not schema values): quotation marks and clause breaks.
DOUBLE_OPEN = frozenset({"“", "„", "«"})
DOUBLE_CLOSE = frozenset({"”", "»"})
STRAIGHT_DOUBLE = '"'
SCARE_PAIRS = {"‘": "’", "“": "”", '"': '"', "'": "'"}
CLAUSE_BREAKS = frozenset({",", ";", ":", "(", ")", "—", "–"})
MIN_CLAIM_WORDS = 2
MIN_AUTHORIAL_WORDS = 4
SPEAKER_GAP = 3  # adverbs/auxiliaries allowed between a speaker and its verb
COMPLEMENTIZER_REACH = 5  # "said in a statement that": the complementizer may come a few words late

Attrs = tuple[tuple[str, str], ...]


class LexiconError(NewsgoldError):
    """Raised when a baseline lexicon file is unreadable or breaks a lexicon or schema rule."""


# --------------------------------------------------------------------------------------------
# The lexicon


@dataclass(frozen=True)
class TermGroup:
    """Terms that share attributes (e.g. the ATTACK triggers, or negated factuality cues)."""

    attrs: Attrs
    terms: tuple[str, ...]


@dataclass(frozen=True)
class Lexicon:
    """The checked contents of configs/baseline.yaml; every word list is lower-cased."""

    source: str
    event_triggers: tuple[TermGroup, ...]
    event_default: Attrs
    factuality: tuple[TermGroup, ...]
    window: int
    light_window: int
    light_verbs: frozenset[str]
    stop_phrases: tuple[str, ...]
    speech_act: Attrs
    framing_terms: tuple[TermGroup, ...]
    framing_modifiers: tuple[str, ...]
    scare_quotes: Attrs
    pronouns: frozenset[str]
    documents: frozenset[str]
    determiners: frozenset[str]
    titles: frozenset[str]
    verbs: tuple[str, ...]
    object_verbs: tuple[str, ...]
    participles: tuple[str, ...]
    complementizers: frozenset[str]
    adverbs: frozenset[str]
    auxiliaries: frozenset[str]
    connectives: frozenset[str]
    prepositions: frozenset[str]
    opinion_cues: tuple[str, ...]
    authorial_claims: bool
    roles: Roles

    def entries(self) -> Iterator[tuple[str, str]]:
        """Every term of every word list as (where, term), e.g. ("<event label>.triggers[0]", "attack")."""
        for where, groups in ((f"{self.roles.event}.triggers", self.event_triggers), (f"{self.roles.event}.factuality", self.factuality),
                              (f"{self.roles.framing}.terms", self.framing_terms)):
            for index, group in enumerate(groups):
                for term in group.terms:
                    yield f"{where}[{index}]", term
        for name in ("light_verbs", "stop_phrases", "framing_modifiers", "pronouns", "documents", "determiners",
                     "titles", "verbs", "object_verbs", "participles", "complementizers", "adverbs", "auxiliaries",
                     "connectives", "prepositions", "opinion_cues"):
            for term in sorted(getattr(self, name)):
                yield name, term

    def is_speech_act(self, attrs: Mapping[str, str]) -> bool:
        """Whether event attributes mark a speech act (EVENT.speech_act), the weakest event for a claim."""
        return bool(self.speech_act) and all(attrs.get(name) == value for name, value in self.speech_act)


SECTION_KEYS: Mapping[str, frozenset[str]] = {  # by part; the section is named by the part's label
    "event": frozenset(
        {"window", "light_window", "default", "factuality", "speech_act", "light_verbs", "stop_phrases", "triggers"}
    ),
    "framing": frozenset({"modifiers", "scare_quotes", "terms"}),
    "speaker": frozenset({"pronouns", "documents", "determiners", "titles"}),
    "claim": frozenset(
        {"authorial_claims", "verbs", "object_verbs", "participles", "complementizers", "adverbs", "auxiliaries",
         "connectives", "prepositions", "opinion_cues"}
    ),
}


def default_lexicon_path() -> Path:
    """Path of the lexicon shipped with the package (configs/baseline.yaml in the repository)."""
    package, name = DEFAULT_LEXICON_RESOURCE
    return Path(str(resources.files(package).joinpath(name)))


def load_lexicon(path: str | Path | None = None, schema: Schema | None = None) -> Lexicon:
    """Read and check a baseline lexicon (default: the shipped one) against `schema` (default: shipped)."""
    source = Path(path) if path is not None else default_lexicon_path()
    data = read_yaml(source, error=LexiconError, what="lexicon")
    return parse_lexicon(data, schema if schema is not None else load_schema(), source=str(source))


def parse_lexicon(data: Any, schema: Schema, *, source: str = "<memory>") -> Lexicon:
    """Build a `Lexicon` from plain data, raising `LexiconError` naming the first bad key."""
    roles = _roles(data, schema, source)
    top = _top_level(data, schema, source, roles)
    event, framing = top["event"], top["framing"]
    speaker, claim = top["speaker"], top["claim"]
    event_label, framing_label = schema.label(roles.event), schema.label(roles.framing)
    E, F, S, C = roles.event, roles.framing, roles.speaker, roles.claim  # section names, for the places in errors
    default = _attrs(event["default"], event_label, source, f"{E}.default", set())
    triggers = _groups(event["triggers"], event_label, source, f"{E}.triggers")
    for index, group in enumerate(triggers):
        _check_complete(dict(default) | dict(group.attrs), event_label, source, f"{E}.triggers[{index}]", "event")
    framing_terms = _groups(framing["terms"], framing_label, source, f"{F}.terms")
    for index, group in enumerate(framing_terms):
        _check_complete(dict(group.attrs), framing_label, source, f"{F}.terms[{index}]", "framing")
    scare = _attrs(framing["scare_quotes"], framing_label, source, f"{F}.scare_quotes", set())
    _check_complete(dict(scare), framing_label, source, f"{F}.scare_quotes", "framing")
    return Lexicon(
        source=source,
        roles=roles,
        event_triggers=triggers,
        event_default=default,
        factuality=_groups(event["factuality"], event_label, source, f"{E}.factuality"),
        window=_count(event["window"], source, f"{E}.window"),
        light_window=_count(event["light_window"], source, f"{E}.light_window"),
        light_verbs=frozenset(_words(event["light_verbs"], source, f"{E}.light_verbs")),
        stop_phrases=_words(event["stop_phrases"], source, f"{E}.stop_phrases"),
        speech_act=_attrs(event["speech_act"], event_label, source, f"{E}.speech_act", set()),
        framing_terms=framing_terms,
        framing_modifiers=_words(framing["modifiers"], source, f"{F}.modifiers"),
        scare_quotes=scare,
        pronouns=frozenset(_words(speaker["pronouns"], source, f"{S}.pronouns")),
        documents=frozenset(_words(speaker["documents"], source, f"{S}.documents")),
        determiners=frozenset(_words(speaker["determiners"], source, f"{S}.determiners")),
        titles=frozenset(_words(speaker["titles"], source, f"{S}.titles")),
        verbs=_words(claim["verbs"], source, f"{C}.verbs"),
        object_verbs=_words(claim["object_verbs"], source, f"{C}.object_verbs"),
        participles=_words(claim["participles"], source, f"{C}.participles"),
        complementizers=frozenset(_words(claim["complementizers"], source, f"{C}.complementizers")),
        adverbs=frozenset(_words(claim["adverbs"], source, f"{C}.adverbs")),
        auxiliaries=frozenset(_words(claim["auxiliaries"], source, f"{C}.auxiliaries")),
        connectives=frozenset(_words(claim["connectives"], source, f"{C}.connectives")),
        prepositions=frozenset(_words(claim["prepositions"], source, f"{C}.prepositions")),
        opinion_cues=_words(claim["opinion_cues"], source, f"{C}.opinion_cues"),
        authorial_claims=_flag(claim["authorial_claims"], source, f"{C}.authorial_claims"),
    )


PARTS = ("claim", "speaker", "event", "framing", "attribution", "topic")


def _roles(data: Any, schema: Schema, source: str) -> Roles:
    """The `roles` mapping: every part to a label (or, for relations, a relation) of the schema."""
    if not isinstance(data, Mapping):
        raise LexiconError(f"the lexicon must be a mapping, got {type(data).__name__}", path=source)
    roles = data.get("roles")
    if not isinstance(roles, Mapping) or set(roles) != set(PARTS):
        raise LexiconError(f"roles must map each of {', '.join(PARTS)} to a schema label or relation", path=source, field="roles")
    for part, name in roles.items():
        known = schema.relation_names if part in EMITTED_RELATIONS else schema.label_names
        if name not in known:
            raise LexiconError(f"{part!r} is played by {name!r}, which the schema does not have (it has: {', '.join(known)})",
                               path=source, field=f"roles.{part}")
    return Roles(**{part: str(roles[part]) for part in PARTS})


def _top_level(data: Any, schema: Schema, source: str, roles: Roles) -> dict[str, Mapping[str, Any]]:
    """Check the top-level keys (version, roles and one section per label) and each section's keys; sections by part."""
    sections_of = {roles.label_of(part): part for part in SECTION_KEYS}
    for key in data:
        if key in ("version", "roles"):
            continue
        if key not in schema.label_names:
            raise LexiconError(
                f"unknown label {key!r} (labels in the schema: {', '.join(schema.label_names)})",
                path=source,
                field=str(key),
            )
        if key not in sections_of:
            raise LexiconError(f"the baseline has no rules for label {key!r}", path=source, field=str(key))
    version = data.get("version")
    if version != LEXICON_VERSION:
        raise LexiconError(f"version must be {LEXICON_VERSION}, got {version!r}", path=source, field="version")
    return {part: _section(data.get(roles.label_of(part)), keys, source, roles.label_of(part)) for part, keys in SECTION_KEYS.items()}


def _section(data: Any, keys: frozenset[str], source: str, where: str) -> Mapping[str, Any]:
    """A label section: a mapping with exactly the expected keys."""
    if not isinstance(data, Mapping):
        raise LexiconError(f"must be a mapping, got {type(data).__name__}", path=source, field=where)
    for key in data:
        if key not in keys:
            allowed = ", ".join(sorted(keys))
            raise LexiconError(f"unknown key {key!r} (allowed: {allowed})", path=source, field=f"{where}.{key}")
    for key in sorted(keys - set(data)):
        raise LexiconError(f"missing required key {key!r}", path=source, field=f"{where}.{key}")
    return data


def _words(value: Any, source: str, where: str) -> tuple[str, ...]:
    """A list of non-empty strings, lower-cased (YAML `no`/`on` must be quoted: they are booleans)."""
    if not isinstance(value, list):
        raise LexiconError(f"must be a list of words, got {type(value).__name__}", path=source, field=where)
    words = []
    for index, word in enumerate(value):
        if not isinstance(word, str) or not word.strip():
            raise LexiconError(
                f"must be a non-empty string, got {word!r} (quote YAML words like no/yes/on)",
                path=source,
                field=f"{where}[{index}]",
            )
        words.append(word.strip().lower())
    return tuple(words)


def _count(value: Any, source: str, where: str) -> int:
    """A positive integer setting."""
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise LexiconError(f"must be a positive integer, got {value!r}", path=source, field=where)
    return value


def _flag(value: Any, source: str, where: str) -> bool:
    """A true/false setting."""
    if not isinstance(value, bool):
        raise LexiconError(f"must be true or false, got {value!r}", path=source, field=where)
    return value


def _attrs(data: Any, label: Label, source: str, where: str, extra: set[str]) -> Attrs:
    """Attribute settings of `label` (keys other than `extra`), each checked against the schema."""
    if not isinstance(data, Mapping):
        raise LexiconError(f"must be a mapping of attributes, got {type(data).__name__}", path=source, field=where)
    pairs = []
    for name, value in data.items():
        if name in extra:
            continue
        if name not in label.attribute_names:
            raise LexiconError(
                f"unknown attribute {name!r} of {label.name} (attributes: {', '.join(label.attribute_names)})",
                path=source,
                field=f"{where}.{name}",
            )
        attribute = label.attribute(name)
        if attribute.kind != "choice":
            message = f"{label.name}.{name} is free text, not set by the lexicon"
            raise LexiconError(message, path=source, field=f"{where}.{name}")
        if value not in attribute.value_names:
            raise LexiconError(
                f"{value!r} is not a value of {label.name}.{name} (values: {', '.join(attribute.value_names)})",
                path=source,
                field=f"{where}.{name}",
            )
        pairs.append((name, value))
    return tuple(pairs)


def _groups(data: Any, label: Label, source: str, where: str) -> tuple[TermGroup, ...]:
    """A list of term groups: each sets attributes of `label` and lists its terms."""
    if not isinstance(data, list) or not data:
        raise LexiconError("must be a non-empty list of {<attribute>: value, terms: [...]}", path=source, field=where)
    groups = []
    for index, entry in enumerate(data):
        place = f"{where}[{index}]"
        attrs = _attrs(entry, label, source, place, {"terms"})
        if not attrs:
            raise LexiconError(f"sets no attribute of {label.name}", path=source, field=place)
        if "terms" not in entry:
            raise LexiconError("missing required key 'terms'", path=source, field=f"{place}.terms")
        groups.append(TermGroup(attrs=attrs, terms=_words(entry["terms"], source, f"{place}.terms")))
    return tuple(groups)


def _check_complete(attrs: Mapping[str, str], label: Label, source: str, where: str, part: str) -> None:
    """Every required attribute of `label` (playing `part`) is set by the entry, the defaults or the rules."""
    covered = set(attrs) | set(EMITTED.get(part, {}))
    for attribute in label.attributes:
        if attribute.required and attribute.name not in covered:
            message = f"sets no value for the required attribute {label.name}.{attribute.name}"
            raise LexiconError(message, path=source, field=where)


def check_schema_support(schema: Schema, roles: Roles) -> None:
    """The labels, attributes, values and relations the rules assign exist in `schema`."""
    for part, attributes in EMITTED.items():
        label_name = roles.label_of(part)
        if label_name not in schema.label_names:
            message = f"the baseline needs label {label_name!r}"
            raise SchemaError(message, path=schema.source, field=f"labels.{label_name}")
        label = schema.label(label_name)
        for name, values in attributes.items():
            where = f"labels.{label_name}.attributes.{name}"
            if name not in label.attribute_names:
                raise SchemaError(f"the baseline needs attribute {label_name}.{name}", path=schema.source, field=where)
            missing = [value for value in values if value not in label.attribute(name).value_names]
            if missing:
                raise SchemaError(f"the baseline needs value(s) {', '.join(missing)}", path=schema.source, field=where)
    for part, (head_part, tail_part) in EMITTED_RELATIONS.items():
        name, head, tail = roles.label_of(part), roles.label_of(head_part), roles.label_of(tail_part)
        relation = schema.relation(name) if name in schema.relation_names else None
        if relation is None or head not in relation.head or tail not in relation.tail:
            message = f"the baseline needs relation {name} ({head} -> {tail})"
            raise SchemaError(message, path=schema.source, field=f"relations.{name}")


# --------------------------------------------------------------------------------------------
# Matchers and per-text context


@dataclass(frozen=True)
class _Matchers:
    """spaCy matchers built once per Baseline from the lexicon."""

    triggers: PhraseMatcher
    factuality: PhraseMatcher
    stops: PhraseMatcher
    framing: PhraseMatcher
    modifiers: PhraseMatcher
    cues: PhraseMatcher
    opinions: PhraseMatcher
    participles: Matcher
    scare: Matcher


def _phrase_matcher(nlp: Language, groups: Iterable[tuple[str, Sequence[str]]]) -> PhraseMatcher:
    """A case-insensitive PhraseMatcher with one key per (key, terms) group."""
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    for key, terms in groups:
        if terms:
            matcher.add(key, list(nlp.tokenizer.pipe(terms)))
    return matcher


def _build_matchers(nlp: Language, lexicon: Lexicon) -> _Matchers:
    """All matchers of one lexicon; keys are group indices so matches map back to attributes."""
    participles = Matcher(nlp.vocab)
    participles.add("SAYING", [[{"ORTH": ","}, {"LOWER": {"IN": list(lexicon.participles)}}]])
    scare = Matcher(nlp.vocab)
    opens, closes = list(SCARE_PAIRS), list(set(SCARE_PAIRS.values()))
    scare.add(
        "SCARE",
        [
            [{"ORTH": {"IN": opens}}, {"IS_ALPHA": True}, {"ORTH": {"IN": closes}}],
            [{"ORTH": {"IN": opens}}, {"IS_ALPHA": True}, {"ORTH": "-"}, {"IS_ALPHA": True}, {"ORTH": {"IN": closes}}],
        ],
    )
    return _Matchers(
        triggers=_phrase_matcher(nlp, ((str(i), g.terms) for i, g in enumerate(lexicon.event_triggers))),
        factuality=_phrase_matcher(nlp, ((str(i), g.terms) for i, g in enumerate(lexicon.factuality))),
        stops=_phrase_matcher(nlp, [("STOP", lexicon.stop_phrases)]),
        framing=_phrase_matcher(nlp, ((str(i), g.terms) for i, g in enumerate(lexicon.framing_terms))),
        modifiers=_phrase_matcher(nlp, [("MOD", lexicon.framing_modifiers)]),
        cues=_phrase_matcher(nlp, [("VERB", lexicon.verbs), ("OBJECT", lexicon.object_verbs)]),
        opinions=_phrase_matcher(nlp, [("OPINION", lexicon.opinion_cues)]),
        participles=participles,
        scare=scare,
    )


@dataclass(frozen=True)
class _Context:
    """One analysed text: the spaCy Doc, sentences, quotations and scare quotes (token indices)."""

    doc: Doc
    sentence_of: tuple[int, ...]
    sentences: tuple[tuple[int, int], ...]
    quotes: tuple[tuple[int, int], ...]
    scare: Mapping[int, int]

    def bounds(self, index: int) -> tuple[int, int]:
        """(first, end) token range of the sentence holding token `index`."""
        return self.sentences[self.sentence_of[index]]

    def in_quote(self, index: int) -> bool:
        """Whether token `index` lies inside a quotation (between its marks)."""
        return any(open_ < index < close for open_, close in self.quotes)


def _is_word(token: Token) -> bool:
    """A token with a letter or digit (not punctuation, a quotation mark or whitespace)."""
    return any(ch.isalnum() for ch in token.text)


def _is_name(token: Token) -> bool:
    """A capitalised or all-caps alphabetic token: the blank pipeline's stand-in for a proper noun."""
    return token.is_alpha and token.text[0].isupper()


def _sentences(doc: Doc) -> tuple[tuple[int, ...], tuple[tuple[int, int], ...]]:
    """Sentence id of every token and each sentence's non-space token range; a line break ends a sentence.

    The sentencizer leaves an opening quotation mark at the end of the previous sentence
    (`spoke. “They …`); it is moved to the sentence it opens.
    """
    sentence_of: list[int] = []
    ranges: list[list[int]] = []
    pending = True
    for token in doc:
        if token.is_space:
            pending = pending or "\n" in token.text or "\r" in token.text or token.is_sent_start
            sentence_of.append(max(len(ranges) - 1, 0))
            continue
        if pending or token.is_sent_start or not ranges:
            start = token.i
            if not pending and ranges and ranges[-1][1] - ranges[-1][0] > 1 and _opens_quote(doc[ranges[-1][1] - 1]):
                start = ranges[-1][1] - 1
                ranges[-1][1] = start
                _last_nonspace_end(doc, ranges[-1])
                sentence_of[start:] = [len(ranges)] * (token.i - start)
            ranges.append([start, token.i + 1])
            pending = False
        ranges[-1][1] = token.i + 1
        sentence_of.append(len(ranges) - 1)
    return tuple(sentence_of), tuple((start, end) for start, end in ranges)


def _opens_quote(token: Token) -> bool:
    """A double quotation mark that opens a quotation: “, or a straight one after whitespace."""
    if token.text in DOUBLE_OPEN:
        return True
    return token.text == STRAIGHT_DOUBLE and (token.i == 0 or bool(token.doc[token.i - 1].whitespace_))


def _last_nonspace_end(doc: Doc, bounds: list[int]) -> None:
    """Shrink a [start, end] token range so that it ends on a non-space token."""
    while bounds[1] > bounds[0] + 1 and doc[bounds[1] - 1].is_space:
        bounds[1] -= 1


def _quotations(doc: Doc) -> tuple[tuple[int, int], ...]:
    """(open, close) token indices of double-quoted passages within one paragraph."""
    regions: list[tuple[int, int]] = []
    open_index: int | None = None
    for token in doc:
        if token.is_space and ("\n" in token.text or "\r" in token.text):
            open_index = None
        elif token.text in DOUBLE_OPEN or (token.text == STRAIGHT_DOUBLE and open_index is None):
            open_index = token.i
        elif (token.text in DOUBLE_CLOSE or token.text == STRAIGHT_DOUBLE) and open_index is not None:
            regions.append((open_index, token.i))
            open_index = None
    return tuple(regions)


def _scare_quotes(
    doc: Doc, matcher: Matcher, sentences: Sequence[tuple[int, int]], sentence_of: Sequence[int]
) -> dict[int, int]:
    """Close -> open token index of each single word in matching quotation marks inside a sentence."""
    found: dict[int, int] = {}
    for _, start, end in matcher(doc):
        opener, closer = doc[start], doc[end - 1]
        first = sentences[sentence_of[start]][0]
        before = doc.text[opener.idx - 1] if opener.idx > 0 else ""
        if SCARE_PAIRS.get(opener.text) != closer.text or start == first:
            continue
        if before and not before.isspace() and before not in "([":
            continue
        found[end - 1] = start
    return found


# --------------------------------------------------------------------------------------------
# Intermediate results (token ranges)


@dataclass
class _Mention:
    """A SPEAKER mention: token range, mention kind, and where its phrase (with det/titles) starts."""

    start: int
    end: int
    mention: str
    phrase_start: int
    entity: str = ""


@dataclass
class _Claim:
    """A CLAIM: token range, quote type, and its speaker (None for authorial claims)."""

    start: int
    end: int
    quote: str
    speaker: _Mention | None = None


@dataclass
class _Event:
    """An EVENT trigger: token range and attributes."""

    start: int
    end: int
    attrs: dict[str, str] = field(default_factory=dict)


@dataclass
class _Framing:
    """A FRAMING term: token range and attributes (voice added later)."""

    start: int
    end: int
    attrs: dict[str, str] = field(default_factory=dict)


def _longest_first(ranges: Iterable[tuple[int, int, Any]]) -> list[tuple[int, int, Any]]:
    """Non-overlapping (start, end, payload) ranges, preferring the longest, then the earliest."""
    kept: list[tuple[int, int, Any]] = []
    for start, end, payload in sorted(ranges, key=lambda r: (r[0] - r[1], r[0])):
        if all(end <= s or start >= e for s, e, _ in kept):
            kept.append((start, end, payload))
    return sorted(kept, key=lambda r: (r[0], r[1]))


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Whether two half-open ranges share a position."""
    return a[0] < b[1] and b[0] < a[1]


# --------------------------------------------------------------------------------------------
# The extractor


class Baseline:
    """Rule-based extractor of CLAIM, SPEAKER, EVENT and FRAMING spans and their relations.

    Build it once (building spaCy costs a fraction of a second) and call it on texts; each call
    returns {"spans": [...], "relations": [...]} that passes gold validation.
    """

    def __init__(self, schema: Schema, lexicon: str | Path | None = None) -> None:
        self.schema = schema
        self.lexicon = load_lexicon(lexicon, schema)
        check_schema_support(schema, self.lexicon.roles)
        self.nlp = blank_english()
        self._matchers = _build_matchers(self.nlp, self.lexicon)

    def __call__(self, text: str) -> dict:
        """Extract spans and relations from one text."""
        return _as_prediction(self.document("baseline", text))

    def document(self, doc_id: str, text: str) -> Document:
        """Extract into a `Document` (same spans and relations as calling the baseline)."""
        ctx = self._context(text)
        claims = self._attributions(ctx)
        speakers = _unique_speakers(claims)
        _resolve_entities(ctx, speakers, self.lexicon)
        events = self._events(ctx, speakers)
        if self.lexicon.authorial_claims:
            claims += self._authorial(ctx, claims, events)
        framings = self._framings(ctx, claims)
        checkworthy = self._checkworthy(ctx)
        return _assemble(doc_id, ctx, self.schema, claims, speakers, events, framings, checkworthy, self.lexicon)

    # -- context ------------------------------------------------------------------------------

    def _context(self, text: str) -> _Context:
        """Tokenize and find sentences, quotations and scare quotes."""
        doc = self.nlp(text)
        sentence_of, sentences = _sentences(doc)
        return _Context(
            doc=doc,
            sentence_of=sentence_of,
            sentences=sentences,
            quotes=_quotations(doc),
            scare=_scare_quotes(doc, self._matchers.scare, sentences, sentence_of),
        )

    # -- events -------------------------------------------------------------------------------

    def _events(self, ctx: _Context, speakers: Sequence[_Mention]) -> list[_Event]:
        """Trigger matches, longest first, minus stop phrases, light verbs and speaker mentions."""
        doc, lexicon = ctx.doc, self.lexicon
        stops = [(s, e) for _, s, e in self._matchers.stops(doc)]
        candidates = [
            (s, e, lexicon.event_triggers[int(doc.vocab.strings[key])])
            for key, s, e in self._matchers.triggers(doc)
            if not any(a <= s and e <= b for a, b in stops)
            and not any(m.start <= s and e <= m.end for m in speakers)
        ]
        kept = _longest_first(candidates)
        cues = self._cues(ctx)
        events = []
        for index, (start, end, group) in enumerate(kept):
            if self._is_light(ctx, start, end, kept[index + 1 :]):
                continue
            attrs = dict(lexicon.event_default) | dict(group.attrs) | self._factuality(ctx, start, cues)
            events.append(_Event(start, end, attrs))
        return events

    def _is_light(self, ctx: _Context, start: int, end: int, following: Sequence[tuple[int, int, TermGroup]]) -> bool:
        """A light verb ("deliver", "launched") followed closely by another event in its sentence."""
        if end - start != 1 or ctx.doc[start].lower_ not in self.lexicon.light_verbs:
            return False
        sentence_end = ctx.bounds(start)[1]
        return any(
            s < min(end + self.lexicon.light_window, sentence_end) and ctx.doc[s].lower_ not in self.lexicon.light_verbs
            for s, _, _ in following
        )

    def _cues(self, ctx: _Context) -> list[tuple[int, int, int]]:
        """Factuality cue matches (start, end, group index)."""
        return [
            (start, end, int(ctx.doc.vocab.strings[key]))
            for key, start, end in self._matchers.factuality(ctx.doc)
            if _is_cue(ctx, start)
        ]

    def _factuality(self, ctx: _Context, start: int, cues: Sequence[tuple[int, int, int]]) -> dict[str, str]:
        """Attributes of the strongest factuality cue in the window before `start`, else none."""
        window_start = _window_start(ctx, start, self.lexicon.window)
        found = [group for s, e, group in cues if s >= window_start and e <= start]
        return dict(self.lexicon.factuality[min(found)].attrs) if found else {}

    # -- attribution --------------------------------------------------------------------------

    def _attributions(self, ctx: _Context) -> list[_Claim]:
        """Attributed claims from quotation, reporting-verb and ", saying" patterns, without overlaps."""
        doc = ctx.doc
        found: list[_Claim] = []
        for key, start, end in sorted(self._matchers.cues(doc), key=lambda m: m[1]):
            if ctx.in_quote(start):
                continue
            with_object = doc.vocab.strings[key] == "OBJECT"
            found += self._quoted(ctx, start, end) or self._reported(ctx, start, end, with_object)
        for _, comma, end in self._matchers.participles(doc):
            if not ctx.in_quote(comma):
                found += self._saying(ctx, comma, end)
        return _without_overlaps(found)

    def _quoted(self, ctx: _Context, start: int, end: int) -> list[_Claim]:
        """(a) A quotation closed just before speaker + verb, or just before verb + speaker."""
        speaker = self._speaker_before(ctx, start)
        close = speaker.phrase_start - 1 if speaker is not None else start - 1
        if speaker is None:
            speaker = self._speaker_after(ctx, end)
        if close > 0 and ctx.doc[close].text == ",":
            close -= 1  # “…”, he said
        region = next((r for r in ctx.quotes if r[1] == close), None)
        if speaker is None or region is None:
            return []
        return [_Claim(s, e, quote, speaker) for s, e, quote in self._quote_content(ctx, region)]

    def _quote_content(self, ctx: _Context, region: tuple[int, int]) -> list[tuple[int, int, str]]:
        """One claim per sentence of a quotation; `mixed` when its sentence starts before the quotation."""
        open_, close = region
        first = ctx.bounds(open_)[0]
        lead = self._trim(ctx, first, open_, connectives=True)
        start = lead[0] if lead is not None else open_ + 1
        pieces = []
        cut = start
        while cut < close:
            piece_end = min(ctx.bounds(cut)[1], close)
            trimmed = self._trim(ctx, cut, piece_end)
            if trimmed is not None:
                pieces.append((trimmed[0], trimmed[1], MIXED if trimmed[0] < open_ else DIRECT))
            cut = piece_end if piece_end > cut else cut + 1
        return pieces

    def _reported(self, ctx: _Context, start: int, end: int, with_object: bool) -> list[_Claim]:
        """(b) speaker + reporting verb (+ complementizer) + content to the end of the sentence."""
        speaker = self._speaker_before(ctx, start)
        if speaker is None:
            return []
        doc, lexicon = ctx.doc, self.lexicon
        sentence_end = self._content_end(ctx, end)
        content = end
        if with_object:
            if content >= sentence_end or not _is_word(doc[content]) or doc[content].lower_ in lexicon.prepositions:
                return []
        else:
            content = self._after_complementizer(ctx, content, sentence_end)
        trimmed = self._trim(ctx, content, sentence_end)
        if trimmed is None:
            return []
        return [_Claim(trimmed[0], trimmed[1], self._quote_type(ctx, *trimmed), speaker)]

    def _after_complementizer(self, ctx: _Context, start: int, end: int) -> int:
        """Where content starts: after "that" right away, or after a short phrase ("told reporters that")."""
        doc, lexicon = ctx.doc, self.lexicon
        if start < end and doc[start].lower_ in lexicon.complementizers:
            return start + 1
        if start >= end or doc[start].lower_ in lexicon.determiners:
            return start
        for index in range(start, min(start + COMPLEMENTIZER_REACH, end)):
            if not _is_word(doc[index]):
                break
            if doc[index].lower_ in lexicon.complementizers:
                return index + 1
        return start

    def _saying(self, ctx: _Context, comma: int, end: int) -> list[_Claim]:
        """(c) ", saying ..." attributed to the subject of the sentence."""
        speaker = self._subject(ctx, comma)
        if speaker is None:
            return []
        content = end
        sentence_end = self._content_end(ctx, end)
        if content < sentence_end and ctx.doc[content].lower_ in self.lexicon.complementizers:
            content += 1
        trimmed = self._trim(ctx, content, sentence_end)
        if trimmed is None:
            return []
        return [_Claim(trimmed[0], trimmed[1], self._quote_type(ctx, *trimmed), speaker)]

    def _content_end(self, ctx: _Context, start: int) -> int:
        """End of reported content: the sentence end, or an earlier ", saying" that starts new content."""
        sentence_end = ctx.bounds(start - 1)[1]
        for index in range(start, sentence_end - 1):
            if ctx.doc[index].text == "," and ctx.doc[index + 1].lower_ in self.lexicon.participles:
                return index
        return sentence_end

    def _quote_type(self, ctx: _Context, start: int, end: int) -> str:
        """direct inside one quotation, mixed with quotation marks inside, else indirect."""
        if any(open_ < start and end <= close for open_, close in ctx.quotes):
            return DIRECT
        if any(_overlaps((open_, close + 1), (start, end)) for open_, close in ctx.quotes):
            return MIXED
        return INDIRECT

    def _trim(self, ctx: _Context, start: int, end: int, *, connectives: bool = False) -> tuple[int, int] | None:
        """Token range without edge punctuation (keeping whole scare quotes) and, optionally, leading connectives."""
        doc, lexicon = ctx.doc, self.lexicon
        s, e = start, end
        while s < e and (not _is_word(doc[s]) or (connectives and doc[s].lower_ in lexicon.connectives)):
            s += 1
        while e > s and not _is_word(doc[e - 1]):
            e -= 1
        if e < end and e in ctx.scare and ctx.scare[e] >= s:
            e += 1
        if s > start and s - 1 in ctx.scare.values():
            closer = next(c for c, o in ctx.scare.items() if o == s - 1)
            if closer < e:
                s -= 1
        words = sum(1 for i in range(s, e) if _is_word(doc[i]))
        return (s, e) if words >= MIN_CLAIM_WORDS else None

    # -- speakers -----------------------------------------------------------------------------

    def _speaker_before(self, ctx: _Context, cue: int) -> _Mention | None:
        """The source just before a reporting verb: pronoun, name (without titles) or det + noun."""
        doc, lexicon = ctx.doc, self.lexicon
        first = ctx.bounds(cue)[0]
        index = cue - 1
        while index >= first and cue - index <= SPEAKER_GAP and (
            doc[index].lower_ in lexicon.adverbs or doc[index].lower_ in lexicon.auxiliaries
        ):
            index -= 1
        if index > first and doc[index].text == "," and _is_name(doc[index - 1]):
            index -= 1  # appositive: "..., Major General Igor Konashenkov, said"
        if index < first:
            return None
        token = doc[index]
        if token.lower_ in lexicon.pronouns:
            return _Mention(index, index + 1, PRONOUN, index)
        if _is_name(token):
            run = index
            while run > first and _is_name(doc[run - 1]):
                run -= 1
            return self._name_mention(ctx, run, index + 1)
        return self._nominal(ctx, index, first)

    def _speaker_after(self, ctx: _Context, start: int) -> _Mention | None:
        """The source just after a reporting verb ("…,” said Konashenkov)."""
        doc, lexicon = ctx.doc, self.lexicon
        if start >= len(doc) or ctx.sentence_of[start] != ctx.sentence_of[start - 1]:
            return None
        end_limit = ctx.bounds(start)[1]
        index = start + 1 if doc[start].lower_ in lexicon.determiners else start
        if index >= end_limit:
            return None
        token = doc[index]
        if token.lower_ in lexicon.pronouns:
            return _Mention(index, index + 1, PRONOUN, start)
        if _is_name(token):
            run = index
            while run + 1 < end_limit and (_is_name(doc[run + 1]) or doc[run + 1].lower_ in lexicon.titles):
                run += 1
            while not _is_name(doc[run]):
                run -= 1
            return self._name_mention(ctx, start, run + 1)
        if token.is_alpha and token.is_lower and self._content_word(token):
            return _Mention(index, index + 1, DOCUMENT if token.lower_ in lexicon.documents else NOMINAL, start)
        return None

    def _subject(self, ctx: _Context, limit: int) -> _Mention | None:
        """The subject at the start of the sentence (after connectives and an introductory phrase)."""
        doc, lexicon = ctx.doc, self.lexicon
        first = ctx.bounds(limit)[0]
        index = first
        while index < limit and (not _is_word(doc[index]) or doc[index].lower_ in lexicon.connectives):
            index += 1
        if index < limit and doc[index].lower_ in lexicon.prepositions:
            comma = next((i for i in range(index, limit) if doc[i].text == ","), None)
            index = comma + 1 if comma is not None else limit
        if index >= limit:
            return None
        token = doc[index]
        if token.lower_ in lexicon.pronouns:
            return _Mention(index, index + 1, PRONOUN, index)
        if token.lower_ in lexicon.determiners:
            reach = range(index + 1, min(index + 4, limit))
            noun = next((i for i in reach if doc[i].is_alpha and doc[i].is_lower), None)
            if noun is None or not self._content_word(doc[noun]):
                return None
            return _Mention(noun, noun + 1, DOCUMENT if doc[noun].lower_ in lexicon.documents else NOMINAL, index)
        if _is_name(token):
            run = index
            while run + 1 < limit and _is_name(doc[run + 1]):
                run += 1
            return self._name_mention(ctx, index, run + 1)
        return None

    def _name_mention(self, ctx: _Context, start: int, end: int) -> _Mention | None:
        """A capitalised run as a name, without leading determiners, connectives and titles."""
        doc, lexicon = ctx.doc, self.lexicon
        s = start
        while s < end and (doc[s].lower_ in lexicon.determiners or doc[s].lower_ in lexicon.connectives):
            s += 1
        titled = [i for i in range(s, end) if doc[i].lower_ in lexicon.titles]
        if titled and titled[-1] == end - 1:
            return _Mention(end - 1, end, NOMINAL, start)  # "the President said": a title alone
        if titled:
            s = titled[-1] + 1
        if s >= end or doc[s].lower_ in lexicon.pronouns:
            return None
        return _Mention(s, end, NAME, start)

    def _nominal(self, ctx: _Context, index: int, first: int) -> _Mention | None:
        """A lower-case noun after a determiner, punctuation or a name: nominal, or document."""
        doc, lexicon = ctx.doc, self.lexicon
        token = doc[index]
        if not (token.is_alpha and token.is_lower and self._content_word(token)):
            return None
        before = doc[index - 1] if index > first else None
        if before is not None and not (self._modifies(before) or not _is_word(before)):
            return None
        phrase = index
        while phrase > first and index - phrase < 3 and self._modifies(doc[phrase - 1]):
            phrase -= 1
        return _Mention(index, index + 1, DOCUMENT if token.lower_ in lexicon.documents else NOMINAL, phrase)

    def _modifies(self, token: Token) -> bool:
        """A determiner or a capitalised word that can open a nominal speaker ("the", "Russian")."""
        return token.lower_ in self.lexicon.determiners or _is_name(token)

    def _content_word(self, token: Token) -> bool:
        """Not a function word from the lexicon's lists (so it can head a nominal speaker)."""
        lexicon = self.lexicon
        return not any(
            token.lower_ in words
            for words in (lexicon.prepositions, lexicon.auxiliaries, lexicon.connectives, lexicon.complementizers,
                          lexicon.determiners, lexicon.adverbs, lexicon.pronouns)
        )

    # -- authorial claims ---------------------------------------------------------------------

    def _authorial(self, ctx: _Context, claims: Sequence[_Claim], events: Sequence[_Event]) -> list[_Claim]:
        """Sentences with a non-speech event, no attribution and no quotation, as authorial claims."""
        found = []
        for first, end in ctx.sentences:
            if any(_overlaps((first, end), (c.start, c.end)) for c in claims):
                continue
            if any(_overlaps((first, end), (o, c + 1)) for o, c in ctx.quotes) or ctx.doc[end - 1].text == "?":
                continue
            if not any(first <= e.start and e.end <= end and not self.lexicon.is_speech_act(e.attrs) for e in events):
                continue
            trimmed = self._trim(ctx, first, end, connectives=True)
            if trimmed is not None and sum(_is_word(ctx.doc[i]) for i in range(*trimmed)) >= MIN_AUTHORIAL_WORDS:
                found.append(_Claim(trimmed[0], trimmed[1], NO_QUOTE))
        return found

    # -- framing ------------------------------------------------------------------------------

    def _framings(self, ctx: _Context, claims: Sequence[_Claim]) -> list[_Framing]:
        """Lexicon terms (extended by a modifier) and scare quotes, longest first; voice from the claims."""
        doc, lexicon = ctx.doc, self.lexicon
        modifier_start = {e: s for _, s, e in self._matchers.modifiers(doc)}
        candidates: list[tuple[int, int, Attrs]] = []
        for key, start, end in self._matchers.framing(doc):
            group = lexicon.framing_terms[int(doc.vocab.strings[key])]
            candidates.append((modifier_start.get(start, start), end, group.attrs))
        candidates += [(open_, close + 1, lexicon.scare_quotes) for close, open_ in ctx.scare.items()]
        attributed = [(c.start, c.end) for c in claims if c.speaker is not None]
        framings = []
        for start, end, attrs in _longest_first(candidates):
            voice = QUOTED if any(s <= start and end <= e for s, e in attributed) else AUTHORIAL
            framings.append(_Framing(start, end, dict(attrs) | {"voice": voice}))
        return framings

    def _checkworthy(self, ctx: _Context) -> _Checkworthy:
        """The check-worthiness rule bound to this text's opinion cues."""
        return _Checkworthy(
            opinions=[s for _, s, _ in self._matchers.opinions(ctx.doc) if _is_cue(ctx, s)], lexicon=self.lexicon
        )


@dataclass(frozen=True)
class _Checkworthy:
    """Check-worthiness heuristic: opinion cue -> no; else a digit or a non-speech event -> yes; else no."""

    opinions: list[int]
    lexicon: Lexicon

    def __call__(self, claim: _Claim, text: str, events: Sequence[_Event]) -> str:
        """yes/no for one claim (`text` is the claim's text)."""
        if any(claim.start <= s < claim.end for s in self.opinions):
            return NO
        if any(ch.isdigit() for ch in text):
            return YES
        inside = [e for e in events if claim.start <= e.start and e.end <= claim.end]
        return YES if any(not self.lexicon.is_speech_act(e.attrs) for e in inside) else NO


def _is_cue(ctx: _Context, start: int) -> bool:
    """A cue word is lower-case or sentence-initial: "May" mid-sentence is a month, not a modal."""
    return not ctx.doc[start].text[:1].isupper() or start == ctx.bounds(start)[0]


def _window_start(ctx: _Context, index: int, size: int) -> int:
    """First token of the `size` words before `index`, stopping at the sentence start or a clause break."""
    first = ctx.bounds(index)[0]
    start, words, i = index, 0, index - 1
    while i >= first and words < size and ctx.doc[i].text not in CLAUSE_BREAKS:
        words += _is_word(ctx.doc[i])
        start = i
        i -= 1
    return start


def _without_overlaps(claims: Sequence[_Claim]) -> list[_Claim]:
    """Claims in order of discovery, dropping any that overlaps a kept claim or whose speaker clashes.

    Claims with the same speaker mention (a quotation of several sentences) share one SPEAKER.
    """
    kept: list[_Claim] = []
    speakers: dict[tuple[int, int], _Mention] = {}
    for claim in claims:
        if any(_overlaps((claim.start, claim.end), (k.start, k.end)) for k in kept):
            continue
        speaker = claim.speaker
        if speaker is not None:
            where = (speaker.start, speaker.end)
            same = speakers.get(where)
            clashes = same is None and any(_overlaps(where, other) for other in speakers)
            if clashes or _overlaps(where, (claim.start, claim.end)):
                continue
            claim.speaker = speakers.setdefault(where, same or speaker)
        kept.append(claim)
    return sorted(kept, key=lambda c: c.start)


def _unique_speakers(claims: Sequence[_Claim]) -> list[_Mention]:
    """The distinct speaker mentions of the claims, in text order."""
    seen: dict[int, _Mention] = {}
    for claim in claims:
        if claim.speaker is not None:
            seen.setdefault(id(claim.speaker), claim.speaker)
    return sorted(seen.values(), key=lambda m: m.start)


def _name_runs(ctx: _Context, lexicon: Lexicon) -> list[tuple[int, str]]:
    """(end token, text) of each capitalised multi-word name, titles and determiners left out."""
    doc, runs = ctx.doc, []
    index = 0
    while index < len(doc):
        if not _is_name(doc[index]):
            index += 1
            continue
        end = index
        while end < len(doc) and _is_name(doc[end]):
            end += 1
        skip = lexicon.determiners | lexicon.connectives
        words = [t for t in doc[index:end] if t.lower_ not in skip]
        titled = [i for i, t in enumerate(words) if t.lower_ in lexicon.titles]
        words = words[titled[-1] + 1 :] if titled else words
        if len(words) >= 2:
            runs.append((end, doc[words[0].i : words[-1].i + 1].text))
        index = end
    return runs


def _resolve_entities(ctx: _Context, speakers: Sequence[_Mention], lexicon: Lexicon) -> None:
    """Set each speaker's entity: its name, a full name it ends, or the nearest preceding full name."""
    runs = _name_runs(ctx, lexicon)
    resolved: list[_Mention] = []
    for speaker in speakers:
        text = ctx.doc[speaker.start : speaker.end].text
        full_names = [m.entity for m in resolved if len(m.entity.split()) >= 2]
        earlier_runs = [name for end, name in runs if end <= speaker.start]
        if speaker.mention == NAME:
            if len(text.split()) >= 2:
                speaker.entity = text
            else:
                candidates = full_names[::-1] + earlier_runs[::-1]
                speaker.entity = next((name for name in candidates if name.split()[-1] == text), text)
        else:
            fallback = [m.entity for m in resolved][-1:] or [text]
            speaker.entity = (full_names[-1:] or earlier_runs[-1:] or fallback)[0]
        resolved.append(speaker)


# --------------------------------------------------------------------------------------------
# Output


def _chars(ctx: _Context, start: int, end: int) -> tuple[int, int] | None:
    """Character offsets of a token range, trimmed of edge whitespace; None if nothing is left."""
    doc = ctx.doc
    s, e = doc[start].idx, doc[end - 1].idx + len(doc[end - 1].text)
    text = doc.text
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return (s, e) if e > s else None


def _about(claim: _Claim, events: Sequence[_Event], lexicon: Lexicon) -> _Event | None:
    """The first event inside the claim, speech acts only if there is nothing else."""
    inside = [e for e in events if claim.start <= e.start and e.end <= claim.end]
    preferred = [e for e in inside if not lexicon.is_speech_act(e.attrs)]
    return (preferred or inside or [None])[0]


def _assemble(
    doc_id: str,
    ctx: _Context,
    schema: Schema,
    claims: Sequence[_Claim],
    speakers: Sequence[_Mention],
    events: Sequence[_Event],
    framings: Sequence[_Framing],
    checkworthy: _Checkworthy,
    lexicon: Lexicon,
) -> Document:
    """Turn token-level results into a Document with ids B1, B2, ... in text order."""
    text = ctx.doc.text
    items: list[tuple[int, int, str, dict[str, str], object]] = []

    def add(label: str, start: int, end: int, attrs: dict[str, str], key: object) -> None:
        chars = _chars(ctx, start, end)
        if chars is not None:
            items.append((chars[0], chars[1], label, attrs, key))

    for speaker in speakers:
        add(lexicon.roles.speaker, speaker.start, speaker.end, {"mention": speaker.mention, "entity": speaker.entity}, id(speaker))
    for event in events:
        add(lexicon.roles.event, event.start, event.end, event.attrs, id(event))
    for framing in framings:
        add(lexicon.roles.framing, framing.start, framing.end, framing.attrs, id(framing))
    for claim in claims:
        chars = _chars(ctx, claim.start, claim.end)
        claim_text = text[chars[0] : chars[1]] if chars else ""
        attrs = {
            "voice": ATTRIBUTED if claim.speaker is not None else AUTHORIAL,
            "quote": claim.quote,
            "checkworthy": checkworthy(claim, claim_text, events),
        }
        add(lexicon.roles.claim, claim.start, claim.end, attrs, id(claim))
    order = {name: index for index, name in enumerate(schema.label_names)}
    items = _without_crossings(items, order)
    items.sort(key=lambda item: (item[0], item[1], order[item[2]]))
    ids = {key: f"B{index}" for index, (*_, key) in enumerate(items, start=1)}
    spans = [
        Span(id=ids[key], label=label, start=s, end=e, text=text[s:e], attrs=dict(attrs))
        for s, e, label, attrs, key in items
    ]
    relations = []
    for claim in sorted(claims, key=lambda c: c.start):
        if id(claim) not in ids:
            continue
        if claim.speaker is not None and id(claim.speaker) in ids:
            relations.append(Relation(lexicon.roles.attribution, ids[id(claim)], ids[id(claim.speaker)]))
        target = _about(claim, events, lexicon)
        if target is not None and id(target) in ids:
            relations.append(Relation(lexicon.roles.topic, ids[id(claim)], ids[id(target)]))
    return Document(id=doc_id, text=text, spans=spans, relations=relations)


def _without_crossings(
    items: list[tuple[int, int, str, dict[str, str], object]], order: Mapping[str, int]
) -> list[tuple[int, int, str, dict[str, str], object]]:
    """Spans of different labels may nest but not cross (guidelines v2): of two crossing spans, the
    one of the label listed first in the schema stays (claims, then speakers, events, framing)."""
    kept: list[tuple[int, int, str, dict[str, str], object]] = []
    for item in sorted(items, key=lambda item: (order[item[2]], item[0], item[1])):
        start, end, label = item[0], item[1], item[2]
        if not any(other[2] != label and (other[0] < start < other[1] < end or start < other[0] < end < other[1]) for other in kept):
            kept.append(item)
    return kept


def _as_prediction(document: Document) -> dict:
    """The {"spans": [...], "relations": [...]} output of a call."""
    return {
        "spans": [span.to_dict() for span in document.spans],
        "relations": [relation.to_dict() for relation in document.relations],
    }
