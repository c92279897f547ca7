# Refresh a store's membership index for some cases just written or removed (the empty VALUES ?thing blocks): the rows memberships-index.ru gives them.
# No PREFIX lines: it runs in the middle of a write's request (Oxigraph 0.5 reads a prologue
# only at the start of one). chaingraph.memberships fingerprints it with memberships-index.ru.
DELETE { GRAPH <https://w3id.org/chaingraph/index/memberships> { ?thing <https://w3id.org/chaingraph/index#organisation> ?a } }
WHERE { VALUES ?thing { } GRAPH <https://w3id.org/chaingraph/index/memberships> { ?thing <https://w3id.org/chaingraph/index#organisation> ?a } } ;
INSERT { GRAPH <https://w3id.org/chaingraph/index/memberships> { ?thing <https://w3id.org/chaingraph/index#organisation> ?a } }
WHERE {
  SELECT DISTINCT ?thing ?a WHERE {
    VALUES ?thing { }
    VALUES ?p { <https://w3id.org/chaingraph/ontology#organisation> <https://w3id.org/chaingraph/ontology#byOrganisation> <https://w3id.org/chaingraph/ontology#participant> <https://w3id.org/chaingraph/ontology#fromOrganisation> <https://w3id.org/chaingraph/ontology#toOrganisation> <https://w3id.org/chaingraph/ontology#hostedBy> }
    ?x <https://w3id.org/chaingraph/ontology#inCase> ?thing .
    ?x ?p ?a .
    FILTER(isIRI(?a))
  }
}
