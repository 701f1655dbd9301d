"""Stop words dropped before routing features: punctuation and Chinese function words (停用词).

The list is the part of the published segmented training set's stop list that can be recovered
from the data itself: tokens that jieba produces for the raw messages but that never appear in the
segmented version of the same messages (numbers and segmentation fragments left out).
"""

from __future__ import annotations

import re

STOP_WORDS: frozenset[str] = frozenset(
    r"""
! " # $ & ' ( ) * + , - -- . .. ... / : ; <
= > ? @ [ \ ] ^ _ ` | ~ ― ‘ ’ “ ” … 、 。 〈 〉
《 》 一 一切 一则 一方面 一旦 一来 一样 一般 七 万一 三 三番五次 上 上下
上去 上来 不 不下 不了 不仅 不仅仅 不会 不但 不再 不力 不单 不同 不如 不少
不已 不得 不得不 不得已 不必 不怎么 不怕 不成 不择手段 不料 不时 不是 不曾
不止 不比 不满 不然 不管 不胜 不能 不能不 不至于 不要 不论 不起 不过 不问
与 与其 与否 与此同时 且 两者 个 个人 临 为 为了 为什么 为何 乃 乃至 么
之 之一 之所以 之类 乘 九 也 也好 也罢 了 二 于 于是 互相 五 亲自 人人
人家 人民 什么 什么样 仅 仅仅 仍 仍旧 仍然 从 从不 从严 从中 从小 从早到晚
从未 从来 从此 从而 他 他人 他们 以 以便 以免 以及 以至于 以致 们 任 任何
伙同 会 传 传说 似的 但 但愿 但是 何 何况 何处 何必 何时 作为 你 你们
使得 例如 依 依照 便 保管 保险 倍感 倘若 借 借此 假如 偏偏 偶尔 像 充分
光 光是 全力 全年 全都 八 公然 六 兮 共 关于 其 其一 其中 其二 其他 其余
其它 其实 其次 内 再者 再说 冒 冲 决不 况且 几 几乎 几度 几经 凭 出 出去
出来 切 切莫 则 刚 刚好 初 别 别人 别的 别说 到 到处 到头来 到底 前后
加上 加之 加以 动不动 匆匆 千 千万 半 单 单单 即 即使 即便 即将 历 去 又
及 及其 反倒 反而 另 另一方面 另外 另行 只是 只有 只要 叫 可 可以 可是
可能 可见 各 各个 各位 各种 各自 同 同时 后来 向 吓 吗 否则 吧 呀 呐 呕
呜呼 呢 呵 咋 和 咱 咱们 哇 哈 哉 哎 哟 哦 哪 哪个 哪些 哪儿 哪天 哪怕
哪里 唉 啊 啥 啦 喂 嗡嗡 嗯 嘎 嘛 四 因 因为 因此 因而 固然 在 地 均
基于 基本 基本上 处处 多 多多 多多少少 多少 多次 大 大事 大多 大大 大家
大张旗鼓 大概 大约 大致 大都 她 她们 如 如下 如今 如何 如前所述 如期 如果
如此 如若 宁 宁愿 它 它们 定 对 对于 将 将要 将近 就 就是 就是说 就此
就算 尽 尽可能 尽快 尽早 尽然 尽管 尽管如此 尽量 居然 届时 屡 屡屡 屡次 岂
差不多 己 带 常 常常 年月日 并 并且 并非 开始 归 当 当下 当中 当即 当场
当然 当着 往 待 很 很多 很少 得 得天独厚 必 必将 必须 快 快要 怎 怎么
怎么办 怎么样 怎样 怕 怪 总之 恐怕 恰巧 恰恰相反 您 我 我们 或 或是 或者
或许 所 所以 才 才能 打 把 拿 按 按时 按期 按照 挨着 据 据实 据悉
据我所知 据此 据说 接下来 接着 故 故意 敢 敢于 方 无论 既 既然 日益 时候
是 暗中 暗地里 更 更为 更加 替 有 有些 有关 望 朝 本 本人 本着 本身 来
来不及 来看 来讲 极 极为 极其 极力 极大 极度 极端 果然 果真 某 某个 某些
根据 正如 此 此后 此外 此间 每 每当 每每 每逢 比 比如 比如说 毕竟 毫不
毫无 没 没有 沿 活 满 然 然后 然而 照 牢牢 独 独自 理应 甚至 用 由 由于
由此可见 略 白 白白 的 的确 的话 看 看来 看起来 着 矣 砰 社会主义 离 究竟
立 立刻 立马 竟 竟然 第 等 等到 等等 简直 管 紧接着 纯 纯粹 经 经常 经过
结果 给 绝 绝不 绝对 绝非 综上所述 罢了 老 老大 老是 者 而 而且 而后 而已
而是 而言 能 腾 自 自从 自家 自己 自身 臭 至 至于 若 莫 莫非 虽 虽然
虽说 蛮 被 要 要不是 要不然 要么 要是 见 让 论 该 谁 谁知 谨 赶 赶快 起
起初 起来 趁 趁机 趁着 跟 较 较为 边 过 过于 近 近几年来 近年来 还 还是
还有 这 这个 这么 这些 这儿 这时 这样 这边 这里 进去 进来 进而 连 连同
连连 迫于 通过 逢 那 那个 那么 那些 那儿 那时 那样 那边 那里 都 鉴于
长期以来 长此下去 除 除了 除外 除开 除非 随 随着 难得 难怪 难道 零 非常
非得 靠 顶多 顺 顿时 颇 饱 首先 马上 高低 默默地 齐 ！ ＃ ％ （ ） ＋
， ： ； ＜ ＞ ？ ［ ］ ～
""".split()  # noqa: SIM905 (700 words read better as text)
)


# Words the model may use but that explain nothing to a person reading why a message went where
# it did (证据词不显示): politeness, the board's boilerplate, the words every appeal has, and the
# anonymised places of the published data (A市, A3区). The model keeps them as features; the
# evidence shown on the routing card and in the history never names them.
NOT_EVIDENCE: frozenset[str] = frozenset(
    """
请 请问 请求 恳请 麻烦 谢谢 感谢 您好 你好 测试 试试 尊敬 领导 书记 市长 局长 主任 网友 留言
市民 群众 居民 百姓 老百姓 反映 反应 问题 情况 希望 尽快 及时 处理 解决 落实 回复 答复 关注
重视 帮助 帮忙 给予 要求 需要 进行 存在 出现 发生 相关 有关部门 部门 政府 单位 工作 现在
目前 一直 已经 还是 今年 去年 今天 昨天 最近 多次 长期 时间 这种 这样 一下 一些 能否 是否
何时 为何 怎么 怎样 可否 严重 非常 特别 影响 导致 造成 情况下 举报 投诉 咨询 建议 询问
了解 知道 告知 通知 说明 表示 认为 觉得 看到 发现 听说 据 万分 急 紧急 严肃 真的 确实
我市 本市 全市 我区 我县 附近 周边 地方 地区 这里 那里 该 此事 事情 东西 有人 大家 我家
有个 一个 两个 几个 好几 好几天 一次 几次 晚上 白天 早上 中午 星期 小时 每天 天天 之前 以后
后来 期间 当时 一年 多年 几年 楼下 门口 旁边 对面 里面 外面 上面 下面 其他 以上 如下 谢谢您
""".split()  # noqa: SIM905
)
_ANONYMISED_PLACE = re.compile(r"^[A-Za-z]+\d*[省市区县镇乡村街]?$|^[\d.]+$")


def is_evidence_word(term: str) -> bool:
    """Whether a feature (a word, or words joined by spaces) may be shown as evidence: none of
    its words is a stop word, a word that explains nothing, a number or an anonymised place,
    and it is more than one character (a lone 人 or 街 explains nothing either)."""
    parts = term.split()
    return (
        bool(parts)
        and len("".join(parts)) > 1
        and all(
            p not in STOP_WORDS and p not in NOT_EVIDENCE and not _ANONYMISED_PLACE.match(p)
            for p in parts
        )
    )
