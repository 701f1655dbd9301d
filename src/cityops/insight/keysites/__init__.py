"""insight.keysites: the key sites of the city map (重点场所) — schools, hospitals, construction
sites, waterlogging points (积水点) and the like, imported from GeoJSON or CSV by an
administrator and drawn as a layer of the operation centre's map (docs/insight/citymap.md).

Owns: the table `insight_key_sites` (a read model's own reference data: points in WGS84 with
the area geo located them in), the file parsing and row checks (model.py, pure), who may import
and read them (policy.py) and the use cases (service.py). Does not own: the areas (geo locates
each site once, at import) nor the cases counted near a site (the case engine counts them, in
the reader's case scope)."""
