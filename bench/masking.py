"""Masking personal data in free text (`kernel.masking.mask_text`) → bench/results/masking.json

    .venv/bin/python -m bench.masking [--data ../shared/data] [--baseline OLD/masking.py]

Masking runs on every read of a case (list, detail, history, export) for every reader without
the right to reveal the contact, so it must stay cheap. The texts are real citizen messages
(tipdm2020_c/appeals_labeled_raw_2537.csv, `text` = subject + details, median about 235
characters), in three sets:
  - `real`: the messages as they are (nearly none holds a number);
  - `typical_200`: each message cut to its first 200 characters;
  - `with_contact`: each message cut to 200 characters with a contact put in at a random place
    not touching an ASCII digit or letter (a mobile, a landline or an ID number, written with
    spaces, dots, dashes, no-break or zero-width spaces, full-width digits, +86 or letters glued
    on: fixed seed).
Reported per set: µs per text (mean, p50, p99 of the per-text medians of `--repeat` runs) and
the time to mask the descriptions of a page of 200 cases. With `--baseline`, another version
of the module (a file, e.g. the one of an earlier commit: `git show REV:src/cityops/kernel/
masking.py > /tmp/old_masking.py`) is timed alternately with the current one, set by set.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from bench._server import RESULTS, ROOT, machine
from cityops.kernel import masking

DATA = ROOT.parent / "shared" / "data"
Mask = Callable[[str], str]

SEPARATORS = [" ", ".", "-", "/", "\u00a0", "\u200b", "\u3000"]
CONTACT_LEADS = ["联系电话", "手机", "我的电话是", "微信wx", "身份证号", "座机", "电话：", ""]


def _contact(rng: random.Random) -> str:
    kind = rng.choice(["mobile", "landline", "id"])
    sep = rng.choice(SEPARATORS)
    if kind == "mobile":
        number = rng.choice(["138", "139", "158", "186", "199"]) + f"{rng.randrange(10**8):08d}"
        text = rng.choice(["", "+86 ", "0086-"]) + sep.join((number[:3], number[3:7], number[7:]))
    elif kind == "landline":
        area = rng.choice(["0571", "010", "0731", "028"])
        local = f"{rng.randint(2_000_000, 89_999_999)}"
        text = area + sep + local
    else:
        number = rng.choice(["330103", "430102", "510107"]) + f"19{rng.randint(50, 99)}0612"
        number += f"{rng.randrange(1000):03d}" + rng.choice("0123456789X")
        text = sep.join((number[:6], number[6:14], number[14:]))
    if rng.random() < 0.2:
        text = text.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    return rng.choice(CONTACT_LEADS) + text


def texts(data: Path, seed: int) -> dict[str, list[str]]:
    path = data / "tipdm2020_c" / "appeals_labeled_raw_2537.csv"
    with path.open(encoding="utf-8") as f:
        real = [row["text"] for row in csv.DictReader(f) if row["text"].strip()]
    rng = random.Random(seed)
    with_contact = []
    for text in real:
        cut = text[:200]
        # a place between two characters that are no digits or letters, so the contact
        # stays a number of its own
        places = [
            k
            for k in range(len(cut) + 1)
            if not (k and cut[k - 1].isalnum() and cut[k - 1].isascii())
            and not (k < len(cut) and cut[k].isalnum() and cut[k].isascii())
        ]
        at = rng.choice(places)
        with_contact.append(cut[:at] + _contact(rng) + "，" + cut[at:])
    return {"real": real, "typical_200": [t[:200] for t in real], "with_contact": with_contact}


def _per_text_us(mask: Mask, corpus: list[str], repeat: int) -> list[float]:
    timings = []
    clock = time.perf_counter
    for text in corpus:
        runs = []
        for _ in range(repeat):
            t = clock()
            mask(text)
            runs.append(clock() - t)
        timings.append(statistics.median(runs) * 1e6)
    return timings


def _page_ms(mask: Mask, corpus: list[str], pages: int) -> float:
    """Median time to mask 200 descriptions, over `pages` pages drawn from the corpus."""
    times = []
    for p in range(pages):
        page = [corpus[(p * 200 + k) % len(corpus)] for k in range(200)]
        t = time.perf_counter()
        for text in page:
            mask(text)
        times.append(time.perf_counter() - t)
    return round(statistics.median(times) * 1e3, 3)


def _summary(timings: list[float]) -> dict[str, float]:
    ordered = sorted(timings)
    return {
        "mean_us": round(statistics.fmean(timings), 2),
        "p50_us": round(ordered[len(ordered) // 2], 2),
        "p99_us": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 2),
    }


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("baseline_masking", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"{path} is no Python module")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--baseline", type=Path, help="another masking.py to time alternately")
    parser.add_argument("--repeat", type=int, default=7, help="runs per text (median taken)")
    parser.add_argument("--limit", type=int, default=0, help="use only the first N messages")
    parser.add_argument("--pages", type=int, default=50)
    parser.add_argument("--seed", type=int, default=20261207)
    parser.add_argument("--out", type=Path, default=RESULTS / "masking.json")
    args = parser.parse_args()

    sets = texts(args.data, args.seed)
    if args.limit:
        sets = {name: corpus[: args.limit] for name, corpus in sets.items()}
    versions: dict[str, Mask] = {"current": masking.mask_text}
    if args.baseline:
        versions["baseline"] = _load(args.baseline).mask_text
    results: dict[str, dict[str, object]] = {name: {} for name in versions}
    for set_name, corpus in sets.items():
        for version, mask in versions.items():  # alternately, set by set
            for text in corpus[:50]:  # warm the regex caches
                mask(text)
            results[version][set_name] = {
                **_summary(_per_text_us(mask, corpus, args.repeat)),
                "page_of_200_ms": _page_ms(mask, corpus, args.pages),
            }
    current = versions["current"]
    report = {
        "benchmark": "masking",
        "what": "kernel.masking.mask_text on real citizen messages (tipdm2020_c), one thread; "
        "per-text µs are medians of --repeat runs, summarised over the texts",
        "texts": {
            name: {
                "count": len(corpus),
                "median_chars": int(statistics.median(len(t) for t in corpus)),
                "changed_by_masking": sum(current(t) != t for t in corpus),
            }
            for name, corpus in sets.items()
        },
        "repeat": args.repeat,
        "baseline": str(args.baseline) if args.baseline else None,
        **results,
        "machine": machine(),
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps({k: report[k] for k in ("texts", *versions)}, ensure_ascii=False, indent=1))
    print(f"written {args.out}")


if __name__ == "__main__":
    main()
