from __future__ import annotations

import pytest

from cityops.appeals.routing.dataset import LabelledSet
from cityops.appeals.routing.model import (
    ClassifierKind,
    RoutingConfig,
    RoutingModel,
    head,
    segment,
)
from cityops.appeals.routing.router import LABEL_TO_CATEGORY_GROUP

OBVIOUS = [
    ("学校老师乱收学费，学生家长很有意见", "教育文体"),
    ("公交司机不按线路行驶，站台也不停", "交通运输"),
    ("工厂夜间偷排污水，异味很重", "环境保护"),
]


def test_segment_drops_stop_words_and_punctuation() -> None:
    tokens = segment("我们的学校，在哪里？").split()
    assert "学校" in tokens
    assert not {"的", "，", "？", "我们"} & set(tokens)


@pytest.mark.parametrize(("text", "label"), OBVIOUS)
def test_predicts_the_obvious_label(model: RoutingModel, text: str, label: str) -> None:
    assert model.predict([segment(text)]) == [label]
    top = model.suggest(segment(text), k=3)
    assert top[0].label == label
    assert top[0].probability > 0.5


@pytest.mark.parametrize("k", [1, 2, 3, 10])
def test_suggestions_are_ranked_probabilities(model: RoutingModel, k: int) -> None:
    top = model.suggest(segment(OBVIOUS[0][0]), k=k)
    assert len(top) == min(k, 3)
    probs = [s.probability for s in top]
    assert probs == sorted(probs, reverse=True)
    assert all(0.0 <= p <= 1.0 for p in probs)


def test_probabilities_sum_to_one(model: RoutingModel) -> None:
    proba = model.predict_proba([segment(t) for t, _ in OBVIOUS])
    assert proba.shape == (3, 3)
    assert proba.sum(axis=1) == pytest.approx([1.0, 1.0, 1.0])


@pytest.mark.parametrize(("text", "label"), OBVIOUS)
def test_explanation_words_come_from_the_text(model: RoutingModel, text: str, label: str) -> None:
    words = model.explain(segment(text), label, n=5)
    assert words
    assert all(w in text.replace(" ", "") for part, _ in words for w in part.split())
    weights = [w for _, w in words]
    assert weights == sorted(weights, reverse=True)
    assert all(w > 0 for w in weights)


def test_explaining_an_unknown_label_is_refused(model: RoutingModel) -> None:
    with pytest.raises(ValueError, match="unknown label"):
        model.explain(segment(OBVIOUS[0][0]), "不存在", n=3)


@pytest.mark.parametrize(
    "config",
    [
        RoutingConfig(classifier=ClassifierKind.LOGREG, c=10.0),
        RoutingConfig(classifier=ClassifierKind.SGD),
        RoutingConfig(word_ngrams=None, char_ngrams=(1, 2)),
        RoutingConfig(char_ngrams=None),
    ],
)
def test_every_variant_trains_and_predicts(corpus: LabelledSet, config: RoutingConfig) -> None:
    model = RoutingModel.train(corpus.docs, corpus.labels, config)
    assert model.predict([segment(t) for t, _ in OBVIOUS]) == [label for _, label in OBVIOUS]
    assert model.explain(segment(OBVIOUS[1][0]), "交通运输", n=3)


def test_training_needs_two_labels() -> None:
    with pytest.raises(ValueError, match="two labels"):
        RoutingModel.train(["学校 老师"] * 6, ["教育文体"] * 6)


def test_config_round_trips_through_a_dict() -> None:
    config = RoutingConfig(classifier=ClassifierKind.LOGREG, c=3.0, char_ngrams=(2, 4))
    assert RoutingConfig.from_dict(config.to_dict()) == config


def test_every_label_maps_to_a_category_group() -> None:
    assert len(LABEL_TO_CATEGORY_GROUP) == 7
    assert LABEL_TO_CATEGORY_GROUP["卫生计生"].name == "卫生健康"
    assert sorted(g.code for g in LABEL_TO_CATEGORY_GROUP.values()) == [
        f"A0{i}" for i in range(1, 8)
    ]


@pytest.mark.parametrize(
    "config",
    [RoutingConfig(), RoutingConfig(classifier=ClassifierKind.LOGREG, c=10.0)],
)
def test_the_fast_path_agrees_with_the_pipeline(corpus: LabelledSet, config: RoutingConfig) -> None:
    model = RoutingModel.train(corpus.docs, corpus.labels, config)
    scorer = model.scorer()
    assert scorer is not None
    docs = [segment(t) for t, _ in OBVIOUS] + ["学校 从未 见过 的 词语", "完全 陌生"]
    expected = model.predict_proba(docs)
    for doc, row in zip(docs, expected, strict=True):
        assert scorer.proba(doc) == pytest.approx(row, abs=1e-5)


def test_two_label_models_fall_back_to_the_pipeline(corpus: LabelledSet) -> None:
    rows = [i for i, label in enumerate(corpus.labels) if label != "环境保护"]
    two = corpus.subset(rows)
    model = RoutingModel.train(two.docs, two.labels)
    assert model.scorer() is None
    top = model.suggest(segment("公交司机不按线路行驶"), k=2)
    assert top[0].label == "交通运输"
    assert sum(s.probability for s in top) == pytest.approx(1.0)
    assert model.explain(segment("公交司机不按线路行驶"), "交通运输", n=3)


def _python_jieba_segment(text: str) -> str:
    """The reference: Python jieba's default mode, filtered like `segment`."""
    import jieba

    from cityops.appeals.routing.model import _NOISE
    from cityops.appeals.routing.stopwords import STOP_WORDS

    jieba.setLogLevel(60)
    return " ".join(
        t for t in jieba.lcut(text) if t.strip() and t not in STOP_WORDS and not _NOISE.match(t)
    )


@pytest.mark.parametrize(
    "text",
    [
        "毕业证不慎丢失，如何才能顺利申请认定教师资格证？",
        "小区楼下的烧烤店每天营业到凌晨3-4点，油烟和噪音扰民",
        "详情请见baidu.com上的公告，或拨打0731-0000-00000000咨询",
        "2019.11.5日起执行GB50180-93标准，容积率1.2，绿地率35%",
        "A市A1区苑物业违规收停车费_x000D_业主投诉无门",
        "E7县小沙江镇快递运费加收转运费，最少5元，上不封顶。",
        "",
    ],
)
def test_segmentation_matches_python_jieba(text: str) -> None:
    assert segment(text) == _python_jieba_segment(text)


def test_head_keeps_the_leading_tokens_up_to_the_limit() -> None:
    doc = "投诉 物业 违规 收 停车费"
    assert head(doc, None) == doc
    assert head(doc, 100) == doc
    assert head(doc, 6) == "投诉 物业 违规"  # 2 + 2 + 2 characters; 收 would be the 7th
    assert head(doc, 5) == "投诉 物业"
    assert head(doc, 1) == ""


def test_the_model_reads_only_the_head_of_a_long_message(corpus: LabelledSet) -> None:
    config = RoutingConfig(max_chars=12)
    model = RoutingModel.train(corpus.docs, corpus.labels, config)
    start = segment("公交司机不按线路行驶，站台也不停")
    tail = " ".join(["学校 老师 学生 招生 学费"] * 20)
    assert model.suggest(f"{start} {tail}", k=3) == model.suggest(start, k=3)
    assert model.suggest(f"{start} {tail}")[0].label == "交通运输"
    assert model.predict([f"{start} {tail}"]) == ["交通运输"]
    unlimited = RoutingModel.train(corpus.docs, corpus.labels, RoutingConfig(max_chars=None))
    assert unlimited.suggest(f"{start} {tail}")[0].label == "教育文体"


def test_config_round_trip_keeps_new_fields() -> None:
    config = RoutingConfig(char_ngrams=(2, 3), max_chars=640)
    assert RoutingConfig.from_dict(config.to_dict()) == config
    assert RoutingConfig.from_dict(RoutingConfig(max_chars=None).to_dict()).max_chars is None


def test_a_manifest_from_before_truncation_reads_whole_messages() -> None:
    old = RoutingConfig().to_dict()
    del old["max_chars"]
    assert RoutingConfig.from_dict(old).max_chars is None


LONG = (
    "投诉A市A1区苑物业违规收停车费。尊敬的领导：小区物业未经业主同意，利用公摊面积收停车费，"
    "车辆在小区内受损拒不承担责任；业主多次向物业和社区反映（电话0731-0000-00000000），"
    "物业置之不理！"
)


@pytest.mark.parametrize("max_chars", [1, 10, 40, 100, 1000, None])
@pytest.mark.parametrize(
    "text",
    [
        LONG * 6,
        LONG.replace("，", "").replace("。", "") * 4,
        "学校" * 300,
        "学校 " * 300,
        "的，" * 500 + "学校老师乱收学费",  # the words come after a long run of stop words
    ],
)
def test_segmenting_only_the_head_gives_the_head_of_the_whole(
    text: str, max_chars: int | None
) -> None:
    assert segment(text, max_chars) == head(segment(text), max_chars)
