"""The category taxonomy and responsibility list (权责清单): categories (部件/事件/诉求), their
filing conditions, who is responsible (a department, the street office or the district
government of the place), time limits per stage, versions (revisions) and import/export.
It owns the `categories` tables; it does not open, route or judge cases (that is `cases`)."""
