"""Train the default theme model from the labelled FFT comments and write it into the package.

    .venv/bin/python scripts/train_themes.py [--data labelled.csv] [--out model.joblib]
        [--seed 16] [--limit N]

Fixed seed, a held-out 20 % test split made here (its comment ids are stored in the model, so
bench/themes.py scores only comments the model never saw). Nothing is downloaded.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from central.themes.model import DEFAULT_MODEL, save  # noqa: E402
from central.themes.train import SEED, TrainingError, find_data, load_labelled, split, train  # noqa: E402


def build(data_path: Path, out: Path, seed: int = SEED, limit: int | None = None) -> dict:
    data = load_labelled(data_path, limit)
    train_rows, test_rows = split(data, seed)
    model = train(data, train_rows, seed)
    model["test_ids"] = [data.ids[i] for i in test_rows]
    save(model, out)
    return model


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, help="labelled.csv (default: found above)")
    parser.add_argument("--out", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--limit", type=int, help="use only the first N comments (quick checks)")
    args = parser.parse_args(argv)
    try:
        model = build(args.data or find_data(), args.out, args.seed, args.limit)
    except TrainingError as exc:
        print(f"train_themes: {exc}", file=sys.stderr)
        return 1
    size = args.out.stat().st_size / 1e6
    print(f"trained {len(model['labels'])} sub-categories on {model['trained_on']} comments in "
          f"{model['seconds']} s; wrote {args.out} ({size:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
