"""Print, per seed, how many of the original's facts a rendering keeps, changes or misses, and how
many sentences it adds that the original never wrote (the lists are in `seed_facts.py`).

    .venv/bin/python tests/render/fidelity_report.py                 # this tree's renderings
    .venv/bin/python tests/render/fidelity_report.py --dir DIR       # DIR/<example>.<lang>.md

The second form counts renderings made elsewhere, e.g. by another commit's code:
`policykeeper render examples/NAME --lang LANG --format md -o DIR/NAME.LANG.md`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from render_support import text_of_markdown, visible
from seed_facts import SEEDS, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, help="read DIR/<example>.<lang>.md instead")
    parser.add_argument("--details", action="store_true", help="name each fact not kept")
    args = parser.parse_args()
    totals = [0, 0, 0, 0, 0]
    print(
        f"{'example':14} {'seed':4} {'facts':>5} {'present':>7} {'changed':>7} {'missing':>7} {'added':>5}"
    )
    for name, seed in sorted(SEEDS.items()):
        if args.dir:
            ja, en = (
                text_of_markdown((args.dir / f"{name}.{lang}.md").read_text("utf-8"))
                for lang in ("ja", "en")
            )
        else:
            ja, en = visible(name, "ja", "md"), visible(name, "en", "md")
        result = count(name, ja, en)
        row = [
            len(seed.facts),
            len(result.present),
            len(result.changed),
            len(result.missing),
            len(result.added),
        ]
        totals = [t + r for t, r in zip(totals, row, strict=True)]
        print(
            f"{name:14} {seed.seed:4} "
            + " ".join(f"{v:>{w}}" for v, w in zip(row, (5, 7, 7, 7, 5), strict=True))
        )
        if args.details:
            for label, items in (
                ("changed", result.changed),
                ("missing", result.missing),
                ("added", result.added),
            ):
                for item in items:
                    print(f"    {label}: {item}")
    print(
        f"{'total':14} {'':4} "
        + " ".join(f"{v:>{w}}" for v, w in zip(totals, (5, 7, 7, 7, 5), strict=True))
    )


if __name__ == "__main__":
    main()
