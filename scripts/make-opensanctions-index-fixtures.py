#!/usr/bin/env python3
"""Builds tests/fixtures/opensanctions-index/ from the real yente test fixtures in
../shared/data/opensanctions-ftm/yente-fixtures (OpenSanctions' own output, dataset eu_fsf):

- entities.ftm.json: the real full export (yente's t1), served as version 20240527134702-zbn;
- VERSION.entities.delta.json: the four real consecutive delta files after it;
- delta.json: the real delta index (its URLs are rewritten by the tests to the loopback server);
- entities.20240528134729-3iv.ftm.json: the full export as of the last version, made here by
  applying the real deltas to the real full export (ADD/MOD replace the entity's line, DEL
  drops it), independently of watchkeeper's own delta code, so that the tests can compare
  "deltas applied by watchkeeper" with "full export loaded by watchkeeper".

Every entity is real; only the last full export is assembled.
"""
import json
import pathlib
import shutil

ROOT = pathlib.Path(__file__).resolve().parent.parent
SRC = ROOT.parent / "shared/data/opensanctions-ftm/yente-fixtures"
OUT = ROOT / "tests/fixtures/opensanctions-index"
DELTAS = [
    "20240527194702-wnk",
    "20240528014702-pfh",
    "20240528074703-npf",
    "20240528134729-3iv",
]

OUT.mkdir(parents=True, exist_ok=True)
shutil.copyfile(SRC / "entities.ftm.json", OUT / "entities.ftm.json")
shutil.copyfile(SRC / "delta.json", OUT / "delta.json")
entities = {}
order = []
for line in (SRC / "entities.ftm.json").read_text().splitlines():
    if line.strip():
        e = json.loads(line)
        entities[e["id"]] = line
        order.append(e["id"])
for version in DELTAS:
    name = f"{version}.entities.delta.json"
    shutil.copyfile(SRC / name, OUT / name)
    for line in (SRC / name).read_text().splitlines():
        if not line.strip():
            continue
        op = json.loads(line)
        eid = op["entity"]["id"]
        if op["op"] == "DEL":
            entities.pop(eid, None)
            order = [i for i in order if i != eid]
        else:
            if eid not in entities:
                order.append(eid)
            entities[eid] = json.dumps(op["entity"], ensure_ascii=False, separators=(",", ":"))
with open(OUT / f"entities.{DELTAS[-1]}.ftm.json", "w") as f:
    for eid in order:
        f.write(entities[eid] + "\n")
print(f"{OUT}: {len(order)} entities at {DELTAS[-1]}")
