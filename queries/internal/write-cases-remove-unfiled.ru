# Take some cases (the empty VALUES ?case blocks) written before stores had case graphs out of the default graph: the case node, what is cg:inCase it, and the blank nodes they name.
DELETE { ?s ?p ?o } WHERE {
  { VALUES ?case { } ?case ?p ?o . BIND (?case AS ?s) }
  UNION { VALUES ?case { } ?s <https://w3id.org/chaingraph/ontology#inCase> ?case . ?s ?p ?o }
  UNION { VALUES ?case { } ?case ?q ?s . FILTER (isBlank(?s)) ?s ?p ?o }
  UNION { VALUES ?case { } ?x <https://w3id.org/chaingraph/ontology#inCase> ?case ; ?q ?s .
          FILTER (isBlank(?s)) ?s ?p ?o }
}
