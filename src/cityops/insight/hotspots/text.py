"""Text features of messages: words (jieba), named places, severity words (pure functions).

Words are rjieba's (jieba-rs) default-mode tokens of Chinese runs, two characters or more, without
the words every appeal uses (反映, 问题, 希望, 领导…) and without the anonymised area codes (A市,
A3区), which are a place signal of their own. Places are the names a message gives before a place
suffix (小区, 花园, 路, 村, 镇, 街道…), e.g. 魅力之城小区, 黄兴路, 金鼎村; the area codes of the
tipdm board (A市A1区) are read apart as the message's area.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from typing import Any

_jieba: Any = None
_jieba_lock = threading.Lock()


def _segmenter() -> Any:
    global _jieba
    if _jieba is None:
        with _jieba_lock:
            if _jieba is None:
                import rjieba  # builds its dictionary on import (~0.1 s)

                _jieba = rjieba
    return _jieba


def _listed(text: str) -> list[str]:
    """The words of a whitespace-separated list."""
    return text.split()


GENERIC_WORDS: frozenset[str] = frozenset(
    _listed(
        """
    反映 问题 希望 请求 要求 建议 咨询 投诉 举报 关于 领导 政府 部门 相关 有关 您好 你好 尊敬
    谢谢 感谢 请问 严重 情况 现在 目前 已经 没有 一直 我们 他们 什么 怎么 为什么 是否 可以 能否
    进行 解决 处理 尽快 及时 一下 这个 那个 这些 那些 这样 因为 所以 但是 而且 如果 还是 就是
    自己 大家 市民 居民 群众 业主 本人 我家 时间 时候 今年 去年 每天 多次 很多 非常 之后 以来
    以前 以后 左右 出现 存在 造成 导致 影响 给予 予以 得到 需要 应该 可能 不能 不是 没有 回复
    市长 书记 局长 有关部门 相关部门 望 请 的 了 和 与 及 在 是 有 也 都 就
    还 又 被 把 对 向
"""
    )
)

_AREA_CODE = re.compile(r"[A-Z][0-9]{0,2}(?:市|区|县)")
_CHINESE_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")
PLACE_SUFFIXES = (
    "小区|花园|家园|公寓|苑|公馆|广场|大厦|新城|商城|市场|社区|街道|大道|路|街|巷|"
    "村|镇|乡|中学|小学|幼儿园|医院|公园|高铁站|地铁站|工业园|园区"
)
_LEAD = (
    r"(?:关于|反映|投诉|举报|咨询|建议|请求|请问|要求|希望|位于|地处|座落在|坐落在|靠近|临近|紧邻"
    r"|距|离|在|的|和|与)"
)
_PLACE = re.compile(rf"[\u4e00-\u9fffA-Za-z0-9]{{2,8}}?(?:{PLACE_SUFFIXES})")
# characters a place name does not hold: a run with one is a phrase, not a name
_NOT_IN_NAMES = re.compile(r"[的了和与在是我你他她有为对把被将从这那个些要请能会到说]")
_PLACE_LEAD = re.compile(rf"^{_LEAD}+")
# a suffix alone is no name, nor a common noun that ends like one
_NOT_PLACES = frozenset(
    _listed(
        """
    小区 道路 马路 公路 线路 思路 出路 水泥路 道路 铁路 公路 马路 进路 通路 小路 走路 门路 网路
    社区 农村 乡村 新村 村组 小组 街道 城乡 城镇 乡镇 村镇 本小区 该小区 我小区
    我们小区 小区内 学校 医院
    市场 公园 广场 幼儿园 小学 中学 本村 该村 我村 全村 全镇 该镇 本镇 村里 该路
"""
    )
)

SEVERITY_WORDS: tuple[str, ...] = tuple(
    _listed(
        """
    安全隐患 危险 危房 倒塌 坍塌 塌陷 火灾 爆炸 触电 溺水 受伤 伤亡 死亡 身亡 中毒 污染 恶臭 臭气
    有毒 泄漏 漏水 积水 内涝 停水 停电 断水 垮塌 裂缝 倒伏 欠薪 拖欠工资 讨薪 诈骗 暴力 威胁 殴打
    冲突 上访 群体 紧急 急需 生命
"""
    )
)


def area_codes(text: str) -> tuple[str, ...]:
    """The anonymised area codes a text names, in order, each once (A市, A3区, A7县)."""
    return tuple(dict.fromkeys(_AREA_CODE.findall(text)))


def places(text: str) -> tuple[str, ...]:
    """The named places of a text, in order, each once: runs before a place suffix (魅力之城小区,
    黄兴路, 春华镇), without a leading verb or preposition and without bare suffixes."""
    found: list[str] = []
    for run in _AREA_CODE.split(text):
        for chunk in re.split(r"[^\u4e00-\u9fffA-Za-z0-9]+", run):
            for match in _PLACE.finditer(chunk):
                name = _PLACE_LEAD.sub("", match.group())
                if len(name) >= 3 and name not in _NOT_PLACES and not _NOT_IN_NAMES.search(name):
                    found.append(name)
    return tuple(dict.fromkeys(found))


def words(text: str) -> list[str]:
    """The content words of a text (jieba default mode), without generic words and area codes."""
    cut = _segmenter().cut
    kept: list[str] = []
    for run in _CHINESE_RUN.findall(_AREA_CODE.sub(" ", text)):
        for token in cut(run, hmm=True):
            if len(token) >= 2 and token not in GENERIC_WORDS:
                kept.append(token)
    return kept


def severity(text: str) -> bool:
    """Whether a text names a serious harm (安全隐患, 坍塌, 中毒, 欠薪…)."""
    return any(word in text for word in SEVERITY_WORDS)


def top_words(documents: list[list[str]], limit: int, ignore: frozenset[str]) -> tuple[str, ...]:
    """The words found in most documents (each counted once per document), ties by first seen."""
    counts: Counter[str] = Counter()
    for doc in documents:
        counts.update(set(doc) - ignore)
    return tuple(word for word, _ in counts.most_common(limit))
