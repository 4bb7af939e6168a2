"""Write a realistic legacy export (one CP932 CSV per legacy table, with every class of
fault a real hand-over brings mixed in: operations/legacy/sample_export.py) for the
import benchmark.

    python benchmarks/legacy_export_make.py DIR --shops 8500 --users 300000 [--delta]
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from operations.legacy.sample_export import export_write  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("directory", type=Path)
    parser.add_argument("--shops", type=int, default=8_500)
    parser.add_argument("--users", type=int, default=300_000)
    parser.add_argument("--delta", action="store_true",
                        help="The later export (shops deleted at the source, favourites moved).")
    options = parser.parse_args()
    start = time.monotonic()
    truth = export_write(options.directory, shops=options.shops, users=options.users,
                         delta=options.delta)
    print(f"wrote {len(truth.shops)} shops ({len(truth.hidden)} hidden, "
          f"{len(truth.both_programmes)} in both programmes), {len(truth.users)} users, "
          f"{len(truth.decisions)} rows needing a decision to {options.directory} "
          f"in {time.monotonic() - start:.1f} s")


if __name__ == "__main__":
    main()
