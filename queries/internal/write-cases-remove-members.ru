# Take some cases (the empty VALUES ?case block) out of the store's record of the members their cg:inCase nodes do not name (chaingraph.storewrite.MEMBERS).
DELETE { GRAPH <https://w3id.org/chaingraph/index/case-members> { ?s <https://w3id.org/chaingraph/index#case> ?case } }
WHERE { VALUES ?case { } GRAPH <https://w3id.org/chaingraph/index/case-members> { ?s <https://w3id.org/chaingraph/index#case> ?case } }
