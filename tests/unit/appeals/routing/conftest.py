"""A tiny synthetic corpus: three labels, each with its own unmistakable vocabulary."""

from __future__ import annotations

import random

import pytest

from cityops.appeals.routing.dataset import LabelledSet
from cityops.appeals.routing.model import RoutingModel, segment

VOCABULARY = {
    "教育文体": ["学校", "老师", "学生", "教育局", "招生", "学费", "幼儿园", "课程"],
    "交通运输": ["公交", "司机", "线路", "站台", "出租车", "客运", "班车", "车票"],
    "环境保护": ["污水", "噪音", "垃圾", "排放", "异味", "工厂", "粉尘", "污染"],
}
FILLER = ["我们", "请问", "希望", "领导", "尽快", "处理", "附近", "居民", "反映", "问题"]


def make_corpus(per_label: int = 15, seed: int = 7) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    rows = []
    for label, words in VOCABULARY.items():
        for _ in range(per_label):
            parts = rng.sample(words, 4) + rng.sample(FILLER, 3)
            rng.shuffle(parts)
            rows.append(("，".join(parts) + "。", label))
    rng.shuffle(rows)
    return rows


@pytest.fixture(scope="session")
def corpus() -> LabelledSet:
    rows = make_corpus()
    return LabelledSet(tuple(segment(t) for t, _ in rows), tuple(label for _, label in rows))


@pytest.fixture(scope="session")
def model(corpus: LabelledSet) -> RoutingModel:
    return RoutingModel.train(corpus.docs, corpus.labels)
