# Remove a store's membership index (nothing happens when there is none).
DROP SILENT GRAPH <https://w3id.org/chaingraph/index/memberships>
