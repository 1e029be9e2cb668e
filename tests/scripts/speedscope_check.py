#!/usr/bin/env python3
"""Checks scorch's speedscope files: valid against speedscope's own schema (the draft-07
subset it uses: $ref, type, required, properties, items, anyOf, const, enum), every frame
index in range, one weight per sample, endValue the sum, and the stacks and weights those
samples spell equal to the folded profile's.
  speedscope_check.py SCHEMA FILE.speedscope.json FOLDED|- [FILE FOLDED ...]"""
import collections, json, math, sys

TYPES = {"object": dict, "array": list, "string": str, "number": (int, float)}

def validate(node, schema, root, path="$"):
    if "$ref" in schema:
        name = schema["$ref"].split("/")[-1]
        return validate(node, root["definitions"][name], root, path)
    errs = []
    t = schema.get("type")
    if t and not (isinstance(node, TYPES[t]) and not isinstance(node, bool)):
        return [f"{path}: want {t}, got {type(node).__name__}"]
    if "const" in schema and node != schema["const"]:
        errs.append(f"{path}: want {schema['const']!r}")
    if "enum" in schema and node not in schema["enum"]:
        errs.append(f"{path}: {node!r} not in {schema['enum']}")
    if "anyOf" in schema:
        if all(validate(node, s, root, path) for s in schema["anyOf"]):
            errs.append(f"{path}: matches none of anyOf")
    if isinstance(node, dict):
        for k in schema.get("required", []):
            if k not in node:
                errs.append(f"{path}: missing {k}")
        for k, s in schema.get("properties", {}).items():
            if k in node:
                errs += validate(node[k], s, root, f"{path}.{k}")
    if isinstance(node, list) and "items" in schema:
        for i, x in enumerate(node):
            errs += validate(x, schema["items"], root, f"{path}[{i}]")
            if len(errs) > 5:
                break
    return errs

def folded(path):
    """STACK COUNT lines, or STACK BEFORE AFTER for a .diff file (weights: AFTER)"""
    tot = collections.Counter()
    for line in open(path, encoding="utf-8"):
        parts = line.rstrip("\n").rsplit(" ", 2 if path.endswith(".diff") else 1)
        stack, count = parts[0], float(parts[-1])
        if count > 0:
            tot[stack] += count
    return tot

def main():
    schema = json.load(open(sys.argv[1]))
    failures = 0
    for f, fold in zip(sys.argv[2::2], sys.argv[3::2]):
        raw = open(f, "rb").read()
        doc = json.loads(raw.decode("utf-8"))   # strict UTF-8
        errs = validate(doc, schema, schema)
        frames = doc["shared"]["frames"]
        got = collections.Counter()
        for p in doc["profiles"]:
            if len(p["samples"]) != len(p["weights"]):
                errs.append(f"{p['name']}: {len(p['samples'])} samples, {len(p['weights'])} weights")
            if not math.isclose(sum(p["weights"]), p["endValue"], rel_tol=1e-12):
                errs.append(f"{p['name']}: endValue {p['endValue']} != sum {sum(p['weights'])}")
            for s, w in zip(p["samples"], p["weights"]):
                if any(not (0 <= i < len(frames)) for i in s):
                    errs.append(f"{p['name']}: frame index out of range in {s}")
                    break
                got[";".join(frames[i]["name"] for i in s)] += w
        want = folded(fold) if fold != "-" else got   # "-": a recording, nothing to compare
        if set(got) != set(want):
            errs.append(f"stacks differ: {sorted(set(got) ^ set(want))[:3]}")
        else:
            bad = [k for k in want if not math.isclose(got[k], want[k], rel_tol=1e-12)]
            if bad:
                errs.append(f"weights differ for {bad[:3]}")
        if not math.isclose(sum(got.values()), sum(want.values()), rel_tol=1e-12):
            errs.append(f"total {sum(got.values())} != folded {sum(want.values())}")
        for e in errs:
            print(f"FAIL: {f}: {e}")
        failures += bool(errs)
        print(f"{f}: {len(doc['profiles'])} profile(s), {len(frames)} frames, "
              f"total {sum(got.values()):g}: {'ok' if not errs else 'FAILED'}")
    sys.exit(1 if failures else 0)

main()
