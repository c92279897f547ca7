"""Reading a case form (YAML) into a :class:`~chaingraph.cases.model.Case`.

Every mistake is a :class:`~chaingraph.errors.FormError`: one sentence naming the line, the
field and what is allowed. The form is read with ``yaml.compose`` so that each value keeps
its line; values are taken as the text written (``2021-06-20`` stays text until it is read
as a date here, as does ``20-06-2021``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

import yaml
from rdflib import URIRef

from chaingraph.cases.model import Assignment, Case, Event, Extension, Instrument
from chaingraph.cases.vocabulary import Vocabulary, vocabulary
from chaingraph.errors import FormError

__all__ = ["parse_date", "parse_form", "parse_pseudonym", "read_form"]

T = TypeVar("T")

PSEUDONYM = re.compile(r"^P-[A-Z0-9]{5}$")
CASE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
LOCAL_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_DUTCH = re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})$")
_TRUE = {"true", "yes", "ja", "waar", "1"}
_FALSE = {"false", "no", "nee", "onwaar", "0"}
_NULL = "tag:yaml.org,2002:null"

TOP = ("case", "owners", "contact_points", "instruments", "events")
CASE_FIELDS = ("id", "fictional", "start", "end", "risk", "victim", "suspect", "phases",
               "escalation_agreement", "note")
PERSON_FIELDS = ("id", "organisation", "role", "holder", "from", "to")
OWNER_FIELDS = ("id", "phase", "organisation", "role", "holder", "from", "to")
CONTACT_FIELDS = ("id", "organisation", "role", "holder", "paired_with", "from", "to")
INSTRUMENT_FIELDS = ("id", "type", "from", "to", "risk_outcome", "duty_to_report", "conditions",
                     "extensions", "note")
EXTENSION_FIELDS = ("id", "date", "until")
EVENT_FIELDS = ("id", "type", "date", "by", "concerns", "hosted_by", "chaired_by",
                "participants", "from_organisation", "to_organisation", "phase",
                "escalated_to", "escalated_by", "follows_up", "note")


def parse_date(text: str, *, field: str = "", line: int | None = None,
               place: str = "line") -> date:
    """Read a date written as 2021-06-20 or 20-06-2021.

    Example:
        >>> parse_date("20-06-2021"), parse_date("2021-06-20")
        (datetime.date(2021, 6, 20), datetime.date(2021, 6, 20))
    """
    value = text.strip()
    iso, dutch = _ISO.match(value), _DUTCH.match(value)
    try:
        if iso:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        if dutch:
            return date(int(dutch[3]), int(dutch[2]), int(dutch[1]))
    except ValueError:
        pass
    raise FormError("bad_date", field=field, line=line, place=place, value=value)


def parse_pseudonym(text: str, *, field: str = "", line: int | None = None,
                    place: str = "line") -> str:
    """Read a person's pseudonym (``P-7K3M9``, also written ``prs:P-7K3M9``)."""
    value = text.strip()
    bare = value.removeprefix("prs:")
    if not PSEUDONYM.match(bare):
        raise FormError("bad_pseudonym", field=field, line=line, place=place, value=value)
    return bare


class _Reader:
    """Walks the composed YAML, turning each value into what the model holds."""

    def __init__(self, vocab: Vocabulary, lang: str) -> None:
        self.vocab = vocab
        self.lang = lang

    # -- shapes of values
    @staticmethod
    def line(node: yaml.Node) -> int:
        return int(node.start_mark.line) + 1

    def mapping(self, node: yaml.Node, field: str, allowed: tuple[str, ...],
                extra: Callable[[str], bool] = lambda key: False) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            raise FormError("not_mapping", field=field, line=self.line(node))
        found: dict[str, yaml.Node] = {}
        for key_node, value in node.value:
            key = str(key_node.value)
            where = f"{field}.{key}" if field else key
            if key not in allowed and not extra(key):
                raise FormError("unknown_field", field=where, line=self.line(key_node),
                                allowed=", ".join(allowed))
            if key in found:
                raise FormError("repeated_field", field=where, line=self.line(key_node))
            found[key] = value
        return found

    def items(self, node: yaml.Node | None, field: str) -> list[yaml.Node]:
        if node is None or self.empty(node):
            return []
        if not isinstance(node, yaml.SequenceNode):
            raise FormError("not_list", field=field, line=self.line(node))
        return list(node.value)

    @staticmethod
    def empty(node: yaml.Node | None) -> bool:
        return node is None or (isinstance(node, yaml.ScalarNode)
                                and (node.tag == _NULL or not str(node.value).strip()))

    def text(self, node: yaml.Node, field: str) -> str:
        if not isinstance(node, yaml.ScalarNode):
            raise FormError("not_text", field=field, line=self.line(node))
        return str(node.value).strip()

    def optional(self, fields: dict[str, yaml.Node], key: str, field: str,
                 read: Callable[[yaml.Node, str], T]) -> T | None:
        node = fields.get(key)
        if node is None or self.empty(node):
            return None
        return read(node, f"{field}.{key}" if field else key)

    def required(self, fields: dict[str, yaml.Node], key: str, field: str, at: yaml.Node,
                 read: Callable[[yaml.Node, str], T]) -> T:
        found = self.optional(fields, key, field, read)
        if found is None:
            where = f"{field}.{key}" if field else key
            raise FormError("missing", field=where, line=self.line(fields.get(key, at)))
        return found

    # -- values
    def date(self, node: yaml.Node, field: str) -> date:
        return parse_date(self.text(node, field), field=field, line=self.line(node))

    def pseudonym(self, node: yaml.Node, field: str) -> str:
        return parse_pseudonym(self.text(node, field), field=field, line=self.line(node))

    def boolean(self, node: yaml.Node, field: str) -> bool:
        value = self.text(node, field).casefold()
        if value in _TRUE or value in _FALSE:
            return value in _TRUE
        raise FormError("bad_boolean", field=field, line=self.line(node), value=value)

    def local(self, node: yaml.Node, field: str) -> str:
        value = self.text(node, field)
        if not LOCAL_ID.match(value):
            raise FormError("bad_id", field=field, line=self.line(node), value=value)
        return value

    def name(self, kind: str) -> Callable[[yaml.Node, str], URIRef]:
        def read(node: yaml.Node, field: str) -> URIRef:
            value = self.text(node, field)
            found = self.vocab.kind(kind).find(value)
            if found is None:
                allowed = ", ".join(self.vocab.kind(kind).allowed(self.lang))
                raise FormError("unknown_name", field=field, line=self.line(node), value=value,
                                kind=kind, allowed=allowed)
            return found
        return read

    def names(self, kind: str) -> Callable[[yaml.Node, str], list[URIRef]]:
        def read(node: yaml.Node, field: str) -> list[URIRef]:
            if isinstance(node, yaml.ScalarNode):  # "politie, om" on one line
                parts = [p for p in re.split(r"[,;]", str(node.value)) if p.strip()]
                return [self.name(kind)(yaml.ScalarNode(node.tag, p, node.start_mark,
                                                        node.end_mark), field) for p in parts]
            return [self.name(kind)(item, f"{field}[{i}]")
                    for i, item in enumerate(self.items(node, field), 1)]
        return read

    def ids(self, node: yaml.Node, field: str) -> list[str]:
        if isinstance(node, yaml.ScalarNode):
            return [p.strip() for p in re.split(r"[,;]", str(node.value)) if p.strip()]
        return [self.local(item, f"{field}[{i}]")
                for i, item in enumerate(self.items(node, field), 1)]

    # -- parts of the form
    def person(self, node: yaml.Node, field: str, allowed: tuple[str, ...]) -> Assignment:
        fields = self.mapping(node, field, allowed)
        role = self.required(fields, "role", field, node, self.name("role"))
        organisation = self.optional(fields, "organisation", field, self.name("organisation"))
        if organisation is None:
            organisation = self.vocab.role_organisation.get(role)
            if organisation is None:
                raise FormError("missing", field=f"{field}.organisation", line=self.line(node))
        found = Assignment(
            organisation=organisation, role=role,
            holder=self.required(fields, "holder", field, node, self.pseudonym),
            start=self.optional(fields, "from", field, self.date) or date.min,
            end=self.optional(fields, "to", field, self.date),
            id=self.optional(fields, "id", field, self.local), line=self.line(node))
        if found.end is not None and found.start != date.min and found.end < found.start:
            raise FormError("end_before_start", field=f"{field}.to", line=self.line(fields["to"]),
                            start=found.start.isoformat(), end=found.end.isoformat())
        return found

    def case(self, node: yaml.Node) -> Case:
        fields = self.mapping(node, "case", CASE_FIELDS)
        case_id = self.required(fields, "id", "case", node, self.text)
        if not CASE_ID.match(case_id):
            raise FormError("bad_case_id", field="case.id", line=self.line(fields["id"]),
                            value=case_id)
        case = Case(
            id=case_id, start=self.required(fields, "start", "case", node, self.date),
            end=self.optional(fields, "end", "case", self.date),
            fictional=bool(self.optional(fields, "fictional", "case", self.boolean)),
            risk=self.optional(fields, "risk", "case", self.name("risk")),
            victim=self.optional(fields, "victim", "case", self.pseudonym),
            suspect=self.optional(fields, "suspect", "case", self.pseudonym),
            phases=self.optional(fields, "phases", "case", self.names("phase")) or [],
            escalation_agreement=self.optional(fields, "escalation_agreement", "case",
                                               self.name("agreement")),
            note=self.optional(fields, "note", "case", self.text))
        if case.end is not None and case.end < case.start:
            raise FormError("end_before_start", field="case.end", line=self.line(fields["end"]),
                            start=case.start.isoformat(), end=case.end.isoformat())
        return case

    def instrument(self, node: yaml.Node, field: str, case: Case) -> Instrument:
        kinds = self.vocab.responsibility
        fields = self.mapping(node, field, INSTRUMENT_FIELDS, lambda k: kinds.find(k) is not None)
        instrument = Instrument(
            type=self.required(fields, "type", field, node, self.name("instrument")),
            start=self.required(fields, "from", field, node, self.date),
            end=self.optional(fields, "to", field, self.date),
            id=self.optional(fields, "id", field, self.local),
            risk_outcome=self.optional(fields, "risk_outcome", field, self.name("risk")),
            duty_to_report=self.optional(fields, "duty_to_report", field, self.boolean),
            conditions=self.optional(fields, "conditions", field, self.ids) or [],
            note=self.optional(fields, "note", field, self.text), line=self.line(node))
        if instrument.end is not None and instrument.end < instrument.start:
            raise FormError("end_before_start", field=f"{field}.to", line=self.line(fields["to"]),
                            start=instrument.start.isoformat(), end=instrument.end.isoformat())
        for key, value in fields.items():
            kind = kinds.find(key) if key not in INSTRUMENT_FIELDS else None
            if kind is None:
                continue
            for i, item in enumerate(self.items(value, f"{field}.{key}"), 1):
                person = self.person(item, f"{field}.{key}[{i}]", PERSON_FIELDS)
                person.kind = kind
                if person.start == date.min:
                    person.start = instrument.start
                    person.end = person.end or instrument.end
                instrument.responsibilities.append(person)
        for i, item in enumerate(self.items(fields.get("extensions"), f"{field}.extensions"), 1):
            where = f"{field}.extensions[{i}]"
            ext = self.mapping(item, where, EXTENSION_FIELDS)
            instrument.extensions.append(Extension(
                date=self.required(ext, "date", where, item, self.date),
                until=self.required(ext, "until", where, item, self.date),
                id=self.optional(ext, "id", where, self.local)))
        return instrument

    def event(self, node: yaml.Node, field: str) -> Event:
        fields = self.mapping(node, field, EVENT_FIELDS)
        org, role = self.name("organisation"), self.name("role")
        return Event(
            type=self.required(fields, "type", field, node, self.name("event")),
            date=self.required(fields, "date", field, node, self.date),
            id=self.optional(fields, "id", field, self.local),
            by=self.optional(fields, "by", field, org),
            concerns=self.optional(fields, "concerns", field, self.local),
            hosted_by=self.optional(fields, "hosted_by", field, org),
            chaired_by=self.optional(fields, "chaired_by", field, role),
            participants=self.optional(fields, "participants", field,
                                       self.names("organisation")) or [],
            from_organisation=self.optional(fields, "from_organisation", field, org),
            to_organisation=self.optional(fields, "to_organisation", field, org),
            phase=self.optional(fields, "phase", field, self.name("phase")),
            escalated_to=self.optional(fields, "escalated_to", field, role),
            escalated_by=self.optional(fields, "escalated_by", field, role),
            follows_up=self.optional(fields, "follows_up", field, self.local),
            note=self.optional(fields, "note", field, self.text), line=self.line(node))

    def form(self, root: yaml.Node) -> Case:
        top = self.mapping(root, "", TOP)
        if "case" not in top:
            raise FormError("missing", field="case", line=self.line(root))
        case = self.case(top["case"])
        for i, item in enumerate(self.items(top.get("owners"), "owners"), 1):
            owner = self.person(item, f"owners[{i}]", OWNER_FIELDS)
            fields = self.mapping(item, f"owners[{i}]", OWNER_FIELDS)
            owner.phase = self.required(fields, "phase", f"owners[{i}]", item, self.name("phase"))
            owner.start = case.start if owner.start == date.min else owner.start
            case.owners.append(owner)
        for i, item in enumerate(self.items(top.get("contact_points"), "contact_points"), 1):
            contact = self.person(item, f"contact_points[{i}]", CONTACT_FIELDS)
            fields = self.mapping(item, f"contact_points[{i}]", CONTACT_FIELDS)
            contact.paired_with = self.optional(fields, "paired_with", f"contact_points[{i}]",
                                                self.pseudonym)
            contact.start = case.start if contact.start == date.min else contact.start
            case.contact_points.append(contact)
        for i, item in enumerate(self.items(top.get("instruments"), "instruments"), 1):
            case.instruments.append(self.instrument(item, f"instruments[{i}]", case))
        for i, item in enumerate(self.items(top.get("events"), "events"), 1):
            case.events.append(self.event(item, f"events[{i}]"))
        check_references(case)
        return case


def check_references(case: Case) -> None:
    """Raise :class:`FormError` where an id is used twice or a reference names nothing."""
    from chaingraph.cases.build import assign_ids

    assign_ids(case)
    seen: dict[str, int | None] = {}
    named: list[tuple[str | None, int | None, str]] = [
        *((a.id, a.line, "assignment") for a in case.assignments()),
        *((i.id, i.line, "instrument") for i in case.instruments),
        *((e.id, e.line, "event") for e in case.events)]
    for ident, line, _ in named:
        if ident in seen or ident == "case":
            raise FormError("repeated_id", field="id", line=line, value=ident)
        seen[str(ident)] = line
    instruments = {str(i.id) for i in case.instruments}
    for i, instrument in enumerate(case.instruments, 1):
        for condition in instrument.conditions:
            if condition not in instruments:
                raise FormError("unknown_reference", field=f"instruments[{i}].conditions",
                                line=instrument.line, value=condition,
                                allowed=", ".join(sorted(instruments)) or "-")
    events = {str(e.id) for e in case.events}
    for i, event in enumerate(case.events, 1):
        if event.concerns is not None and event.concerns not in instruments:
            raise FormError("unknown_reference", field=f"events[{i}].concerns", line=event.line,
                            value=event.concerns, allowed=", ".join(sorted(instruments)) or "-")
        if event.follows_up is not None and event.follows_up not in events:
            raise FormError("unknown_reference", field=f"events[{i}].follows_up",
                            line=event.line, value=event.follows_up,
                            allowed=", ".join(sorted(events)) or "-")


def parse_form(text: str, *, lang: str = "en", vocab: Vocabulary | None = None) -> Case:
    """Read a case form (YAML text) into a :class:`Case`.

    Example:
        >>> case = parse_form('''
        ... case: {id: CASE-1, start: 20-06-2021, phases: [risk]}
        ... owners:
        ...   - {phase: risk, role: casusregisseur, holder: P-AB12C}
        ... ''')
        >>> case.id, case.start.isoformat(), case.owners[0].organisation.rsplit("/", 1)[-1]
        ('CASE-1', '2021-06-20', 'org-politie')

    Raises:
        FormError: the first mistake: its line, field and what is allowed.
    """
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark: Any = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = int(mark.line) + 1 if mark is not None else None
        why = str(getattr(exc, "problem", None) or exc).strip()
        raise FormError("not_yaml", line=line, why=why) from None
    if root is None:
        raise FormError("empty_form")
    return _Reader(vocab or vocabulary(), lang).form(root)


def read_form(path: str, *, lang: str = "en", vocab: Vocabulary | None = None) -> Case:
    """Read the case form in the file ``path`` (``-`` for standard input)."""
    import sys

    from chaingraph.readable import read_text

    if path == "-":
        return parse_form(sys.stdin.read(), lang=lang, vocab=vocab)
    return parse_form(read_text(path), lang=lang, vocab=vocab)
