"""Hot issues (热点诉求): grouping on labelled pairs, analysis time → bench/results/hotspots.json

    .venv/bin/python -m bench.hotspots [--data ../shared/data] [--runs 3]

Data: tipdm2020_c/appeals_votes_4326.csv (4,326 real messages to a city board, 2019, with
点赞数/反对数), read through the CLI's reader (`cityops insight hotspots`). It carries no issue
labels, so the labels are pairs read and judged by hand: tests/unit/insight/hotspots/
labelled_pairs.csv, 210 pairs of message ids, 1 = the two raise the same issue (the same matter
at the same place or with the same party), 0 = they do not (same theme in another place, another
matter in the same place). How the pairs were drawn: 40 at random from each band of word
TF-IDF cosine (0.15–0.30, 0.30–0.45, 0.45–0.60, ≥ 0.60), 30 that name the same place, 20 at
random — so hard cases are over-represented against the whole set, where almost every pair is
different.

Grouping runs over all 4,326 messages (as the CLI does) and a labelled pair counts as predicted
same when its two messages end in one group: pairwise precision, recall and F1. The defaults
(similarity 0.25, place bonus 0.15, no place penalty, 180-day window) were chosen on the even-
numbered pairs (a sweep, recorded under `sweep`); `odd_half` is the untouched half and `all` the
whole set. Emerging: the rule replayed over each large group's own history (first_flagged_at):
how many days after its first message, and with how many messages, it would have been flagged.
Time: find_hotspots on the 4,326 messages (features, grouping, heat, titles), median of --runs
(wall and this process's CPU seconds), after one warm-up run that loads the dictionary.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
import time
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from bench._server import RESULTS, ROOT, machine
from cityops.cli.insight_hotspots import read_messages
from cityops.insight.hotspots.evaluation import LabelledPair, PairScores, group_of, score_pairs
from cityops.insight.hotspots.grouping import features, group_messages
from cityops.insight.public import HotIssue, HotspotMessage, HotspotSettings, find_hotspots

PAIRS = ROOT / "tests" / "unit" / "insight" / "hotspots" / "labelled_pairs.csv"
SWEEP = ((0.2, 0.1), (0.25, 0.15), (0.3, 0.15), (0.35, 0.15), (0.4, 0.15), (0.45, 0.15))


def read_pairs() -> list[tuple[LabelledPair, str]]:
    with PAIRS.open(encoding="utf-8", newline="") as fh:
        return [
            (LabelledPair(r["message_a"], r["message_b"], r["same_issue"] == "1"), r["drawn_from"])
            for r in csv.DictReader(fh)
        ]


def scores(s: PairScores) -> dict[str, Any]:
    return {
        "pairs": s.pairs,
        "same_issue": s.positives,
        "precision": round(s.precision, 4),
        "recall": round(s.recall, 4),
        "f1": round(s.f1, 4),
        "false_positives": s.false_positives,
        "false_negatives": s.false_negatives,
    }


def emerging_replay(issues: Sequence[HotIssue], posted: Mapping[str, datetime]) -> dict[str, Any]:
    """How early the emerging rule would have flagged each group of ten messages or more, replayed
    over its own history: days from its first message and how many it had by then."""
    rows = []
    for issue in sorted((i for i in issues if i.count >= 10), key=lambda i: (-i.count, i.rank)):
        flagged = issue.first_flagged_at
        rows.append(
            {
                "title": issue.title,
                "count": issue.count,
                "first_at": issue.first_at.date().isoformat(),
                "flagged_at": flagged.date().isoformat() if flagged else None,
                "days_after_first": (flagged - issue.first_at).days if flagged else None,
                "messages_by_then": sum(1 for m in issue.member_ids if posted[m] <= flagged)
                if flagged
                else None,
            }
        )
    return {
        "groups_ever_flagged": sum(1 for i in issues if i.first_flagged_at is not None),
        "emerging_at_now": sum(1 for i in issues if i.emerging),
        "groups_of_ten_or_more": rows,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=RESULTS / "hotspots.json")
    args = parser.parse_args()
    path = args.data / "tipdm2020_c" / "appeals_votes_4326.csv"
    if not path.is_file():
        print(f"{path} is not present", file=sys.stderr)
        return 1
    started = time.perf_counter()
    messages: list[HotspotMessage] = list(
        read_messages(
            path, "留言主题+留言详情", "留言时间", "点赞数-反对数", "留言编号", "留言用户"
        )
    )
    read_s = time.perf_counter() - started
    labelled = read_pairs()
    pairs = [p for p, _ in labelled]
    even, odd = pairs[0::2], pairs[1::2]

    feats = features(messages)
    sweep = []
    for similarity, bonus in SWEEP:
        settings = HotspotSettings(similarity=similarity, place_bonus=bonus)
        groups = group_of(
            [[messages[i].message_id for i in g] for g in group_messages(messages, settings, feats)]
        )
        sweep.append(
            {
                "similarity": similarity,
                "place_bonus": bonus,
                "even_f1": round(score_pairs(even, groups).f1, 4),
                "odd_f1": round(score_pairs(odd, groups).f1, 4),
            }
        )

    settings = HotspotSettings()
    find_hotspots(messages, settings)  # warm-up: the dictionary, the first allocations
    times, cpu = [], []
    for _ in range(args.runs):
        t, c = time.perf_counter(), time.process_time()
        report = find_hotspots(messages, settings)
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    groups = group_of([list(issue.member_ids) for issue in report.issues])
    by_stratum = {}
    for stratum in dict.fromkeys(s for _, s in labelled):
        subset = [p for p, s in labelled if s == stratum]
        by_stratum[stratum] = scores(score_pairs(subset, groups))
    result = {
        "task": "hot-issue grouping (热点诉求) on labelled pairs, and analysis time",
        "built_from": __doc__.split("\n\n", 2)[2].strip(),
        "dataset": {
            "messages": len(messages),
            "labelled_pairs": len(pairs),
            "same_issue_pairs": sum(p.same_issue for p in pairs),
        },
        "settings": {
            "similarity": settings.similarity,
            "place_bonus": settings.place_bonus,
            "place_penalty": settings.place_penalty,
            "window_days": settings.window_days,
        },
        "pairwise": {
            "all": scores(score_pairs(pairs, groups)),
            "odd_half": scores(score_pairs(odd, groups)),
            "tuning_half": scores(score_pairs(even, groups)),
            "by_drawn_from": by_stratum,
        },
        "sweep": sweep,
        "groups": report.groups,
        "groups_of_two_or_more": sum(1 for i in report.issues if i.count >= 2),
        "largest_group": max(i.count for i in report.issues),
        "emerging_replay": emerging_replay(
            report.issues, {m.message_id: m.posted_at for m in messages}
        ),
        "time": {
            "read_csv_s": round(read_s, 3),
            "analyse_s_median": round(statistics.median(times), 3),
            "analyse_s_runs": [round(t, 3) for t in times],
            # CPU seconds of this process: less moved than wall time by others' load
            "analyse_cpu_s_median": round(statistics.median(cpu), 3),
        },
        "top10": [
            {
                "rank": i.rank,
                "heat": i.heat,
                "title": i.title,
                "count": i.count,
                "place": i.place,
                "votes": i.votes,
                "span": [i.first_at.date().isoformat(), i.last_at.date().isoformat()],
            }
            for i in report.issues[:10]
        ],
        "machine": machine(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(
        json.dumps(
            {"pairwise_all": result["pairwise"]["all"], "time": result["time"]}, ensure_ascii=False
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
