# Keep a case (the empty VALUES ?case block) as it is now in the graph of its version (the VALUES ?version block), before a write replaces it.
INSERT { GRAPH ?version { ?s ?p ?o } } WHERE { VALUES ?case { } VALUES ?version { } GRAPH ?case { ?s ?p ?o } }
