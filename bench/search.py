"""Search speed at regional scale (targets at 100,000 assets: p95 <= 10 ms per query, >= 20x faster
than rapidfuzz, index build <= 30 s, resident memory <= 600 MB).

    .venv/bin/python bench/search.py                       # 1,000 / 10,000 / 100,000 assets
    .venv/bin/python bench/search.py --sizes 1000 10000    # quicker

For each size it builds a deterministic synthetic directory with realistic wording, builds the
engine (classification included), times a fixed set of resident queries (keywords, sentences,
typos, place names), and times rapidfuzz `process.extract` with WRatio over the same
name + organisation + description texts (the baseline, on a sample of the queries at the
larger sizes because it is slow). It prints one row per size.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rapidfuzz import fuzz, process

from bot.matching.classify import Classifier
from bot.matching.engine import SearchEngine
from bot.matching.index import AssetDoc
from bot.matching.taxonomy import default_taxonomy

TOWNS = ["Leicester", "Loughborough", "Hinckley", "Coalville", "Melton Mowbray", "Market Harborough",
         "Oakham", "Uppingham", "Wigston", "Oadby", "Lutterworth", "Ashby", "Syston", "Shepshed"]  # fmt: skip
KINDS = [
    ("{town} Food Bank", "Emergency food parcels for people in crisis, with a referral or voucher."),
    ("{town} Youth Club", "A safe place for young people aged 11 to 18 to meet friends, play pool and cook."),
    ("{town} Debt Advice", "Free, confidential debt advice and help with budgeting and bills."),
    ("{town} Carers Support Group", "Peer support for unpaid carers looking after a family member."),
    (
        "{town} Memory Cafe",
        "A friendly cafe for people living with dementia and the people who care for them.",
    ),
    ("{town} Parent and Toddler Group", "Play, songs and a cuppa for parents and carers with under-5s."),
    ("{town} Walking Football", "Gentle football for over 50s; no running, all abilities welcome."),
    ("{town} English Conversation Club", "Practise speaking English (ESOL) in a relaxed group."),
    ("{town} Counselling Service", "Talking therapy for anxiety, depression and stress; self referral."),
    ("{town} Library", "Books, computers, free wifi, rhyme time and help getting online."),
    ("{town} Community Larder", "Low-cost groceries for local families; membership £3 a week."),
    ("{town} Stop Smoking Service", "Support and free nicotine replacement to help you quit smoking."),
    ("{town} Bereavement Support", "Support after the death of someone close, one to one or in a group."),
    ("{town} Men's Shed", "Men getting together to make, mend and chat over a brew."),
    ("{town} Domestic Abuse Outreach", "Confidential support if a partner hurts, threatens or controls you."),
]
FILLER = [
    "Everyone is welcome",
    "Run by local volunteers",
    "Please phone before your first visit",
    "Step-free access and accessible toilets",
    "Refreshments available",
    "Free parking nearby",
    "Part of the wider community network across the county.",
]
QUERIES = [
    "food bank", "youth club", "debt advice", "carers support", "memory cafe", "toddler group",
    "walking football", "english classes", "counselling", "library", "stop smoking",
    "foodbnak near loughborough", "councelling for anxiety", "bereavment help",
    "somewhere for my lad after school", "nothing in the cupboards till payday",
    "my nan is lonely and forgetting things", "men's group oakham", "help with money worries hinckley",
    "my partner controls my money and checks my phone",
]  # fmt: skip


def synthetic_docs(count: int) -> list[AssetDoc]:
    rng = random.Random(count)
    docs = []
    for i in range(count):
        name, what = rng.choice(KINDS)
        town = rng.choice(TOWNS)
        description = " ".join([what, *rng.sample(FILLER, 3), f"Based in {town}, reference {i}."])
        title = f"{name.format(town=town)} {i % 97}"
        docs.append(
            AssetDoc(
                id=i,
                external_id=f"syn-{i}",
                name=title,
                organisation=f"{town} Community Trust",
                description=description,
                town=town,
                latitude=52.4 + rng.random() * 0.4,
                longitude=-1.5 + rng.random() * 0.8,
            )
        )
    return docs


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(size: int, classifier: Classifier, repeats: int) -> dict[str, float]:
    docs = synthetic_docs(size)
    started = time.perf_counter()
    for d in docs:  # done at import time and stored; timed apart from the index build
        d.classification = classifier.classify(d.name, d.tags, d.description)
    classify = time.perf_counter() - started
    started = time.perf_counter()
    engine = SearchEngine.build(docs, classifier.taxonomy)
    build = time.perf_counter() - started
    engine.search("warm up")
    timings = []
    for _ in range(repeats):
        for query in QUERIES:
            t = time.perf_counter()
            engine.search(query, limit=10)
            timings.append((time.perf_counter() - t) * 1000)
    texts = [f"{d.name} {d.organisation} {d.description}" for d in docs]
    sample = QUERIES if size <= 10_000 else QUERIES[::4]
    baseline = []
    for query in sample:
        t = time.perf_counter()
        process.extract(query, texts, scorer=fuzz.WRatio, limit=10)
        baseline.append((time.perf_counter() - t) * 1000)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "size": size, "p50": statistics.median(timings), "p95": percentile(timings, 0.95),
        "base_p50": statistics.median(baseline), "build": build, "classify": classify, "rss": rss_mb,
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--repeats", type=int, default=5, help="times each query is asked")
    args = parser.parse_args()
    classifier = Classifier(default_taxonomy())
    print(
        f"{'size':>8} {'p50 ms':>8} {'p95 ms':>8} {'base p50':>9} {'ratio':>7} {'build s':>8} "
        f"{'classify s':>10} {'RSS MB':>7}"
    )
    for size in args.sizes:
        r = measure(size, classifier, args.repeats)
        print(
            f"{r['size']:>8,} {r['p50']:>8.2f} {r['p95']:>8.2f} {r['base_p50']:>9.1f} "
            f"{r['base_p50'] / r['p50']:>6.0f}x {r['build']:>8.1f} {r['classify']:>10.1f} {r['rss']:>7.0f}",
            flush=True,
        )
    print("ratio = rapidfuzz WRatio p50 / engine p50, same texts, same process; RSS is the peak so far;")
    print("build = the in-memory index the bot searches; classify = the import-time classification")


if __name__ == "__main__":
    main()
