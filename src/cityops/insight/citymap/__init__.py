"""insight.citymap: the operation centre map (一图观全域) — cases and devices as server-side
clusters or points, area polygons per level and case counts per area (docs/insight/citymap.md).
A read model over the case engine, sensing and geo; it owns no table."""
