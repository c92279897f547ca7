# Say when a store's membership index was built (?when, bound) and by which version of memberships-index.ru (?fingerprint, bound).
# Run after memberships-index.ru in the same request, so it has no PREFIX lines (Oxigraph
# 0.5 reads a prologue only at the start of a request).
INSERT { GRAPH <https://w3id.org/chaingraph/index/memberships> {
  <https://w3id.org/chaingraph/index/memberships> <https://w3id.org/chaingraph/index#builtAt> ?when ;
    <https://w3id.org/chaingraph/index#query> ?fingerprint } }
WHERE {
}
