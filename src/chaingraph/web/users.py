"""The users of ``chaingraph serve``: a JSON file of names, organisations, roles and Argon2 hashes.

Each user belongs to one organisation and sees only the cases in which that organisation
has an assignment (need-to-know). A user of role ``chain`` (the monitor's working group)
belongs to no organisation in particular and sees counts of all cases, never a case. The
file holds no password, only its Argon2id hash (``argon2-cffi``), is written atomically
and readable by its owner only::

    {"version": 1, "users": {"anna": {"role": "member", "organisation": "https://...#org-vtrr",
                                      "organisation_name": "VTRR", "hash": "$argon2id$..."}}}

An organisation is named the way people name it (``politie``, ``vtrr``, ``zvhrr``, ``om``):
its IRI's tail without ``org-``, its short names or its labels in either language.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from rdflib import RDF, Graph, URIRef
from rdflib.namespace import RDFS, SKOS

from chaingraph.errors import BadParameter, UnknownOrganisation, UnknownUser
from chaingraph.labels import local_name, short_name
from chaingraph.namespace import CG
from chaingraph.output import write_atomic

ROLES = ("member", "chain")
"""``member``: the cases of its organisation; ``chain``: counts of all cases, no case."""
MIN_PASSWORD = 10
VERSION = 1
_NAME = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
_HASHER = PasswordHasher()
# Verifying an unknown user's password against this hash takes as long as a known user's, so
# the time a failed login takes does not say whether the name exists.
_DUMMY = _HASHER.hash("not a password of anyone")


@dataclass(frozen=True)
class User:
    """A user of the web app: ``organisation`` is an IRI (None for the ``chain`` role)."""

    name: str
    role: str
    organisation: str | None
    organisation_name: str
    hash: str = ""

    @property
    def sees_cases(self) -> bool:
        """True when the user may open cases (a member; everyone in ``--open`` mode)."""
        return self.role in ("member", "open")


OPEN_USER = User(name="-", role="open", organisation=None, organisation_name="-")
"""Who uses ``chaingraph serve --open``: anyone on this computer, every case."""


def organisation_names(graph: Graph) -> dict[str, URIRef]:
    """Every name an organisation goes by (casefolded) with its IRI.

    Example:
        >>> from chaingraph import load
        >>> names = organisation_names(load())
        >>> local_name(names["politie"]), local_name(names["vtrr"]), local_name(names["police"])
        ('org-politie', 'org-vtrr', 'org-politie')
    """
    found: dict[str, URIRef] = {}
    orgs = sorted(o for o in graph.subjects(RDF.type, CG.Organisation) if isinstance(o, URIRef))
    # weaker names first, so that a stronger name of another organisation wins a clash
    for org in orgs:
        for prop in (RDFS.label, SKOS.prefLabel, SKOS.altLabel):
            for value in graph.objects(org, prop):
                found[str(value).casefold()] = org
    for org in orgs:
        for lang in ("en", "nl"):
            found[short_name(graph, org, lang).casefold()] = org
        tail = local_name(org)
        found[tail.casefold()] = org
        found[tail.removeprefix("org-").casefold()] = org
    return found


def resolve_organisation(graph: Graph, name: str) -> URIRef:
    """Return the organisation called ``name``; an unknown one raises, listing the known.

    Example:
        >>> from chaingraph import load
        >>> local_name(resolve_organisation(load(), "ZVHRR"))
        'org-zvhrr'
    """
    names = organisation_names(graph)
    org = names.get(name.strip().casefold())
    if org is None:
        known = {local_name(o).removeprefix("org-") for o in names.values()}
        raise UnknownOrganisation(name, known)
    return org


def read_users(path: str | Path) -> dict[str, User]:
    """Read the users file at ``path`` (none there: no users).

    Raises:
        BadParameter: the file is not a users file.
    """
    path = Path(path)
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("version") != VERSION:
            raise ValueError(f"version {data.get('version')!r}")
        return {name: User(name=name, role=str(entry["role"]),
                           organisation=entry.get("organisation"),
                           organisation_name=str(entry.get("organisation_name", "-")),
                           hash=str(entry["hash"]))
                for name, entry in data["users"].items()}
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BadParameter(key="users_file", path=str(path), why=str(exc)) from None


def _write(path: Path, users: dict[str, User]) -> None:
    data = {"version": VERSION, "users": {
        u.name: {"role": u.role, "organisation": u.organisation,
                 "organisation_name": u.organisation_name, "hash": u.hash}
        for u in sorted(users.values(), key=lambda u: u.name)}}
    write_atomic(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    os.chmod(path, 0o600)  # password hashes: for the owner's eyes only


def add_user(path: str | Path, name: str, *, password: str, graph: Graph,
             organisation: str | None = None, role: str = "member",
             hasher: PasswordHasher | None = None) -> User:
    """Add user ``name`` to the users file at ``path`` (made if missing) and return it.

    ``hasher``: Argon2id with ``argon2-cffi``'s default cost unless given; a check of the
    password later uses the cost written in the hash.

    Raises:
        BadParameter: a bad name, a short password, a user already there, a member
            without an organisation.
        UnknownOrganisation: no organisation of that name (lists the known).
    """
    path = Path(path)
    if not _NAME.match(name):
        raise BadParameter(key="user_name", name=name)
    if role not in ROLES:
        raise BadParameter(key="user_role", role=role, roles=", ".join(ROLES))
    if len(password) < MIN_PASSWORD:
        raise BadParameter(key="password_short", n=MIN_PASSWORD)
    users = read_users(path)
    if name in users:
        raise BadParameter(key="user_exists", name=name, path=str(path))
    org: URIRef | None = None
    if organisation:
        org = resolve_organisation(graph, organisation)
    elif role == "member":
        raise BadParameter(key="organisation_needed")
    user = User(name=name, role=role, organisation=str(org) if org is not None else None,
                organisation_name=short_name(graph, org, "nl") if org is not None else "-",
                hash=(hasher or _HASHER).hash(password))
    users[name] = user
    _write(path, users)
    return user


def remove_user(path: str | Path, name: str) -> User:
    """Remove user ``name`` from the users file at ``path``; return who it was.

    Raises:
        UnknownUser: no such user in the file.
    """
    users = read_users(path)
    if name not in users:
        raise UnknownUser(name, users)
    user = users.pop(name)
    _write(Path(path), users)
    return user


def check_password(users: dict[str, User], name: str, password: str) -> User | None:
    """Return the user when ``password`` is theirs, else None (in about the same time)."""
    user = users.get(name)
    try:
        _HASHER.verify(user.hash if user else _DUMMY, password)
    except (VerificationError, InvalidHashError):
        return None
    return user
