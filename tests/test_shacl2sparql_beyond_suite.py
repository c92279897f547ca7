"""The SHACL compiler beyond the W3C suite: what a differential run against pySHACL found.

A helper generated some 63,000 random pairs of small shapes and data and compared the
compiler's report with pySHACL's. Each case here is one cause it found, minimised: the
compiler now gives pySHACL's report, or refuses the shape naming the construct; never a
different report, never a crash. (Where pySHACL departs from SHACL and SPARQL themselves,
the compiler follows the specifications: the last test, and docs/guide/auditors.md.)
"""

from __future__ import annotations

import re

import pytest
from rdflib import Graph, URIRef

from chaingraph.shacl2sparql import (
    IllFormedShape,
    UnsupportedShape,
    compile_case_by_case,
    compile_shapes,
    key,
    reference,
    validate,
)

PREFIXES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://ex/> .
"""


def _graphs(shapes: str, data: str) -> tuple[Graph, Graph]:
    return (Graph().parse(data=PREFIXES + shapes, format="turtle"),
            Graph().parse(data=PREFIXES + data, format="turtle"))


def _results(violations) -> set[tuple]:
    return {(*key(v), v.value) for v in violations}


def _same(shapes: str, data: str) -> set[tuple]:
    """The report of both engines (focus, shape, component, severity, value), asserted equal."""
    shapes_graph, data_graph = _graphs(shapes, data)
    expected = _results(reference(data_graph, shapes_graph))
    assert _results(validate(data_graph, shapes_graph)) == expected
    return expected


@pytest.mark.parametrize("shape", [
    "ex:A a sh:PropertyShape, rdfs:Class ; sh:path ex:p ; sh:minCount 1 .",
    "ex:A a rdfs:Class ; sh:property [ sh:path ex:p ; sh:minCount 1 ] .",
])
def test_a_class_that_is_a_shape_targets_its_instances_however_it_is_typed(shape):
    """It was compiled only when typed sh:NodeShape: its rules disappeared without a word."""
    found = _same(shape, "ex:a a ex:A .")
    assert [str(k[2]) for k in found] == ["http://www.w3.org/ns/shacl#MinCountConstraintComponent"]


@pytest.mark.parametrize("path", ["[ sh:zeroOrMorePath ex:p ]", "[ sh:zeroOrOnePath ex:p ]",
                                  "( [ sh:zeroOrMorePath ex:p ] [ sh:zeroOrOnePath ex:q ] )"])
def test_a_path_of_length_zero_from_a_target_node_the_data_lacks_is_refused(path):
    """Oxigraph gives a node a path of length zero only when the data holds it: pySHACL found
    the target node itself (not an ex:A), the compiler nothing. Now refused, naming the node;
    with the node in the data both give the same report; case by case always refused."""
    shape = f"ex:S a sh:PropertyShape ; sh:targetNode ex:zzz ; sh:path {path} ; sh:class ex:A ."
    shapes, data = _graphs(shape, "ex:a ex:p ex:b .")
    with pytest.raises(UnsupportedShape) as refused:
        validate(data, shapes)
    assert "length zero" in str(refused.value) and "<http://ex/zzz>" in str(refused.value)
    assert "sh:zeroOrMorePath" in str(refused.value) and "S" in str(refused.value)
    assert len(_same(shape, "ex:zzz ex:p ex:b .")) == 2  # ex:zzz and ex:b are no ex:A
    with pytest.raises(UnsupportedShape, match="case by case"):
        compile_case_by_case(shapes)
    compile_case_by_case(_graphs(shape.replace("sh:targetNode ex:zzz", "sh:targetClass ex:C"),
                                 "")[0])  # no target node: compiled


@pytest.mark.parametrize("target, data", [
    ("sh:targetSubjectsOf ex:q", "ex:a ex:p ex:c ; ex:q 1, 2 ."),  # two ex:q triples
    ("sh:targetClass ex:A", "ex:B rdfs:subClassOf ex:A . ex:a a ex:A, ex:B ; ex:p 1 ."),
])
@pytest.mark.parametrize("aggregate", ["COUNT(?o)", "SUM(1)"])
def test_an_aggregate_counts_each_focus_node_once(target, data, aggregate):
    """A focus node the target gave twice was counted twice: a false violation."""
    shape = (f'ex:S a sh:NodeShape ; {target} ; sh:sparql [ sh:select """SELECT $this WHERE '
             f'{{ $this <http://ex/p> ?o }} GROUP BY $this HAVING ({aggregate} > 1)""" ] .')
    assert _same(shape, data) == set()
    assert _same(shape, data.replace("ex:p 1 .", "ex:p 1, 2 .").replace(
        "ex:p ex:c", "ex:p ex:c, ex:d"))  # two values: the violation is still found


@pytest.mark.parametrize("shape, data, found", [
    # the pair's other property is the target's: ?this ex:e ?_other implies ?this ex:e []
    ("ex:S a sh:PropertyShape ; sh:targetSubjectsOf ex:e ; sh:path ex:s ;"
     " sh:lessThanOrEquals ex:e .",
     "ex:a ex:s 5 ; ex:e 3, 4, 9 . ex:b ex:s 1 ; ex:e 2 . ex:c ex:s 7 .", 1),
    # the path is the target's property
    ("ex:S a sh:PropertyShape ; sh:targetSubjectsOf ex:s ; sh:path ex:s ; sh:maxInclusive 4 .",
     "ex:a ex:s 5, 6, 1 . ex:b ex:s 1 .", 2),
    # another property: the target stays (ex:c has no ex:s, yet is a focus node)
    ("ex:S a sh:PropertyShape ; sh:targetSubjectsOf ex:e ; sh:path ex:s ; sh:minCount 1 .",
     "ex:a ex:s 5 ; ex:e 3 . ex:c ex:e 7 .", 1),
])
def test_a_target_the_query_implies_is_left_out_and_the_report_is_the_same(shape, data, found):
    """``sh:targetSubjectsOf p`` joined ``?this p []`` to a query that starts with ``?this p
    ?x`` itself: each row once per value of p, the same set of rows (cgsh:PeriodInOrder took
    twice the time)."""
    assert len(_same(shape, data)) == found
    shapes = _graphs(shape, "")[0]
    (check,) = compile_shapes(shapes).checks
    implied = "sh:minCount" not in shape
    assert ("[] ." not in check.query) is implied, check.query


@pytest.mark.parametrize("body, form", [
    # plain branches that bind what they read: as written (the focus nodes found once)
    ("$this ex:in ?c . { $this ex:s ?v . ?c ex:s ?cs . FILTER (?v < ?cs) BIND (ex:s AS ?p) }"
     " UNION { $this ex:e ?v . ?c ex:e ?ce . FILTER (?v > ?ce) }", "written"),
    # a BIND's target read after the union (cgsh:CaseDatesOnce): as written
    ("{ $this ex:s ?v . BIND (ex:s AS ?p) } UNION { $this ex:e ?v . BIND (ex:e AS ?p) }"
     " $this ?p ?o . FILTER (?o != ?v)", "written"),
    # a branch with an OPTIONAL that reads ?c, bound outside: it was distributed, which gave
    # pySHACL's report on this data (every ?c is ex:c) but not where ?c is a node the
    # OPTIONAL does not find (ex:d in ex:f, below): pySHACL evaluated the branch on its own
    ("$this ex:in ?c . { $this ex:s ?v . OPTIONAL { ?c ex:s ?cs }"
     " FILTER (!BOUND(?cs) || ?v < ?cs) } UNION { $this ex:e ?v }", "refused"),
    ("$this ex:in ?c . { $this ex:s ?x OPTIONAL { ?c ex:e ?v } } UNION { $this ex:e ?v }",
     "refused"),
    # $this read, not bound, by a branch (the W3C suite's pre-binding-002): distributed
    ("{ ex:c ex:e ?v . FILTER ($this = ex:a) } UNION { $this ex:e ?v }", "distributed"),
    # a FILTER or EXISTS reading a variable bound only outside the union: pySHACL sees it
    # bound or not depending on how rdflib plans the query; refused (distributed, the first
    # gave findings 3 and 4 that pySHACL does not give)
    ("$this ex:in ?c ; ex:s ?x . { $this ex:s ?v . FILTER (?v != ?x) } UNION { $this ex:e ?v }",
     "refused"),
    ("$this ex:in ?c . { $this ex:s ?v . FILTER NOT EXISTS { ?c ex:s ?v } } UNION"
     " { $this ex:e ?v }", "refused"),
])
def test_a_union_is_distributed_only_where_that_cannot_change_the_report(body, form):
    """The compiler gave every branch of a top-level UNION the patterns around it, so that a
    branch's FILTER saw variables bound outside the union, where pySHACL's did not: another
    report (the fourth shape). A differential run on random unions (compiled against
    pySHACL) found 61 different reports in 1,200 before, none in 1,800 now: a union whose
    FILTER, BIND or EXISTS reads such a variable is refused, naming the construct; the
    others are distributed, or kept as written where that is the same and faster on
    Oxigraph."""
    import re

    from chaingraph.shacl2sparql.prebinding import union_form

    body = re.sub(r"\?v\b", "?value", re.sub(r"ex:(\w+)", r"<http://ex/\1>", body))
    shape = (f'ex:S a sh:NodeShape ; sh:targetClass ex:A ; sh:sparql [ sh:select """SELECT $this'
             f' ?value WHERE {{\n{body}\n}}""" ] .')
    data = ("ex:c ex:s 5 ; ex:e 9 . ex:a a ex:A ; ex:in ex:c ; ex:s 3, 4 ; ex:e 7 ."
            " ex:b a ex:A ; ex:in ex:c ; ex:s 6 ; ex:e 12 .")
    assert union_form(body.replace("$this", "?this")) == form
    if form == "refused":
        shapes, data_graph = _graphs(shape, data)
        with pytest.raises(UnsupportedShape, match="UNION branch that reads a variable bound"):
            validate(data_graph, shapes)
        return
    assert _same(shape, data), "each of these shapes finds something in the data"


@pytest.mark.parametrize("body, refused", [
    # found by the differential run: pySHACL reads these with or without the outer bindings
    ("$this ex:e ?v . FILTER NOT EXISTS { BIND (?v AS ?w) FILTER (BOUND(?w)) }",
     "BIND inside EXISTS"),
    ("?c ex:s ?x . { FILTER EXISTS { $this ex:s ?x } ex:c ex:e ?v . }",
     "an EXISTS in a nested group that reads a variable bound outside the group"),
    # compiled, and pySHACL's report: an EXISTS at the top, a group's FILTER, an OPTIONAL
    ("$this ex:in ?c ; ex:e ?v . FILTER NOT EXISTS { ?c ex:e ?v }", None),
    ("$this ex:s ?x . { $this ex:e ?v . FILTER (?v > ?x) }", None),
    ("$this ex:in ?c ; ex:e ?v . OPTIONAL { ?c ex:e ?ce . FILTER (?ce < ?v) }"
     " FILTER (!BOUND(?ce))", None),
])
def test_what_pyshacl_reads_either_way_is_refused_and_the_rest_compiled(body, refused):
    """The same differential run on nested groups, OPTIONAL and EXISTS (not unions) found
    about 1 % of random shapes with another report than pySHACL's, all of two kinds: a BIND
    inside EXISTS, and an EXISTS in a nested group that reads a variable bound outside the
    group. Those are refused, naming the construct; the rest gives pySHACL's report."""
    import re

    body = re.sub(r"\?v\b", "?value", re.sub(r"ex:(\w+)", r"<http://ex/\1>", body))
    shape = (f'ex:S a sh:NodeShape ; sh:targetClass ex:A ; sh:sparql [ sh:select """SELECT $this'
             f' ?value WHERE {{\n{body}\n}}""" ] .')
    data = ("ex:c ex:s 5 ; ex:e 9 . ex:a a ex:A ; ex:in ex:c ; ex:s 3, 4 ; ex:e 7 ."
            " ex:b a ex:A ; ex:in ex:c ; ex:s 6 ; ex:e 12 .")
    if refused:
        shapes, data_graph = _graphs(shape, data)
        with pytest.raises(UnsupportedShape, match=refused):
            validate(data_graph, shapes)
        return
    _same(shape, data)  # the two reports, asserted equal (the group's FILTER: both none)


@pytest.mark.parametrize("shape", [
    "ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:node ex:S ] .",
    "ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:node ex:S .",
    "ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:or ( ex:T ) . ex:T sh:not ex:S .",
    "ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:property [ sh:path ex:p ; "
    "sh:qualifiedValueShape ex:S ; sh:qualifiedMinCount 1 ] .",
])
def test_a_recursive_shape_is_refused_not_a_crash(shape):
    """It was a RecursionError; SHACL leaves recursive shapes to each processor."""
    shapes, _ = _graphs(shape, "")
    with pytest.raises(UnsupportedShape, match="recursive shape") as refused:
        compile_shapes(shapes)
    assert refused.value.shape == URIRef("http://ex/S")


def _layers(n: int) -> str:
    """A shape naming shapes in ``n`` layers, each shape naming both shapes of the next."""
    layers = " ".join(f"ex:A{i} sh:and ( ex:A{i + 1} ex:B{i + 1} ) . "
                      f"ex:B{i} sh:and ( ex:A{i + 1} ex:B{i + 1} ) ." for i in range(n))
    return (f"ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:node ex:A0 . {layers} "
            f"ex:A{n} sh:class ex:C . ex:B{n} sh:nodeKind sh:IRI .")


def test_a_shape_named_twice_is_no_recursion_and_too_many_are_refused():
    """Shapes that name the same shapes along several ways are no recursion: compiled, with
    pySHACL's report. Each use is written out, so layers of them multiply (2^30 at 30
    layers, which pySHACL refuses as too deep): past 2,000 the shape is refused."""
    assert _same(_layers(4), "ex:a ex:p ex:b .")  # ex:a is no ex:C
    assert _same(_layers(4), "ex:a a ex:C .") == set()
    with pytest.raises(UnsupportedShape, match="more than 2,000 shapes written out"):
        compile_shapes(_graphs(_layers(30), "")[0])


@pytest.mark.parametrize("pattern", ["(?=a)", "(a)\\\\1", "[[:alpha:]]+"])
def test_a_pattern_sparql_cannot_compile_is_refused(pattern):
    """Oxigraph's REGEX fails on look-around and back-references, and the FILTER then passes
    every value: pySHACL found a violation, the compiler none."""
    shape = f'ex:S a sh:NodeShape ; sh:targetNode ex:b ; sh:pattern "{pattern}" .'
    shapes, data = _graphs(shape, "ex:a ex:p ex:b .")
    with pytest.raises(UnsupportedShape, match="sh:pattern") as refused:
        validate(data, shapes)
    assert "REGEX" in str(refused.value)
    assert _same(shape.replace(pattern, "^http://ex/[ab]$"), "ex:a ex:p ex:b .") == set()


@pytest.mark.parametrize("value", ['"abc"', '"abc\\n"', '"abc\\nabc"', '"xabc"'])
@pytest.mark.parametrize("pattern", ["^abc$", "^(abc$|x)", "abc$|^x$", "^[$a-c]+$"])
def test_a_dollar_matches_before_a_final_newline_as_in_the_reference(pattern, value):
    """pySHACL reads patterns with Python's re, whose $ also matches before a final newline
    (so the pseudonym rule's "^P-[A-Z0-9]{5}$" passes "P-AB12C" with a newline after it)."""
    _same(f'ex:S sh:targetObjectsOf ex:p ; sh:pattern "{pattern}" .', f"ex:x ex:p {value} .")


def test_flags_the_reference_does_not_read_are_refused():
    for flags in ("s", "x", "q", "is"):
        shapes, _ = _graphs(f'ex:S sh:targetNode ex:b ; sh:pattern "a" ; sh:flags "{flags}" .',
                            "")
        with pytest.raises(UnsupportedShape, match="flags other than i and m"):
            compile_shapes(shapes)
    assert _same('ex:S sh:targetObjectsOf ex:p ; sh:pattern "^A$" ; sh:flags "im" .',
                 'ex:x ex:p "a", "b\\na", "b" .')


def test_where_pyshacl_departs_from_rdf_the_compiler_follows_rdf():
    """RDF 1.1 has one term for "a" and "a"^^xsd:string (rdflib two): sh:in holds."""
    shapes, data = _graphs('ex:S sh:targetObjectsOf ex:p ; sh:in ( "a"^^xsd:string ) .',
                           'ex:x ex:p "a" .')
    assert validate(data, shapes) == set()


@pytest.mark.parametrize("body, refused", [
    # rdflib gives a subquery's empty GROUP BY one row binding nothing, which joins every row
    # (ex:d, without ex:e, found too); SPARQL gives it no row
    ("$this ex:s ?v . { SELECT $this (COUNT(?x) AS ?n) WHERE { $this ex:e ?x } GROUP BY $this }",
     "GROUP BY and no HAVING"),
    ("$this ex:s ?v . { SELECT $this (MAX(?x) AS ?n) WHERE { $this ex:e ?x } GROUP BY $this }"
     " FILTER (!BOUND(?n))", "GROUP BY and no HAVING or FILTER on its aggregate"),
    # rdflib binds a subquery's variables to the values found before it: its own ?x (not
    # returned) meets the ex:e values (none found), its ?n the ex:s values (each "equal")
    ("?c ex:e ?x . { SELECT $this WHERE { $this ex:s ?x } } BIND ($this AS ?v)",
     "a subquery that shares a variable other than $this"),
    ("$this ex:s ?n . { SELECT $this (MAX(?x) AS ?n) WHERE { $this ex:e ?x } GROUP BY $this"
     " HAVING (COUNT(?x) > 0) } BIND (?n AS ?v)", "a subquery that shares a variable"),
    # rdflib's SUM leaves out the rows without ?x (0 where there are none), SPARQL's is an
    # error: unbound (ex:a, ex:b, ex:d found, by pySHACL only)
    ("BIND ($this AS ?v) { SELECT $this (SUM(?x) AS ?m) WHERE { FILTER EXISTS { $this ex:s ?x } }"
     " GROUP BY $this } FILTER (?m = ?m)", "SUM, AVG, MIN, MAX or GROUP_CONCAT over a variable"),
    # rdflib keeps the ?t found before a group and drops the group's BIND: every ex:e
    ("?t ex:e ?v . { BIND ($this AS ?t) }", "a BIND in a nested group to a variable bound"),
    # rdflib cannot evaluate these at all: pySHACL fails
    ("$this !^ex:in ?v .", "an inverse path in a negated property set"),
    ("$this !(ex:s|^ex:in) ?v .", "an inverse path in a negated property set"),
    ("GRAPH ?g { ?c ex:s ?v }", "GRAPH, which pySHACL cannot evaluate"),
    # compiled, and pySHACL's report: a HAVING drops the empty group's row; a returned variable the
    # subquery binds by a triple; the BIND in an OPTIONAL; property paths; a negation
    ("$this ex:s ?v . { SELECT $this (COUNT(?x) AS ?n) WHERE { $this ex:e ?x } GROUP BY $this"
     " HAVING (COUNT(?x) > 0) }", None),
    ("$this ex:s ?v . { SELECT $this (MAX(?x) AS ?n) WHERE { $this ex:e ?x } GROUP BY $this }"
     " FILTER (?v < ?n)", None),  # so does a FILTER comparing the aggregate
    ("$this ex:in ?c . { SELECT $this ?c (MAX(?x) AS ?v) WHERE { $this ex:in ?c . ?c ex:s ?x }"
     " GROUP BY $this ?c HAVING (COUNT(*) > 0) }", None),
    ("?t ex:e ?v . OPTIONAL { BIND ($this AS ?t) }", None),
    ("$this !(ex:s|ex:in) ?v . FILTER (!(?v = 3))", None),
    ("$this ex:in/ex:in* ?c . ?c ^ex:in ?v . FILTER (?v != $this)", None),
])
def test_what_rdflib_evaluates_otherwise_in_subqueries_and_paths_is_refused(body, refused):
    """A differential run on subqueries, property paths, BIND chains, MINUS, VALUES and GRAPH
    (the kinds below) found 124 of 1,500 random subqueries, 3 of 1,500 paths and 2 of 1,500
    others with another report than pySHACL's, and 238 that pySHACL cannot evaluate
    (compiled regardless). Each cause is refused, naming the construct; none in 2,000 each
    since."""
    import re

    body = re.sub(r"\?v\b", "?value", re.sub(r"ex:(\w+)", r"<http://ex/\1>", body))
    shape = (f'ex:S a sh:NodeShape ; sh:targetClass ex:A ; sh:sparql [ sh:select """SELECT $this'
             f' ?value WHERE {{\n{body}\n}}""" ] .')
    if refused:
        shapes, data_graph = _graphs(shape, _PATH_DATA)
        with pytest.raises(UnsupportedShape, match=re.escape(refused)):
            validate(data_graph, shapes)
        return
    assert _same(shape, _PATH_DATA)


def test_a_subquery_inside_exists_must_return_this_too():
    """SHACL's rule for subqueries (Appendix A) was checked outside EXISTS only: pySHACL
    refused the shape as ill-formed, the compiler gave a report."""
    shape = ('ex:S a sh:NodeShape ; sh:targetClass ex:A ; sh:sparql [ sh:select """SELECT $this'
             ' WHERE { FILTER NOT EXISTS { { SELECT ?x WHERE { $this <http://ex/s> ?x } } } }"""'
             ' ] .')
    shapes, data_graph = _graphs(shape, _PATH_DATA)
    with pytest.raises(IllFormedShape, match="a subquery that does not return"):
        validate(data_graph, shapes)


@pytest.mark.parametrize("head, body, refused", [
    # ?x only in an OPTIONAL: pySHACL's MIN is 7 (the unbound row left out), SPARQL's an error
    ("(MIN(?x) AS ?value)", "$this <http://ex/s> ?y . OPTIONAL { $this <http://ex/e> ?x"
     " FILTER (?y = 3) }", True),
    ("(SUM(?x) AS ?value)", "{ $this <http://ex/s> ?x } UNION { $this <http://ex/e> ?y }", True),
    # bound in every row: by a triple, by COALESCE ending in one (cgsh:PhaseGap's ?until), by
    # every branch of a UNION
    ("(MIN(?x) AS ?value)", "$this <http://ex/s> ?x .", False),
    ("(MIN(?x) AS ?value)", "$this <http://ex/s> ?y . OPTIONAL { $this <http://ex/e> ?e }"
     " BIND (COALESCE(IF(?e > ?y, ?e, ?nothing), ?y) AS ?x)", False),
    ("(MAX(?x) AS ?value)", "{ $this <http://ex/s> ?x } UNION { $this <http://ex/e> ?x }", False),
])
def test_an_aggregate_over_a_variable_some_rows_leave_unbound_is_refused(head, body, refused):
    """Found with the subqueries: ex:a's rows have ?x 7 and unbound; pySHACL's MIN is 7,
    the compiled one unbound (so the value was the focus node), without a word. Now refused
    where a row may leave the variable unbound, in the query itself as in a subquery."""
    shape = (f'ex:S a sh:NodeShape ; sh:targetClass ex:A ; sh:sparql [ sh:select """SELECT $this'
             f' {head} WHERE {{ {body} }} GROUP BY $this""" ] .')
    if refused:
        shapes, data = _graphs(shape, _PATH_DATA)
        with pytest.raises(UnsupportedShape, match="a solution may leave unbound"):
            validate(data, shapes)
    else:
        assert _same(shape, _PATH_DATA)


# The differential run above, kept: random WHERE bodies of these parts, each compiled and
# compared with pySHACL on one small graph (a fixed seed: the same bodies every run).
_PARTS = ["$this ex:s ?v .", "$this ex:e ?v .", "?c ex:s ?cs .", "?c ex:e ?cs .",
          "FILTER (?v < ?cs)", "FILTER (?v != ?x)", "FILTER ($this = ex:a)", "BIND (?v AS ?w)",
          "FILTER (BOUND(?w))", "OPTIONAL { ?c ex:s ?cs2 }", "FILTER NOT EXISTS { ?c ex:s ?v }",
          "ex:c ex:e ?v .", "$this ex:in ?c .",
          "OPTIONAL { $this ex:e ?e2 } FILTER (!BOUND(?e2) || ?e2 > ?v)",
          "FILTER EXISTS { $this ex:s ?x }"]
_OUTSIDE = ["$this ex:in ?c .", "$this ex:in ?c ; ex:s ?x .", "", "?c ex:s ?x ."]
_DATA = ("ex:c ex:s 5 ; ex:e 9 . ex:a a ex:A ; ex:in ex:c ; ex:s 3, 4 ; ex:e 7 ."
         " ex:b a ex:A ; ex:in ex:c ; ex:s 6 ; ex:e 12 . ex:d a ex:A ; ex:s 5 .")


# Subqueries, property paths, and BIND chains with MINUS, VALUES and GRAPH: over data with a
# cycle of ex:in (for paths of any length).
_PATH_DATA = _DATA + " ex:c ex:in ex:f . ex:f ex:in ex:c ; ex:s 8 . ex:d ex:in ex:f ."
_SUBQUERY = ["$this ex:s ?x .", "$this ex:e ?x .", "$this ex:in ?c .", "?c ex:s ?cs .",
             "?c ex:e ?x .", "FILTER (?x > 4)", "FILTER ($this = ex:a)", "BIND (?x AS ?y)",
             "OPTIONAL { ?c ex:s ?cs2 }", "FILTER NOT EXISTS { ?c ex:s ?x }", "ex:c ex:e ?x .",
             "FILTER EXISTS { $this ex:s ?x }"]
_AROUND = ["$this ex:in ?c .", "FILTER (?v < ?m)", "FILTER (?n > 1)", "FILTER (?v != ?x)",
           "FILTER (BOUND(?x))", "FILTER (!BOUND(?c))", "FILTER (?m != ?v)", "?c ex:s ?x .",
           "OPTIONAL { ?c ex:e ?x }", "FILTER NOT EXISTS { ?c ex:s ?v }", "FILTER (?n < 2)",
           "FILTER (!BOUND(?n))", "FILTER (?n > 1 || ?v > 5)", "FILTER (COALESCE(?m, 0) < 5)"]
_AGGREGATES = ["MAX(?x)", "MIN(?x)", "COUNT(?x)", "SUM(?x)", "SAMPLE(?x)", "COUNT(DISTINCT ?x)",
               "AVG(?x)", "COUNT(*)"]  # (GROUP_CONCAT: a string, compared with numbers)
_HAVING = ["", "", "HAVING (COUNT(?x) > 1)", "HAVING (MAX(?x) < 6)", "HAVING (COUNT(*) > 0)"]
_PATHS = ["ex:in/ex:s", "ex:s|ex:e", "^ex:in", "ex:in*", "ex:in+", "ex:in?", "!ex:s",
          "!(ex:s|ex:in)", "(ex:in/ex:in)*", "ex:in*/ex:s", "ex:in/^ex:in", "^ex:s",
          "(ex:s|ex:e)?", "ex:in+/ex:e", "!^ex:in", "ex:s*", "(ex:in|^ex:in)+"]
_PATH_PARTS = ["FILTER (?v < 6)", "FILTER (isIRI(?v))", "FILTER (?v != $this)",
               "$this ex:in ?c .", "FILTER (BOUND(?x))", "FILTER ($this = ex:a)",
               "OPTIONAL { ?c ex:s ?x }", "FILTER NOT EXISTS { $this ex:in ?v }",
               "FILTER (isLiteral(?v))", "$this ex:s ?v ."]
_BINDS = ["$this ex:s ?v .", "$this ex:e ?v .", "$this ex:in ?c .", "?c ex:s ?cs .",
          "BIND (?v + 1 AS ?w)", "BIND (?w * 2 AS ?z)", "FILTER (?z > 10)",
          "BIND (?cs - ?v AS ?z)", "FILTER (?w < ?cs)", "BIND (COALESCE(?w, 0) AS ?y)",
          "FILTER (?y != 4)", "BIND (IF(BOUND(?c), ?c, $this) AS ?k)", "?k ex:s ?x .",
          "BIND ($this AS ?t)", "?t ex:e ?v .", "MINUS { $this ex:e ?v }", "VALUES ?x { 3 5 }",
          "GRAPH ?g { ?c ex:s ?cs }", "GRAPH ?g { $this ex:s ?v }"]


def _subquery(rng) -> str:
    """A ``{ SELECT ... }``: rows, or aggregates grouped by $this (and ?c), or without $this."""
    inner = " ".join(rng.sample(_SUBQUERY, rng.randint(1, 3)))
    if "?x " not in inner + " ":
        inner = rng.choice(["$this ex:s ?x .", "?c ex:s ?x .", "$this ex:e ?x ."]) + " " + inner
    aggregate = f"({rng.choice(_AGGREGATES)} AS {rng.choice(['?m', '?n'])})"
    head, tail = rng.choice([
        (rng.choice(["$this ?x", "DISTINCT $this ?x", "REDUCED $this ?x", "$this ?x ?c",
                     "DISTINCT $this", "$this ?c"]), rng.choice(["", "ORDER BY ?x"])),
        (f"$this {aggregate}", "GROUP BY $this " + rng.choice(_HAVING)),
        (f"$this ?c {aggregate}", "GROUP BY $this ?c " + rng.choice(_HAVING)),
        (f"DISTINCT $this {aggregate}", "GROUP BY $this ?x"),
        (rng.choice([f"?c {aggregate}", "?x"]), "GROUP BY ?c"),  # no $this: ill-formed
    ])
    text = f"{{ SELECT {head} WHERE {{ {inner} }} {tail if '(' in head else ''} }}"
    if rng.random() < .5:  # its own variables: fewer shared with the patterns around it
        text = re.sub(r"\?(x|c|cs|cs2|y)\b", r"?\1_", text)
    return text


def _random_body(rng, kind: str) -> str:
    if kind == "subqueries":
        parts = [_subquery(rng) for _ in range(rng.randint(1, 2))]
        parts += rng.sample(_AROUND, rng.randint(0, 3))
        rng.shuffle(parts)
        body = rng.choice(["{}", "OPTIONAL {{ {} }}", "$this ex:in ?c . {{ {} }} UNION"
                           " {{ $this ex:e ?v }}", "$this ex:s ?v . FILTER NOT EXISTS {{ {} }}",
                           "$this ex:s ?v . {{ {} }}"]).format(" ".join(parts))
        return rng.choice(["$this ex:s ?v . ", "$this ex:e ?v . ", "BIND (?x AS ?v) ",
                           "BIND (?m AS ?v) ", "BIND (?n AS ?v) ", ""]) + body
    if kind == "paths":
        parts = [f"{rng.choice(['$this', '$this', '?c', 'ex:c', '?x'])} {rng.choice(_PATHS)} "
                 f"{rng.choice(['?v', '?v', '?c', '?x', 'ex:c', '$this', '5'])} ."
                 for _ in range(rng.randint(1, 2))] + rng.sample(_PATH_PARTS, rng.randint(0, 2))
        rng.shuffle(parts)
        return rng.choice(["{}", "{}", "$this ex:in ?c . OPTIONAL {{ {} }}",
                           "$this a ex:A . {{ {} }}", "$this a ex:A . FILTER NOT EXISTS {{ {} }}"]
                          ).format(" ".join(parts))
    if kind == "binds":
        parts = rng.sample(_BINDS, rng.randint(2, 5))
        split = rng.randint(0, len(parts))
        return rng.choice(["{}", "{}", "{} {{ {} }}", "$this ex:in ?c . OPTIONAL {{ {} {} }}"]
                          ).format(" ".join(parts[:split]), " ".join(parts[split:]))
    parts = [" ".join(rng.sample(_PARTS, rng.randint(1, 4)))
             for _ in range(rng.randint(2, 3) if kind == "union" else rng.randint(1, 2))]
    if kind == "union":
        middle = " UNION ".join("{ " + p + " }" for p in parts)
    else:
        middle = " ".join(rng.choice(["{ ", "OPTIONAL { ", "FILTER EXISTS { ",
                                      "FILTER NOT EXISTS { "]) + p + " }" for p in parts)
        middle += " " + rng.choice(["", "$this ex:s ?v .", "$this ex:e ?v ."])
    return (rng.choice(_OUTSIDE) + " " + middle
            + (" FILTER (BOUND(?v))" if rng.random() < .3 else ""))


@pytest.mark.parametrize("kind", ["union", "groups", "subqueries", "paths", "binds"])
def test_random_queries_give_pyshacls_report_or_are_refused(kind):
    """200 random sh:select bodies of each kind: the compiled report is pySHACL's, or the
    shape is refused naming the construct; never another report. (Before the changes the
    tests above name, 61 in 1,200 unions, about 1 % of the nested groups, 124 of 1,500
    subqueries and 5 of 3,000 paths and BIND chains had another report.)"""
    import random

    rng = random.Random(f"chaingraph-{kind}")
    compiled = 0
    for _ in range(200):
        body = _random_body(rng, kind)
        text = re.sub(r"\?v\b", "?value", re.sub(r"ex:(\w+)", r"<http://ex/\1>", body))
        shapes, data = _graphs(f'ex:S a sh:NodeShape ; sh:targetClass ex:A ; sh:sparql [ '
                               f'sh:select """SELECT $this ?value WHERE {{\n{text}\n}}""" ] .',
                               _DATA if kind in ("union", "groups") else _PATH_DATA)
        try:
            found = _results(validate(data, shapes))
        except (UnsupportedShape, IllFormedShape):
            continue  # (pySHACL may fail on these: MINUS, VALUES, GRAPH, !^p)
        assert found == _results(reference(data, shapes)), body
        compiled += 1
    # many are compiled, not refused
    assert compiled >= {"subqueries": 20, "paths": 120}.get(kind, 60), compiled
