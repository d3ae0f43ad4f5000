"""Run the benchmarks: a table on stdout and, with --json, a JSON list of figures.

    python benchmarks/run.py [--quick] [--json OUT.json] [--only engine]
    python benchmarks/run.py --only frozen    # the desktop bundle, after `python3 dev.py package`
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Figure

SUITES = ("engine", "store", "notes", "documents", "print", "ui", "security", "tamper", "postgresql", "workstations")
# Run only when asked for: it measures a built bundle.
ON_REQUEST = ("frozen",)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer repeats and smaller data: a few minutes at most")
    parser.add_argument("--json", metavar="OUT", help="write the figures as a JSON list to OUT")
    parser.add_argument("--only", choices=SUITES + ON_REQUEST, action="append", help="run only these suites")
    args = parser.parse_args()
    figures: list[Figure] = []
    for suite in args.only or SUITES:
        module = __import__(f"bench_{suite}")
        figures.extend(module.run(args.quick))
    print(f"{'figure':<40} {'value':>10} {'unit':<4} {'floor':>10} {'ratio':>7}  {'goal':<28} ok")
    for fig in figures:
        floor = f"{fig.floor:.4g}" if fig.floor is not None else "-"
        ratio = f"{fig.ratio:.2f}" if fig.ratio is not None else "-"
        print(f"{fig.name:<40} {fig.value:>10.4g} {fig.unit:<4} {floor:>10} {ratio:>7}  {fig.goal:<28} "
              f"{'yes' if fig.meets_goal else 'NO'}")
    if args.json:
        Path(args.json).write_text(json.dumps([f.as_json() for f in figures], indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
