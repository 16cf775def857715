"""Matching one need against 10,000 volunteers' offers (target: p95 under 20 ms).

    .venv/bin/python bench/offers.py [--offers 10000]

Builds a deterministic set of offers in volunteers' own words across LLR postcode districts,
indexes them as the bot does (bot/services/offer_matching.py), and times a fixed set of needs;
the baseline, in the same run, is rapidfuzz WRatio over the offers' texts.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rapidfuzz import fuzz, process

from bot.matching.classify import Classifier
from bot.matching.skills import default_skills
from bot.matching.taxonomy import default_taxonomy
from bot.services.offer_matching import OfferIndex, offer_doc
from bot.services.places import district_point, district_points

OFFERS = [
    "I can do basic DIY and put up shelves", "happy to drive people to appointments",
    "I speak Gujarati and Punjabi", "bit of gardening, mowing and weeding",
    "can help older folk with phones", "I could walk your dog",
    "happy to do shopping for someone who cant get out", "english conversation practice",
    "help filling in forms and letters", "I'm a retired teacher, can help with maths homework",
    "friendly chat on the phone once a week", "can cook meals", "fix bikes",
    "help with CVs and job applications",
]  # fmt: skip
NEEDS = [
    "i need a lift to the hospital", "my garden is a jungle and i cant manage it",
    "someone to help my mum with her ipad", "shelves need putting up", "my nan is lonely",
    "need help with a form", "help with my sons maths", "someone who speaks punjabi",
    "practise my english", "get my shopping", "my bike is broken",
]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--offers", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    rng = random.Random(5)
    skills, classifier = default_skills(), Classifier(default_taxonomy())
    districts = sorted(district_points())
    started = time.perf_counter()
    docs, texts = [], []
    for i in range(args.offers):
        text = rng.choice(OFFERS)
        docs.append(
            offer_doc(i, text, [s.id for s in skills.tag(text)], rng.choice(districts), skills, classifier)
        )
        texts.append(text)
    index = OfferIndex(docs, default_taxonomy())
    build = time.perf_counter() - started
    near = district_point("LE4")
    timings = []
    for _ in range(args.repeats):
        for need in NEEDS:
            t = time.perf_counter()
            index.match(need, near=near)
            timings.append((time.perf_counter() - t) * 1000)
    baseline = []
    for need in NEEDS:
        t = time.perf_counter()
        process.extract(need, texts, scorer=fuzz.WRatio, limit=5)
        baseline.append((time.perf_counter() - t) * 1000)
    timings.sort()
    p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
    p50 = statistics.median(timings)
    base = statistics.median(baseline)
    print(f"offers {args.offers:,}: build {build:.1f} s (tagging included)")
    verdict = "meets" if p95 < 20 else "MISSES"
    print(f"match p50 {p50:.2f} ms, p95 {p95:.2f} ms (target p95 < 20 ms: {verdict} it)")
    print(f"rapidfuzz WRatio p50 {base:.1f} ms; ratio {base / p50:.0f}x")


if __name__ == "__main__":
    main()
