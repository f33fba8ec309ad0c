#!/usr/bin/env python3
"""Builds tests/fixtures/import/fleet.csv, the 500-row fleet list `tests/import.rs` imports.

Every row is a real entry of an OFAC list, with its IMO number and its name as published:
the vessels of the SDN list (sdn.csv of 2021-07, then those only that of 2019-01 has), then the vessels of the consolidated
non-SDN list (consolidated.xml of 2018-04), then registered owners of the SDN list (the same two files; entries
with an `IMO` company number, imported as `organization`), in file order, each number once
and only those fitting their check digit rule; then shipping companies without a number
(see below). Every fifth vessel leaves the name empty (a
fleet list of IMO numbers alone); every seventh row names an extra recipient. Run from the
repository root, with ../shared/data beside it.
"""
import csv
import re

SDNS = ["../shared/data/ofac-sdn-csv/2021-07/sdn.csv", "../shared/data/ofac-sdn-csv/2019-01/sdn.csv"]
CONS = "../shared/data/ofac-consolidated-xml/2018-04/consolidated.xml"
ROWS = 500


def ship_check(n):
    d = [int(c) for c in n]
    return sum(d[i] * (7 - i) for i in range(6)) % 10 == d[6]


def company_check(n):
    d = [int(c) for c in n]
    s = sum(x * w for x, w in zip(d, [8, 6, 4, 2, 9, 7]))
    return (11 - s % 11) % 10 == d[6]


seen = set()
fleet = []


def add(kind, imo, name):
    ok = ship_check(imo) if kind == "vessel" else company_check(imo)
    if imo not in seen and ok:
        seen.add(imo)
        fleet.append((kind, imo, name))


rows = []
for path in SDNS:
    with open(path, encoding="latin-1", newline="") as f:
        rows.extend(csv.reader(f))
for row in rows:
    m = re.search(r"IMO (\d{7})", row[11]) if len(row) > 11 else None
    if m and row[2].strip() == "vessel":
        add("vessel", m.group(1), row[1].strip())
text = open(CONS, encoding="utf-8").read()
for e in re.findall(r"<sdnEntry>(.*?)</sdnEntry>", text, re.S):
    m = re.search(r"IMO (\d{7})", e)
    if m and "<sdnType>Vessel</sdnType>" in e:
        add("vessel", m.group(1), re.search(r"<lastName>(.*?)</lastName>", e).group(1).strip())
for row in rows:
    m = re.search(r"IMO (\d{7})", row[11]) if len(row) > 11 else None
    if m and row[2].strip() != "vessel":
        add("organization", m.group(1), row[1].strip())
# The real lists hold fewer than 500 valid IMO numbers: the rest are shipping companies of
# the SDN list named without one (names with SHIPPING, TANKER, MARITIME or NAVIGATION).
names = {n for _, _, n in fleet}
for row in rows:
    name = row[1].strip() if len(row) > 2 else ""
    if (
        len(fleet) < ROWS
        and row[2].strip() == "-0-"
        and re.search(r"SHIPPING|TANKER|MARITIME|NAVIGATION", name)
        and name not in names
    ):
        names.add(name)
        fleet.append(("organization", "", name))
if len(fleet) < ROWS:
    raise SystemExit(f"only {len(fleet)} entries with a valid IMO number")
with open("tests/fixtures/import/fleet.csv", "w", newline="", encoding="utf-8") as out:
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["Kind", "IMO", "Name", "Notify"])
    for i, (kind, imo, name) in enumerate(fleet[:ROWS]):
        if kind == "vessel" and i % 5 == 4:
            name = ""
        w.writerow([kind, imo, name.title(), "fleet-ops@example.org" if i % 7 == 6 else ""])
kinds = [k for k, _, _ in fleet[:ROWS]]
print(f"{ROWS} rows ({kinds.count('vessel')} vessels) of {len(fleet)} entries")
