# Keep a case written before stores had case graphs (the empty VALUES ?case blocks) in the graph of its version (the VALUES ?version blocks), before a write replaces it.
INSERT { GRAPH ?version { ?s ?p ?o } } WHERE {
  { VALUES ?case { } VALUES ?version { } ?case ?p ?o . BIND (?case AS ?s) }
  UNION { VALUES ?case { } VALUES ?version { }
          ?s <https://w3id.org/chaingraph/ontology#inCase> ?case . ?s ?p ?o }
  UNION { VALUES ?case { } VALUES ?version { } ?case ?q ?s . FILTER (isBlank(?s)) ?s ?p ?o }
  UNION { VALUES ?case { } VALUES ?version { }
          ?x <https://w3id.org/chaingraph/ontology#inCase> ?case ; ?q ?s .
          FILTER (isBlank(?s)) ?s ?p ?o }
}
