"""A refusal of the SHACL compiler in either language: the construct it names is a phrase of
``catalogue/compiler.toml``, said in the error's language, its English the same as before.

Each shape below is refused; its English construct is written out as the compiler said it
before the phrases moved into the catalogue, and its Dutch sentence holds no English but
SHACL's, SPARQL's and RDF's terms and the shapes' own values.
"""

from __future__ import annotations

import ast
import pickle
import re
from pathlib import Path

import pytest
from rdflib import Graph

from chaingraph import catalogue, shapes
from chaingraph.cli import main
from chaingraph.shacl2sparql import Construct, IllFormedShape, UnsupportedShape, validate

PREFIXES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://ex/> .
"""
NODE = "ex:S a sh:NodeShape ; sh:targetClass ex:A ; "
PROP = "ex:S a sh:PropertyShape ; sh:targetClass ex:A ; sh:path ex:p ; "
COMPONENT = ("ex:C a sh:ConstraintComponent ; sh:parameter [ sh:path ex:param ] ; "
             'sh:{} [ sh:ask "ASK {{ FILTER (?value = $param) }}{}" ] . ')
XSD = "<http://www.w3.org/2001/XMLSchema#"
NESTED = "inside sh:node, sh:not, sh:or, sh:and, sh:property or a qualified value shape"


def _select(query: str) -> str:
    return NODE + f'sh:sparql [ sh:select """{query}""" ] .'


# (shapes, data, ill-formed, the construct in English as the compiler named it before)
REFUSED = {
    "union-outer": (_select(
        "SELECT $this ?value WHERE { $this ex:in ?c ; ex:s ?x . "
        "{ $this ex:s ?value . FILTER (?value != ?x) } UNION { $this ex:e ?value } }"), "", False,
        "a UNION branch that reads a variable bound outside the UNION (pySHACL and SPARQL "
        "engines differ there)"),
    "nested-max-count": (NODE + "sh:not [ sh:property [ sh:path ex:p ; sh:maxCount 2 ] ] .", "",
                         False, "sh:maxCount above 1 in a nested property shape"),
    "nested-min-count": (NODE + "sh:not [ sh:property [ sh:path ex:p ; sh:minCount 2 ] ] .", "",
                         False, "sh:minCount above 1 in a nested property shape"),
    "ill-formed-list": (NODE + "sh:in ex:notAList .", "", True,
                        "sh:in with a value that is not a well-formed list"),
    "closed-property": (PROP + "sh:closed true .", "", False, "sh:closed"),
    "closed-nested": (NODE + "sh:node [ sh:qualifiedValueShapesDisjoint true ] .", "", False,
                      f"sh:qualifiedValueShapesDisjoint {NESTED}"),
    "values-prebound": (_select("SELECT $this WHERE { VALUES ?x { 1 } $this ex:p ?x }"), "", True,
                        "VALUES in a SPARQL query with pre-bound $this"),
    "unbalanced-select": (_select("SELECT $this WHERE { $this ex:p ?x "), "", True,
                          "an sh:select with unbalanced braces"),
    "node-kind": (NODE + "sh:nodeKind ex:Thing .", "", True,
                  "sh:nodeKind <http://ex/Thing> (not one of the six node kinds)"),
    "count": (PROP + 'sh:maxCount "two" .', "", True,
              'sh:maxCount "two" (not a non-negative xsd:integer)'),
    "two-values": (PROP + "sh:maxCount 1, 2 .", "", True, "2 values of sh:maxCount"),
    "recursive": ("ex:S a sh:NodeShape ; sh:targetNode ex:a ; "
                  "sh:property [ sh:path ex:p ; sh:node ex:S ] .", "", False,
                  "a recursive shape (one that reaches itself through sh:node, sh:property, "
                  "sh:not, sh:and, sh:or, sh:xone or sh:qualifiedValueShape)"),
    "byte": (PROP + "sh:datatype xsd:byte .", "", False,
             "sh:datatype xsd:byte (Oxigraph keeps its literals as xsd:integer)"),
    "notation": (PROP + "sh:datatype xsd:NOTATION .", "", False,
                 "sh:datatype xsd:NOTATION (no SPARQL test tells its ill-typed literals)"),
    "flags": (PROP + 'sh:pattern "a" ; sh:flags "x" .', "", False,
              'sh:pattern "a" (sh:flags x): flags other than i and m (the reference, pySHACL, '
              "does not read them)"),
    "count-on-node-shape": ("ex:S a sh:PropertyShape ; sh:targetClass ex:A ; sh:minCount 1 .", "",
                            False, "sh:minCount"),
    "no-select": (NODE + 'sh:sparql [ sh:message "m" ] .', "", False,
                  "an sh:sparql constraint without sh:select"),
    "select-star": (_select("SELECT * WHERE { $this ex:p ?x }"), "", False,
                    "SELECT * in sh:select"),
    "limit": (_select("SELECT $this WHERE { $this ex:p ?x } LIMIT 1"), "", False,
              "LIMIT or OFFSET in sh:select with pre-bound $this"),
    "bind-in-exists": (_select("SELECT $this ?value WHERE { $this ex:e ?value . "
                               "FILTER NOT EXISTS { BIND (?value AS ?w) FILTER (BOUND(?w)) } }"),
                       "", False, "BIND inside EXISTS (pySHACL and SPARQL engines differ there)"),
    "graph": (_select("SELECT $this WHERE { GRAPH ?g { $this ex:p ?x } }"), "", False,
              "GRAPH, which pySHACL cannot evaluate on its data graph (pySHACL and SPARQL "
              "engines differ there)"),
    "blank-target": ("ex:S a sh:NodeShape ; sh:targetNode [] ; sh:class ex:A .", "", False,
                     "sh:targetNode with a blank node"),
    "blank-value": (NODE + "sh:hasValue [] .", "", False, "sh:hasValue with a blank node"),
    "decimal": (NODE + 'sh:hasValue "4.0"^^xsd:decimal .', "", False,
                f'sh:hasValue "4.0"^^{XSD}decimal> (Oxigraph reads it as "4"^^{XSD}decimal>)'),
    "zero-length": ("ex:S a sh:PropertyShape ; sh:targetNode ex:zzz ; "
                    "sh:path [ sh:zeroOrMorePath ex:p ] ; sh:class ex:A .", "ex:a ex:p ex:b .",
                    False, "a path that may have length zero (sh:zeroOrMorePath, "
                    "sh:zeroOrOnePath) from sh:targetNode <http://ex/zzz>, which is not in the "
                    "data"),
    "nested-component": (COMPONENT.format("validator", "") + NODE + "sh:node [ ex:param 1 ] .",
                         "", False,
                         f"the SPARQL-based constraint component <http://ex/C> {NESTED}"),
    "no-validator": (COMPONENT.format("nodeValidator", "") + PROP + "ex:param 1 .", "", False,
                     "the constraint component <http://ex/C> without a validator for property "
                     "shapes"),
    "ask-modifiers": (COMPONENT.format("validator", " LIMIT 1") + NODE + "ex:param 1 .", "",
                      False, "an sh:ask with solution modifiers"),
    "changed-literal": (PROP + 'sh:pattern "^0" .', 'ex:a a ex:A ; ex:p "1.0"^^xsd:decimal .',
                        False, f'sh:pattern on data with the literal "1.0"^^{XSD}decimal> '
                        f'(Oxigraph keeps it as "1"^^{XSD}decimal>)'),
    "merged-literals": (PROP + "sh:maxCount 1 .",
                        'ex:a a ex:A ; ex:p "1.0"^^xsd:decimal, "1.00"^^xsd:decimal .', False,
                        f'sh:maxCount on data with the literals "1.0"^^{XSD}decimal> and '
                        f'"1.00"^^{XSD}decimal> (Oxigraph keeps them as one, '
                        f'"1"^^{XSD}decimal>)'),
    "ill-typed-literal": (PROP + "sh:datatype xsd:boolean .",
                          'ex:a a ex:A ; ex:p "none"^^xsd:boolean .', False,
                          f'sh:datatype on data with the ill-typed literal "false"^^{XSD}boolean> '
                          "(rdflib has rewritten its lexical form)"),
}

# English words of the old phrases that Dutch does not use ("of", Dutch for "or", it does);
# SHACL's, SPARQL's and RDF's terms, IRIs and quoted values are taken out of a sentence
# before it is compared with them.
ENGLISH = {"a", "above", "an", "and", "anonymous", "bound", "does", "from", "inside", "it", "its",
           "keeps", "not", "on", "or", "other", "outside", "reads", "than", "that", "the",
           "uses", "when", "which", "whose", "with", "without"}


def _refusal(name: str) -> UnsupportedShape:
    shapes_text, data, _, _ = REFUSED.get(name, (name, "", None, None))
    shapes_graph = Graph().parse(data=PREFIXES + shapes_text, format="turtle")
    data_graph = Graph().parse(data=PREFIXES + data, format="turtle")
    with pytest.raises(UnsupportedShape) as refused:
        validate(data_graph, shapes_graph)
    return refused.value


def _words(sentence: str) -> set[str]:
    plain = re.sub(r'<[^>]*>|"[^"]*"(\^\^\S+)?|\S*[:$?]\S*', " ", sentence)
    return set(re.findall(r"[a-z]+", plain))


@pytest.mark.filterwarnings("ignore:Parsing weird boolean:UserWarning")
@pytest.mark.parametrize("name", REFUSED)
def test_a_refusal_names_its_construct_in_english_as_before_and_in_dutch(name):
    refusal = _refusal(name)
    _, _, ill_formed, english = REFUSED[name]
    assert isinstance(refusal, IllFormedShape) == ill_formed
    assert refusal.construct == refusal.construct_text("en") == english
    sentence = "shape S is ill-formed: {}, which" if ill_formed else "shape S uses {}, which"
    assert str(refusal).startswith(sentence.format(english))
    dutch = refusal.text("nl")
    assert refusal.construct_text("nl") in dutch
    assert english not in dutch or not _words(english) & ENGLISH  # (a SHACL key alone)
    assert not _words(dutch) & ENGLISH, dutch
    assert dutch.startswith("shape S is onjuist gevormd: " if ill_formed else "shape S gebruikt ")


def test_a_blank_node_shape_is_named_in_the_language_of_the_sentence():
    refusal = _refusal("[ a sh:NodeShape ; sh:targetClass ex:A ; sh:nodeKind ex:Thing ] .")
    assert str(refusal).startswith("shape [anonymous _:")
    assert refusal.text("nl").startswith("shape [anoniem _:")
    assert not _words(refusal.text("nl")) & ENGLISH


def test_a_refusal_keeps_its_languages_across_processes():
    """A worker process hands its refusal to the parent pickled."""
    refusal = _refusal("union-outer")
    again = pickle.loads(pickle.dumps(refusal))
    assert type(again) is UnsupportedShape and again.shape == refusal.shape
    assert again.text("nl") == refusal.text("nl") and str(again) == str(refusal)
    assert again.construct == refusal.construct


def test_a_construct_within_a_construct_is_said_in_the_same_language():
    nested = Construct("nested", what=Construct("sparql_component", component="ex:C"))
    assert nested.text("en") == f"the SPARQL-based constraint component ex:C {NESTED}"
    assert nested.text("nl") == ("de op SPARQL gebaseerde constraint component ex:C binnen "
                                 "sh:node, sh:not, sh:or, sh:and, sh:property of een qualified "
                                 "value shape")


def test_every_phrase_of_the_catalogue_is_named_by_the_compiler():
    """A key of compiler.toml is written in the compiler's code (``wrong.count``: "wrong."
    and "count"); a phrase no refusal names would go stale unseen."""
    source = Path(__file__).parents[1] / "src" / "chaingraph" / "shacl2sparql"
    strings = {node.value for path in source.glob("*.py")
               for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
               if isinstance(node, ast.Constant) and isinstance(node.value, str)}
    unused = [key for key in catalogue.texts("compiler")
              if not {key, f"compiler.{key}"} & strings and not (
                  "." in key and f"{key.rsplit('.', 1)[0]}." in strings
                  and key.rsplit(".", 1)[1] in strings)]
    assert not unused


# --- the command line ---------------------------------------------------------------------------

def _with_shape(monkeypatch, tmp_path, name: str) -> None:
    """The bundled shapes and one more, refused by the compiler."""
    extra = tmp_path / "refused.ttl"
    extra.write_text(PREFIXES + REFUSED[name][0], encoding="utf-8")
    bundled = shapes.shape_files()
    monkeypatch.setattr(shapes, "shape_files", lambda: [*bundled, extra])


@pytest.mark.parametrize("name, dutch", [
    ("nested-max-count", "sh:maxCount boven 1 in een geneste property shape"),
    ("ill-formed-list", "sh:in met een waarde die geen juist gevormde lijst is"),
])
def test_the_compiled_audit_refuses_in_dutch_with_exit_2(monkeypatch, tmp_path, capsys, name,
                                                          dutch):
    _with_shape(monkeypatch, tmp_path, name)
    assert main(["audit", "--engine", "sparql", "--lang", "nl"]) == 2
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and "Traceback" not in captured.err
    assert dutch in captured.err and "shape S " in captured.err
    assert not _words(captured.err) & ENGLISH, captured.err
    assert main(["audit", "--engine", "sparql"]) == 2
    assert REFUSED[name][3] in capsys.readouterr().err


def test_the_reason_for_the_reference_engine_is_in_the_language_of_the_report(
        monkeypatch, tmp_path, capsys):
    _with_shape(monkeypatch, tmp_path, "nested-max-count")
    assert main(["audit", "--case", "FX-005", "--lang", "nl"]) == 1
    assert ("de compiler weigert S (sh:maxCount boven 1 in een geneste property shape), dus "
            "draaide de referentie-engine") in capsys.readouterr().out
