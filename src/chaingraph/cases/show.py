"""Writing a case as a form (YAML), and the empty form with its comments (the template).

:func:`show_form` writes a :class:`~chaingraph.cases.model.Case` as the YAML form that
:func:`chaingraph.cases.form.parse_form` reads, so ``case show`` then ``case update`` gives
the case back. :func:`template` is the form to fill in, commented in English or Dutch, with
the names allowed for each field read from the ontology and the monitor.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import yaml

from chaingraph.cases.model import Assignment, Case
from chaingraph.cases.vocabulary import Vocabulary, vocabulary
from chaingraph.catalogue import text

__all__ = ["form_data", "show_form", "template"]


def _person(a: Assignment, vocab: Vocabulary, lang: str, period: tuple[date, date | None] | None,
            first: dict[str, Any] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"id": a.id} if a.id else {}
    out.update(first or {})
    out["organisation"] = vocab.organisation.write(a.organisation, lang)
    out["role"] = vocab.role.write(a.role, lang)
    out["holder"] = a.holder
    if a.paired_with:
        out["paired_with"] = a.paired_with
    if period is None or (a.start, a.end) != period:
        out["from"] = a.start
        out["to"] = a.end
    return out


def form_data(case: Case, lang: str = "en", *, vocab: Vocabulary | None = None) -> dict[str, Any]:
    """The form of ``case`` as plain data (what :func:`show_form` writes as YAML)."""
    vocab = vocab or vocabulary()
    head: dict[str, Any] = {"id": case.id, "fictional": case.fictional, "start": case.start,
                            "end": case.end}
    if case.risk is not None:
        head["risk"] = vocab.risk.write(case.risk, lang)
    head["victim"] = case.victim
    head["suspect"] = case.suspect
    head["phases"] = [vocab.phase.write(p, lang) for p in case.phases]
    if case.escalation_agreement is not None:
        head["escalation_agreement"] = vocab.agreement.write(case.escalation_agreement, lang)
    if case.note:
        head["note"] = case.note
    data: dict[str, Any] = {"case": head}
    data["owners"] = [_person(a, vocab, lang, (date.min, None),
                              {"phase": vocab.phase.write(a.phase, lang)} if a.phase else {})
                      for a in case.owners]
    data["contact_points"] = [_person(a, vocab, lang, (date.min, None))
                              for a in case.contact_points]
    instruments = []
    for inst in case.instruments:
        item: dict[str, Any] = {"id": inst.id, "type": vocab.instrument.write(inst.type, lang),
                                "from": inst.start, "to": inst.end}
        if inst.risk_outcome is not None:
            item["risk_outcome"] = vocab.risk.write(inst.risk_outcome, lang)
        if inst.duty_to_report is not None:
            item["duty_to_report"] = inst.duty_to_report
        if inst.conditions:
            item["conditions"] = list(inst.conditions)
        if inst.note:
            item["note"] = inst.note
        for person in inst.responsibilities:
            key = vocab.responsibility.write(person.kind, lang) if person.kind else "?"
            item.setdefault(key, []).append(
                _person(person, vocab, lang, (inst.start, inst.end)))
        if inst.extensions:
            item["extensions"] = [{"id": e.id, "date": e.date, "until": e.until}
                                  for e in inst.extensions]
        instruments.append(item)
    data["instruments"] = instruments
    events = []
    for ev in case.events:
        entry: dict[str, Any] = {"id": ev.id, "type": vocab.event.write(ev.type, lang),
                                 "date": ev.date}
        org, role = vocab.organisation, vocab.role
        for key, value, kind in (("by", ev.by, org), ("hosted_by", ev.hosted_by, org),
                                 ("chaired_by", ev.chaired_by, role),
                                 ("from_organisation", ev.from_organisation, org),
                                 ("to_organisation", ev.to_organisation, org),
                                 ("phase", ev.phase, vocab.phase),
                                 ("escalated_to", ev.escalated_to, role),
                                 ("escalated_by", ev.escalated_by, role)):
            if value is not None:
                entry[key] = kind.write(value, lang)
        if ev.participants:
            entry["participants"] = [org.write(p, lang) for p in ev.participants]
        if ev.concerns:
            entry["concerns"] = ev.concerns
        if ev.follows_up:
            entry["follows_up"] = ev.follows_up
        if ev.note:
            entry["note"] = ev.note
        events.append(entry)
    data["events"] = events
    return data


class _Dumper(yaml.SafeDumper):
    """Lists of names on one line; everything else in block style."""


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    flow = all(isinstance(x, str) for x in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


def _represent_none(dumper: yaml.SafeDumper, data: None) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:null", "")


_Dumper.add_representer(list, _represent_list)
_Dumper.add_representer(type(None), _represent_none)


def show_form(case: Case, lang: str = "en", *, vocab: Vocabulary | None = None) -> str:
    """Write ``case`` as the YAML form, names in ``lang``.

    Example:
        >>> from chaingraph import load
        >>> from chaingraph.cases.read import read_case
        >>> print(show_form(read_case(load(), "FX-011"), "nl").splitlines()[2])
        # FX-011
    """
    body = yaml.dump(form_data(case, lang, vocab=vocab), Dumper=_Dumper, sort_keys=False,
                     allow_unicode=True, default_flow_style=False, width=100)
    head = [f"# {line}" for line in text("case.show.header", lang).splitlines()]
    return "\n".join([*head, f"# {case.id}", body])


def _allowed(names: list[str], indent: int, lang: str) -> list[str]:
    """The allowed names as comment lines of at most 100 columns."""
    lines, line = [], " " * indent + "#   "
    for i, name in enumerate(names):
        piece = name + (", " if i < len(names) - 1 else "")
        if len(line) + len(piece) > 98:
            lines.append(line.rstrip())
            line = " " * indent + "#   "
        line += piece
    lines.append(line.rstrip())
    return lines


def template(lang: str = "en", *, vocab: Vocabulary | None = None) -> str:
    """The case form to fill in, commented in ``lang``: a small fictional example case.

    Every name it uses is one the form accepts, so it reads as it stands; the comments list
    the allowed organisations, roles, phases and types.

    Example:
        >>> from chaingraph.cases.form import parse_form
        >>> parse_form(template("nl")).id
        'CASE-001'
    """
    vocab = vocab or vocabulary()
    t = {key: text(f"case.template.{key}", lang) for key in (
        "head", "dates", "persons", "case", "id", "fictional", "start", "end", "risk", "victim",
        "suspect", "phases", "agreement", "note", "owners", "contact_points", "paired_with",
        "instruments", "instrument_id", "type", "period", "risk_outcome", "duty_to_report",
        "conditions", "responsibilities", "events", "event_type", "by", "concerns",
        "organisations", "roles", "instrument_types", "event_types")}
    kinds = {k: vocab.responsibility.write(node, lang)
             for k, node in (("decides", _kind(vocab, "decides")),
                             ("carries_out", _kind(vocab, "carries_out")),
                             ("monitors", _kind(vocab, "monitors")),
                             ("receives_alerts", _kind(vocab, "receives_alerts")),
                             ("informed", _kind(vocab, "informed")))}
    org = vocab.organisation.write
    role = vocab.role.write
    phase_names = vocab.phase.allowed(lang)
    monitor = _instrument(vocab, "AnkleMonitor")
    lines = [*(f"# {x}" for x in t["head"].splitlines()), f"# {t['dates']}", f"# {t['persons']}",
             "", f"case:                       # {t['case']}",
             f"  id: CASE-001              # {t['id']}",
             f"  fictional: true           # {t['fictional']}",
             f"  start: 20-06-2021         # {t['start']}",
             f"  end:                      # {t['end']}",
             f"  risk: high                # {t['risk']}: {', '.join(vocab.risk.allowed(lang))}",
             f"  victim: P-AAAA1           # {t['victim']}",
             f"  suspect: P-AAAA2          # {t['suspect']}",
             f"  phases: [{', '.join(p for p in phase_names if p != 'other')}]",
             f"  # {t['phases']}: {', '.join(phase_names)}",
             f"  escalation_agreement: {vocab.agreement.allowed(lang)[0]}   # {t['agreement']}",
             f"  note:                     # {t['note']}",
             "", f"# {t['organisations']}:", *_allowed(vocab.organisation.allowed(lang), 0, lang),
             f"# {t['roles']}:", *_allowed(vocab.role.allowed(lang), 0, lang),
             "", f"owners:                     # {t['owners']}"]
    police = org(_org(vocab, "politie"), lang)
    director = role(_role(vocab, "casusregisseur"), lang)
    for phase in (p for p in phase_names if p != "other"):
        lines += [f"  - phase: {phase}", f"    organisation: {police}", f"    role: {director}",
                  "    holder: P-AAAA3", "    from: 20-06-2021", "    to:"]
    lines += ["", f"contact_points:             # {t['contact_points']}",
              f"  - organisation: {police}", f"    role: {director}", "    holder: P-AAAA3",
              "    from: 20-06-2021",
              f"  - organisation: {police}",
              f"    role: {role(_role(vocab, 'vast-aanspreekpunt'), lang)}",
              "    holder: P-AAAA4", "    from: 20-06-2021",
              f"  - organisation: {org(_org(vocab, 'om'), lang)}",
              f"    role: {role(_role(vocab, 'zaakskoppel'), lang)}",
              "    holder: P-AAAA5", f"    paired_with: P-AAAA6    # {t['paired_with']}",
              "    from: 22-06-2021",
              f"  - role: {role(_role(vocab, 'procesregisseur-vtrr'), lang)}",
              "    holder: P-AAAA9",
              f"  - role: {role(_role(vocab, 'jurist-shn'), lang)}",
              "    holder: P-AAAB1",
              "", f"instruments:                # {t['instruments']}",
              f"  - id: {vocab.instrument.write(monitor, 'en')}   # {t['instrument_id']}",
              f"    type: {vocab.instrument.write(monitor, lang)}   # {t['type']}",
              "    from: 01-07-2021           # " + t["period"], "    to: 31-12-2021",
              f"    # {t['risk_outcome']}", f"    # {t['duty_to_report']}",
              f"    # {t['conditions']}",
              f"    # {t['responsibilities']}: {', '.join(kinds.values())}",
              f"    {kinds['decides']}:",
              f"      - {{organisation: {org(_org(vocab, 'om'), lang)}, "
              f"role: {role(_role(vocab, 'ovj'), lang)}, holder: P-AAAA7}}",
              f"    {kinds['carries_out']}:",
              f"      - {{organisation: {org(_org(vocab, 'reclassering'), lang)}, "
              f"role: {role(_role(vocab, 'reclasseringswerker'), lang)}, holder: P-AAAA8}}",
              f"    {kinds['monitors']}:",
              f"      - {{organisation: {org(_org(vocab, 'reclassering'), lang)}, "
              f"role: {role(_role(vocab, 'reclasseringswerker'), lang)}, holder: P-AAAA8}}",
              f"    {kinds['receives_alerts']}:",
              f"      - {{organisation: {police}, role: {director}, holder: P-AAAA3}}",
              f"    {kinds['informed']}:",
              f"      - {{organisation: {police}, role: {director}, holder: P-AAAA3}}",
              f"# {t['instrument_types']}:", *_allowed(vocab.instrument.allowed(lang), 0, lang),
              "", f"events:                     # {t['events']}",
              f"  - type: {vocab.event.write(_event(vocab, 'Report'), lang)}   # {t['event_type']}",
              "    date: 20-06-2021", f"    by: {police}               # {t['by']}",
              f"  - type: {vocab.event.write(_event(vocab, 'InstrumentImposed'), lang)}",
              "    date: 01-07-2021", f"    by: {org(_org(vocab, 'om'), lang)}",
              f"    concerns: {vocab.instrument.write(monitor, 'en')}   # {t['concerns']}",
              f"# {t['event_types']}:", *_allowed(vocab.event.allowed(lang), 0, lang), ""]
    return "\n".join(lines)


def _kind(vocab: Vocabulary, name: str) -> Any:
    return vocab.responsibility.find(name)


def _org(vocab: Vocabulary, name: str) -> Any:
    return vocab.organisation.find(name)


def _role(vocab: Vocabulary, name: str) -> Any:
    return vocab.role.find(name)


def _instrument(vocab: Vocabulary, name: str) -> Any:
    return vocab.instrument.find(name)


def _event(vocab: Vocabulary, name: str) -> Any:
    return vocab.event.find(name)
