"""What the safety triage costs per message (target: p95 <= 1 ms), as a ratio to the search that
runs right after it for the same message.

    .venv/bin/python bench/safety.py              # 10,000 assets, our own test lines
    .venv/bin/python bench/safety.py --size 1000

Every message a resident types is checked before anything else, so the check must cost a small
part of a reply. It times SafetyCheck.check and SearchEngine.search on the same messages (the
crisis and everyday lines of tests/fixtures/safety_lines.jsonl, plus long messages made of them),
in the same process, and prints p50 and p95 of each and the ratio.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.search import percentile, synthetic_docs  # noqa: E402
from bot.matching.classify import Classifier  # noqa: E402
from bot.matching.engine import SearchEngine  # noqa: E402
from bot.matching.taxonomy import default_taxonomy  # noqa: E402
from bot.services.safety import SafetyCheck  # noqa: E402


def messages() -> list[str]:
    lines = [
        json.loads(x)["text"]
        for x in (ROOT / "tests/fixtures/safety_lines.jsonl").read_text().splitlines()
        if x
    ]
    long = [", and ".join(lines[i : i + 6]) for i in range(0, len(lines), 6)]  # several clauses each
    return lines + long


def timed(call, texts: list[str], repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        for text in texts:
            started = time.perf_counter()
            call(text)
            times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    classifier = Classifier(default_taxonomy())
    docs = synthetic_docs(args.size)
    for doc in docs:
        doc.classification = classifier.classify(doc.name, doc.tags, doc.description)
    engine = SearchEngine.build(docs, classifier.taxonomy)
    check = SafetyCheck()
    texts = messages()
    timed(check.check, texts, 1), timed(engine.search, texts, 1)  # warm caches
    triage = timed(check.check, texts, args.repeats)
    search = timed(engine.search, texts, args.repeats)
    print(f"{len(texts)} messages x {args.repeats}, {args.size:,} assets")
    print(f"{'':10}{'p50 ms':>9}{'p95 ms':>9}")
    print(f"{'triage':10}{statistics.median(triage):>9.3f}{percentile(triage, 0.95):>9.3f}")
    print(f"{'search':10}{statistics.median(search):>9.3f}{percentile(search, 0.95):>9.3f}")
    print(f"triage / search at p95: {percentile(triage, 0.95) / percentile(search, 0.95):.3f}")


if __name__ == "__main__":
    main()
