"""Benchmark: the shipped theme model's quality on its held-out split, its speed, and retraining.

    .venv/bin/python bench/themes.py [--data labelled.csv] [--comments 100000] [--no-retrain]

* Quality, on the held-out 20 % of the labelled FFT comments whose ids the model file stores
  (scripts/train_themes.py made the split; the model never saw them): micro and macro F1 over the
  sub-categories with at least 20 examples in the data (targets 0.70 / 0.55; the NHS project's
  GPU-trained DistilBERT: micro 0.75 / macro 0.67), the same for the keyword rules alone, and
  sentiment accuracy (positive / mixed / negative).
* Speed: comments themed per second over generated comments (target ≥ 2,000/s), with the "why"
  words as the staff page shows them, and scores only.
* Retrain: the seconds scripts/train_themes.py takes on the training split.

Prints the figures; no assertions.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from central.themes import Suggester  # noqa: E402
from central.themes.model import ThemeModel  # noqa: E402
from central.themes.rules import rule_themes  # noqa: E402
from central.themes.train import find_data, load_labelled, split, train  # noqa: E402

EVAL_MIN = 20
OPENINGS = ["The staff were", "Nurses were", "The doctor was", "Reception was", "Everyone was",
            "The wait was", "Parking was", "The food was", "My appointment was", "The ward was"]
QUALITIES = ["kind and caring", "rude", "very helpful", "far too long", "excellent", "cold",
             "really clean", "noisy at night", "cancelled twice", "quick and efficient"]
ENDINGS = ["", " Thank you.", " Nobody explained anything.", " I waited four hours.",
           " Could not get through on the phone.", " Please keep my family informed.",
           " The car park is too small.", " Discharge took all day."]


def generated(n: int, seed: int = 16) -> list[str]:
    rng = random.Random(seed)
    return [f"{rng.choice(OPENINGS)} {rng.choice(QUALITIES)}.{rng.choice(ENDINGS)}"
            for _ in range(n)]  # fmt: skip


def quality(model: ThemeModel, data_path: Path) -> None:
    data = load_labelled(data_path)
    row_of = {cid: i for i, cid in enumerate(data.ids)}
    test = [row_of[cid] for cid in model.raw["test_ids"]]
    counts = data.y.sum(0)
    wanted = [lab for lab, c in zip(data.labels, counts, strict=True) if c >= EVAL_MIN]
    cols = [data.labels.index(lab) for lab in wanted]
    truth = data.y[test][:, cols]
    texts = [data.texts[i] for i in test]
    predicted, sentiment = model.predict(texts)
    predicted = predicted[:, [model.labels.index(lab) for lab in wanted]]
    matched = [{m.label for m in rule_themes(t)} for t in texts]
    rules = np.array([[lab in found for lab in wanted] for found in matched], dtype=np.int8)
    print(f"held-out split: {len(test)} comments, {len(wanted)} sub-categories with ≥ {EVAL_MIN} "
          "examples")  # fmt: skip
    for name, guess in (("model", predicted), ("rules only", rules)):
        micro = f1_score(truth, guess, average="micro", zero_division=0)
        macro = f1_score(truth, guess, average="macro", zero_division=0)
        print(f"  {name:<10} micro F1 {micro:.3f}   macro F1 {macro:.3f}")
    print("  targets    micro F1 0.700   macro F1 0.550   (NHS DistilBERT, GPU: 0.75 / 0.67)")
    known = [k for k, i in enumerate(test) if data.sentiment[i] is not None]
    right = sum(sentiment[k] == data.sentiment[test[k]] for k in known)
    print(f"  sentiment accuracy {right / len(known):.3f} over {len(known)} comments (3 classes)")


def speed(suggester: Suggester, n: int) -> None:
    comments = generated(n)
    started = time.perf_counter()
    for at in range(0, n, 1000):
        suggester.suggest([(t, "en") for t in comments[at:at + 1000]])
    with_why = time.perf_counter() - started
    started = time.perf_counter()
    for at in range(0, n, 1000):
        suggester.model.predict(comments[at:at + 1000])
    scores = time.perf_counter() - started
    print(f"{n:,} generated comments: {n / with_why:,.0f}/s with 'why' words "
          f"({with_why:.1f} s), {n / scores:,.0f}/s scores only ({scores:.1f} s); target ≥ 2,000/s")


def retrain(data_path: Path) -> None:
    data = load_labelled(data_path)
    rows, _ = split(data)
    started = time.perf_counter()
    train(data, rows)
    print(f"retrain on {len(rows)} comments: {time.perf_counter() - started:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path)
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--no-retrain", action="store_true")
    args = parser.parse_args()
    data_path = args.data or find_data()
    suggester = Suggester.default()
    quality(suggester.model, data_path)
    speed(suggester, args.comments)
    if not args.no_retrain:
        retrain(data_path)


if __name__ == "__main__":
    main()
