#!/usr/bin/env python3
"""Builds tests/fixtures/replay/: four daily snapshots of the OFAC SDN list, made of real rows.

Starts from the 31 real entries of tests/fixtures/e2e (the July 2021 publication, see
make-e2e-fixtures.py) and replays, one day at a time, the kinds of change OFAC publishes:

- day1: every entry but 22790 MADURO MOROS; 15036 ARTAVIL under its former name: its real row
        with SDN_Name ALPHA and without the "f.k.a. 'ALPHA'" it gained when renamed; 15055
        HAPPINESS I as published in January 2019 (flag Panama, program IRAN).
- day2: 15036 as published in July 2021 (renamed ARTAVIL, f.k.a. ALPHA, same IMO 9187629);
        22790 MADURO MOROS listed.
- day3: 9760 LUKASHENKA withdrawn (with its alt and add rows); 15055 as published in July 2021
        (flag Iran, programs IRAN and SDGT, a second Linked To).
- day4: 9760 restored, byte for byte as before.
- day5: 22790 MADURO MOROS withdrawn (listed on day2, so its first alert was `listed`).
- day6: 22790 restored, byte for byte: the same entry, the same content, listed again.

Every other byte is copied from the published files. Run from the repository root:
python3 scripts/make-replay-fixtures.py ../shared/data/ofac-sdn-csv
"""
import os
import sys

src = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/ofac-sdn-csv"
FILES = ("sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv")


def rows(year, name):
    with open(f"{src}/{year}/{name}", "rb") as f:
        return f.read().splitlines(keepends=True)


def key(line):
    return line.split(b",", 1)[0].decode("latin-1")


with open("tests/fixtures/e2e/snap2/sdn.csv", "rb") as f:
    CHOSEN = {key(l) for l in f}

y2021 = {n: [l for l in rows("2021-07", n) if key(l) in CHOSEN] for n in FILES}
y2019 = {n: [l for l in rows("2019-01", n) if key(l) == "15055"] for n in FILES}


def former_name_artavil(line):
    if key(line) != "15036":
        return line
    line = line.replace(b'15036,"ARTAVIL"', b'15036,"ALPHA"', 1)
    return line.replace(b" f.k.a. 'ALPHA';", b"", 1)


def day(name, drop=(), artavil_renamed=True, happiness_2021=True):
    out = []
    for line in y2021[name]:
        k = key(line)
        if k in drop:
            continue
        if k == "15055" and not happiness_2021:
            continue
        if not artavil_renamed:
            line = former_name_artavil(line)
        out.append(line)
    if not happiness_2021:
        out.extend(y2019[name])
    # OFAC's files are sorted by ent_num; keep that order.
    out.sort(key=lambda l: int(key(l)))
    return out


DAYS = {
    "day1": dict(drop={"22790"}, artavil_renamed=False, happiness_2021=False),
    "day2": dict(artavil_renamed=True, happiness_2021=False),
    "day3": dict(drop={"9760"}),
    "day4": dict(),
    "day5": dict(drop={"22790"}),
    "day6": dict(),
}
for d, spec in DAYS.items():
    os.makedirs(f"tests/fixtures/replay/{d}", exist_ok=True)
    for n in FILES:
        lines = day(n, **spec)
        with open(f"tests/fixtures/replay/{d}/{n}", "wb") as f:
            f.writelines(lines)
        print(d, n, len(lines))
