# Put each subject's triples into the named graph of the case it is marked with (<urn:chaingraph:unit>), and empty the default graph.
INSERT { GRAPH ?g { ?s ?p ?o } } WHERE {
  ?s <urn:chaingraph:unit> ?case . ?s ?p ?o . FILTER (!sameTerm(?p, <urn:chaingraph:unit>))
  BIND (IRI(CONCAT("urn:chaingraph:unit:", STR(?case))) AS ?g) } ;
CLEAR DEFAULT
