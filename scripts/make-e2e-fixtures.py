#!/usr/bin/env python3
"""Builds tests/fixtures/e2e/: two snapshots of the OFAC SDN list made of real rows.

snap1 holds the January 2019 rows and snap2 the July 2021 rows of the same chosen entries, so
the difference between them is a real listing, real changes and a real delisting. Lines are
copied byte for byte from the published files (../shared/data/ofac-sdn-csv).

Run from the repository root: python3 scripts/make-e2e-fixtures.py ../shared/data/ofac-sdn-csv
"""
import os
import sys

src = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/ofac-sdn-csv"
# Watched: 9760 LUKASHENKA (unchanged), 22790 MADURO MOROS (changed), 15036 ARTAVIL (changed:
# f.k.a. ALPHA moved into the remarks), 15055 HAPPINESS I (changed: flag, programs), 26623
# URDANETA (listed in 2021), 7503 MAHOFA (delisted by 2021), 17067 CHONGCHONGANG SHIPPING
# (unchanged; watched later by its company IMO). The rest are unwatched entries present and
# unchanged in both, so that the delisting stays far below max_removed_share.
WATCHED = ["9760", "22790", "15036", "15055", "26623", "7503", "17067"]
FILLERS = [
    "6920", "7208", "7474", "7490", "7666", "7688", "7804", "7845", "7873", "9383", "10654",
    "11310", "12733", "15049", "15626", "15973", "16132", "16350", "18250", "19168", "20050",
    "20880", "21229", "23128",
    # Its remarks continue in sdn_comments.csv, identically in both years.
    "12300",
]
CHOSEN = set(WATCHED + FILLERS)


def pick(path, out):
    with open(path, "rb") as f:
        data = f.read()
    kept = [
        line
        for line in data.splitlines(keepends=True)
        if line.split(b",", 1)[0].decode("latin-1") in CHOSEN
    ]
    with open(out, "wb") as f:
        f.writelines(kept)
    return kept


for snap, year in (("snap1", "2019-01"), ("snap2", "2021-07")):
    os.makedirs(f"tests/fixtures/e2e/{snap}", exist_ok=True)
    for name in ("sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"):
        kept = pick(f"{src}/{year}/{name}", f"tests/fixtures/e2e/{snap}/{name}")
        print(snap, name, len(kept))
