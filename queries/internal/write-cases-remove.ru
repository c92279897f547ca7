# Take some cases (the empty VALUES ?case block) out of a store's default graph whole: the triples their graphs hold leave it (the graphs are dropped after).
# The default graph is what every query reads; a case's graph holds the same triples of that
# case alone (chaingraph.storewrite), so removing them removes the case and nothing else.
DELETE { ?s ?p ?o } WHERE { VALUES ?case { } GRAPH ?case { ?s ?p ?o } }
