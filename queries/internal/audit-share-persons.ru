# Copy the persons (in the default graph) into the graph of every case that names them, and empty the default graph.
INSERT { GRAPH ?g { ?person ?p ?o } } WHERE {
  ?person ?p ?o . GRAPH ?g { ?x ?q ?person } } ;
CLEAR DEFAULT
