"""geo: the city's areas and where a point lies.

Owns the area hierarchy 市 → 区 → 街道 → 社区 → 网格 (city, district, street, community, grid):
polygons stored as WGS84 GeoJSON, GB/T 30428.1-style hierarchical codes (a child's code starts
with its parent's), source codes kept as aliases, point → area lookup over an in-memory spatial
index with fallback to the smallest enclosing area (属地兜底), WGS84 ⇄ GCJ-02 conversion, the
GeoJSON importer (real boundaries such as Hangzhou 下城区) and generated grid layers; what each
level is called and which levels the city uses (levels.py: 县/乡镇/行政村, a level skipped or off).

Does not own: who works in an area (org), what happens there (cases), maps or HTTP (web).
Other domains use it only through `cityops.geo.public`.
"""
