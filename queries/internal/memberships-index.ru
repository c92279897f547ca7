# (Re)build a store's membership index: each case with the organisations that take part in it, in a named graph of its own.
# The memberships of members-case-oxigraph.rq, organisations being IRIs. chaingraph.memberships
# fingerprints this file: an index built by another version of it is not read.
PREFIX cg: <https://w3id.org/chaingraph/ontology#>
PREFIX idx: <https://w3id.org/chaingraph/index#>

DROP SILENT GRAPH <https://w3id.org/chaingraph/index/memberships> ;
INSERT { GRAPH <https://w3id.org/chaingraph/index/memberships> { ?thing idx:organisation ?a } }
WHERE {
  SELECT DISTINCT ?thing ?a WHERE {
    VALUES ?p { cg:organisation cg:byOrganisation cg:participant cg:fromOrganisation cg:toOrganisation cg:hostedBy }
    ?x ?p ?a .
    ?x cg:inCase ?thing .
    FILTER(isIRI(?a))
  }
}
