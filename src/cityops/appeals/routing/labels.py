"""The routing model's first-level labels (一级标签) → the appeal category groups (诉求大类) of the
default taxonomy. Kept apart from the model so that the case-facing code can use the map without
loading scikit-learn."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CategoryGroup:
    code: str
    name: str


# The 7 labels of the published data → the 诉求 groups of taxonomy/default_taxonomy.yaml.
LABEL_TO_CATEGORY_GROUP: dict[str, CategoryGroup] = {
    "城乡建设": CategoryGroup("A01", "城乡建设"),
    "劳动和社会保障": CategoryGroup("A02", "劳动和社会保障"),
    "教育文体": CategoryGroup("A03", "教育文体"),
    "商贸旅游": CategoryGroup("A04", "商贸旅游"),
    "环境保护": CategoryGroup("A05", "环境保护"),
    "卫生计生": CategoryGroup("A06", "卫生健康"),  # the board's older name for the same group
    "交通运输": CategoryGroup("A07", "交通运输"),
}


# The groups of the default list whose appeals the board files under each label, the main group
# first (configuration: the board's labels are coarser than the list and cut it differently —
# a pothole, a full bin and a street light are 城乡建设 on the board, 城市管理 on the list). The
# leaf model (leaves.py) sends a label's message to its main group unless the list's own words
# in the text name a leaf of another group; groups named here are easier to reach than others.
LABEL_GROUPS: dict[str, tuple[str, ...]] = {
    "城乡建设": ("A01", "A11", "A12", "A09", "A13"),
    "劳动和社会保障": ("A02", "A10", "A01", "A13"),
    "教育文体": ("A03", "A13"),
    "商贸旅游": ("A04", "A08", "A13"),
    "环境保护": ("A05", "A11", "A13"),
    "卫生计生": ("A06", "A02", "A08", "A13"),
    "交通运输": ("A07", "A11", "A13"),
}
