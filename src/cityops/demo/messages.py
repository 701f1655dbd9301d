"""Texts for demo appeals: real messages from ../shared/data/tipdm2020_c when present (mapped
from their 一级标签 to the appeal categories of the same name), short built-in texts otherwise."""

from __future__ import annotations

import csv
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

TIPDM_FILE = Path("tipdm2020_c") / "appeals_labeled_raw_2537.csv"
# the board's 一级标签 → the name of our appeal 大类
LABEL_TO_GROUP = {"卫生计生": "卫生健康"}

BUILTIN = [
    (
        "城乡建设",
        "小区电梯频繁故障",
        "我们小区3号楼电梯近一个月多次停运，老人上下楼很困难，请尽快维修。",
    ),
    ("城乡建设", "楼道漏水无人处理", "单元楼顶层楼道漏水严重，墙面发霉，物业一直推诿。"),
    ("环境保护", "夜间施工噪声扰民", "附近工地每天晚上十一点后仍在施工，噪声很大，影响休息。"),
    ("环境保护", "餐馆油烟直排", "楼下餐馆油烟直接排到居民楼，窗户都不敢开。"),
    ("交通运输", "公交站牌信息错误", "公交站牌上的线路信息已经过时，经常有人等错车。"),
    ("劳动和社会保障", "工资被拖欠", "在某装修公司工作三个月，工资一直拖欠未发，请求帮助。"),
    ("教育文体", "学校门口交通拥堵", "放学时段学校门口车辆乱停，孩子过马路很危险。"),
    ("商贸旅游", "商家拒绝退款", "在商场购买的电器有质量问题，商家拒绝退货退款。"),
    ("卫生健康", "诊所无证行医", "小区附近有一家诊所疑似无证行医，存在安全隐患。"),
    ("市场监管", "超市销售过期食品", "在超市买到过期的酸奶，要求查处。"),
]


@dataclass(frozen=True)
class Message:
    group: str  # the name of an appeal 大类, e.g. 城乡建设
    title: str
    body: str


def load_messages(
    data_dir: Path | None, keep: Callable[[str], bool] | None = None
) -> list[Message]:
    """The real messages (only those whose `text` column `keep` accepts), or the built-in ones."""
    path = data_dir / TIPDM_FILE if data_dir is not None else None
    if path is None or not path.is_file():
        return [Message(g, t, b) for g, t, b in BUILTIN]
    out: list[Message] = []
    with path.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if keep is not None and not keep(row.get("text") or ""):
                continue
            label = (row.get("一级标签") or "").strip()
            title = (row.get("留言主题") or "").strip()
            body = (row.get("留言详情") or row.get("text") or "").strip()
            if not label or not (title or body):
                continue
            title = title or body[:30]
            out.append(Message(LABEL_TO_GROUP.get(label, label), title[:120], body[:2000] or title))
    return out


def pick(messages: list[Message], rng: random.Random) -> Message:
    return messages[rng.randrange(len(messages))]
