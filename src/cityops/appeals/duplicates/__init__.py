"""Duplicate and related appeals (重复诉求/关联诉求): for one case, the open cases nearby
(default ≤ 250 m) reported within a time window (default ± 30 days) whose text is similar,
ranked by one combined score. Merging itself is the case engine's `merge` action; this package
only suggests. `model` is pure scoring, `service` reads candidates through cases.public."""
