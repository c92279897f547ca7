"""Ontology terms as constants, closed against typos.

rdflib's ``DefinedNamespace`` with ``_fail = True`` raises ``AttributeError`` on a
misspelt term instead of minting a new IRI. ``tests/test_ontology.py`` checks that
these constants and ``ontology/*.ttl`` declare exactly the same terms.
"""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace


class CG(DefinedNamespace):
    """The chaingraph ontology: ``https://w3id.org/chaingraph/ontology#``."""

    _NS = Namespace("https://w3id.org/chaingraph/ontology#")
    _fail = True

    # Classes
    Agreement: URIRef
    AnkleMonitor: URIRef
    Area: URIRef
    Arrest: URIRef
    Assessment: URIRef
    Assignment: URIRef
    Aware: URIRef
    BehaviouralOrder: URIRef
    Case: URIRef
    CaseConsultation: URIRef
    CaseEvent: URIRef
    Chain: URIRef
    CollaborationAgreement: URIRef
    ContactBan: URIRef
    DriehoekMeeting: URIRef
    Duty: URIRef
    Escalation: URIRef
    EscalationAgreement: URIRef
    EscalationLevel: URIRef
    Event: URIRef
    EvidenceCamera: URIRef
    EvidenceInstrument: URIRef
    Handover: URIRef
    HighRiskCase: URIRef
    ImprovementMeasure: URIRef
    Indicator: URIRef
    Instrument: URIRef
    InstrumentEnded: URIRef
    InstrumentExtended: URIRef
    InstrumentImposed: URIRef
    InstrumentResponsibility: URIRef
    LearningConference: URIRef
    LearningSession: URIRef
    LocationBan: URIRef
    MeasureStatus: URIRef
    Meeting: URIRef
    MonitorItem: URIRef
    MultidisciplinaryConsultation: URIRef
    Organisation: URIRef
    OutpatientHelp: URIRef
    Person: URIRef
    Phase: URIRef
    PhaseOwnership: URIRef
    Professional: URIRef
    ProtectionMeasure: URIRef
    ProtectionOrder: URIRef
    RelatedDevelopment: URIRef
    Report: URIRef
    ResponsibilityKind: URIRef
    RestrainingOrder: URIRef
    RiskInstrument: URIRef
    RiskLevel: URIRef
    Role: URIRef
    RoleAssignment: URIRef
    SASHScreening: URIRef
    SafetyAssessment: URIRef
    SafetyPlan: URIRef
    Screening: URIRef
    SourceSection: URIRef
    StalkingApp: URIRef
    ThemeRoom: URIRef
    Violation: URIRef
    WorkAgreement: URIRef

    # Properties
    appliesPhase: URIRef
    area: URIRef
    attentionPoint: URIRef
    byOrganisation: URIRef
    caseId: URIRef
    chairedBy: URIRef
    concerns: URIRef
    date: URIRef
    defaultOwner: URIRef
    duty: URIRef
    dutyHolder: URIRef
    dutyToReport: URIRef
    endDate: URIRef
    enforces: URIRef
    escalatedBy: URIRef
    escalatedTo: URIRef
    escalatesTo: URIRef
    escalatesUltimatelyTo: URIRef
    escalationAgreement: URIRef
    escalationLevel: URIRef
    escalationLine: URIRef
    extendedUntil: URIRef
    fictional: URIRef
    followsUp: URIRef
    fromOrganisation: URIRef
    heldAt: URIRef
    holder: URIRef
    hostedBy: URIRef
    inCase: URIRef
    includesCondition: URIRef
    indicator: URIRef
    instrument: URIRef
    interpretation: URIRef
    mandate: URIRef
    order: URIRef
    organisation: URIRef
    owner: URIRef
    pairedWith: URIRef
    participant: URIRef
    partner: URIRef
    party: URIRef
    periodNote: URIRef
    phase: URIRef
    plannedDate: URIRef
    pseudonym: URIRef
    relatedMeasure: URIRef
    responsibility: URIRef
    riskLevel: URIRef
    riskOutcome: URIRef
    role: URIRef
    startDate: URIRef
    status: URIRef
    statusText: URIRef
    suspect: URIRef
    toOrganisation: URIRef
    value: URIRef
    victim: URIRef
    year: URIRef

    # Concepts and schemes
    CarriesOut: URIRef
    ContactPoint: URIRef
    Decides: URIRef
    EscalationLevelScheme: URIRef
    Informed: URIRef
    LevelAdministrative: URIRef
    LevelOperational: URIRef
    LevelTactical: URIRef
    Monitors: URIRef
    Owns: URIRef
    PhaseCaseDirection: URIRef
    PhaseCollaboration: URIRef
    PhaseOther: URIRef
    PhaseRecognition: URIRef
    PhaseRiskAssessment: URIRef
    PhaseScheme: URIRef
    PhaseSequence: URIRef
    ReceivesAlerts: URIRef
    ResponsibilityScheme: URIRef
    RiskHigh: URIRef
    RiskLow: URIRef
    RiskMedium: URIRef
    RiskScheme: URIRef
    StatusExploration: URIRef
    StatusInProgress: URIRef
    StatusPilot: URIRef
    StatusPlanned: URIRef
    StatusRealised: URIRef
    StatusScheme: URIRef


# The classes of a case: a high-risk case is a case (rdfs:subClassOf), and may be written as one
# alone; every part of chaingraph that looks for cases looks for both, as the audit's targets do.
CASE_CLASSES = (CG.Case, CG.HighRiskCase)
# The classes of a person: a case holds the persons it names (chaingraph.audit.partition).
PERSON_CLASSES = (CG.Person, CG.Professional)


def case_namespace(iri: str) -> str:
    """An IRI up to its last ``/`` (one at its very end does not count): a node whose IRI has
    the namespace of a case's (``…/case/FX-005/case``) belongs to that case, as
    :func:`chaingraph.audit.partition` and the file audit's units both read it.

    Example:
        >>> case_namespace("https://w3id.org/chaingraph/case/FX-005/own-1")
        'https://w3id.org/chaingraph/case/FX-005/'
    """
    return iri[:iri.rfind("/", 0, len(iri) - 1 if iri.endswith("/") else len(iri)) + 1]


def namespace_case(iri: str) -> str:
    """The IRI of the case a node lies under, if that IRI is a case (:func:`case_namespace`
    and ``case``); "" for the case IRI itself.

    Example:
        >>> namespace_case("https://w3id.org/chaingraph/case/FX-005/own-1")
        'https://w3id.org/chaingraph/case/FX-005/case'
    """
    candidate = case_namespace(iri) + "case"
    return "" if candidate == iri else candidate


MON = Namespace("https://w3id.org/chaingraph/monitor/")
PRS = Namespace("https://w3id.org/chaingraph/person/")
CASE = Namespace("https://w3id.org/chaingraph/case/")
QB = Namespace("http://purl.org/linked-data/cube#")
ORG = Namespace("http://www.w3.org/ns/org#")
ODRL = Namespace("http://www.w3.org/ns/odrl/2/")

PREFIXES = {
    "cg": CG._NS,
    "mon": MON,
    "prs": PRS,
    "qb": QB,
    "org": ORG,
    "odrl": ODRL,
}
