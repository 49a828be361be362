"""Recompute the cases written by generate.ts with NumPy and report differences.

Usage: python3 check.py cases.jsonl

Known, deliberate differences are listed in KNOWN and only counted, not shown:
the reference has no float16 (it uses float32 where NumPy picks float16), keeps
x's dtype in clip (Array API), treats NaN/inf -> int casts as 0, and rejects
bool inputs where NumPy would silently go through int8.
"""

import json
import sys
import warnings
from collections import Counter

import numpy as np

warnings.simplefilter("ignore")

NAMES = {
    "abs": "absolute", "asin": "arcsin", "acos": "arccos", "atan": "arctan", "asinh": "arcsinh",
    "acosh": "arccosh", "atanh": "arctanh", "atan2": "arctan2", "pow": "power", "divide": "true_divide",
    "floorDivide": "floor_divide", "notEqual": "not_equal", "lessEqual": "less_equal",
    "greaterEqual": "greater_equal", "logicalAnd": "logical_and", "logicalOr": "logical_or",
    "logicalXor": "logical_xor", "logicalNot": "logical_not", "bitwiseAnd": "bitwise_and",
    "bitwiseOr": "bitwise_or", "bitwiseXor": "bitwise_xor", "bitwiseLeftShift": "left_shift",
    "bitwiseRightShift": "right_shift", "bitwiseInvert": "invert", "round": "round",
}


def parse_value(s, dtype):
    if dtype in ("int64", "uint64", "int8", "int16", "int32", "uint8", "uint16", "uint32", "bool"):
        return int(s)
    return float(s)


def decode(arg):
    if arg["kind"] == "array":
        vals = [parse_value(v, arg["dtype"]) for v in arg["data"]]
        return np.array(vals, dtype=arg["dtype"]).reshape(arg["shape"])
    if arg["kind"] == "scalar":
        if arg["type"] == "boolean":
            return arg["value"] == "true"
        v = float(arg["value"])
        return int(v) if v.is_integer() and "." not in arg["value"] and "e" not in arg["value"] else v
    return None


def axis_of(a):
    return tuple(a) if isinstance(a, list) else a


def run_numpy(case):
    op, opts = case["op"], case["opts"]
    args = [decode(a) for a in case["args"]]
    if op in ("sum", "prod", "min", "max", "mean", "all", "any", "nansum", "nanmean", "nanmin", "nanmax"):
        return getattr(np, op)(args[0], axis=axis_of(opts["axis"]), keepdims=opts["keepdims"])
    if op in ("var", "std", "nanvar", "nanstd"):
        return getattr(np, op)(args[0], axis=axis_of(opts["axis"]), keepdims=opts["keepdims"],
                               ddof=opts.get("correction", 0))
    if op in ("argmin", "argmax"):
        return getattr(np, op)(args[0], axis=opts["axis"], keepdims=opts["keepdims"])
    if op == "where":
        return np.where(*args)
    if op == "clip":
        return np.clip(args[0], opts["min"], opts["max"])
    if op == "astype":
        return args[0].astype(opts["dtype"])
    if op == "index":
        keys = []
        for k in opts["keys"]:
            if k is None or isinstance(k, int):
                keys.append(k)
            else:
                keys.append(slice(k["start"], k["stop"], k["step"]))
        return np.asarray(args[0][tuple(keys)])
    return getattr(np, NAMES.get(op, op))(*args)


def same_values(got, exp_vals, dtype):
    got = np.asarray(got).ravel()
    if dtype.kind in "biu":
        return all(int(g) == int(e) for g, e in zip(got, exp_vals))
    rtol = {2: 2e-3, 4: 2e-5, 8: 1e-9}[dtype.itemsize]
    for g, e in zip(got, exp_vals):
        g, e = float(g), float(e)
        if np.isnan(g) or np.isnan(e):
            if not (np.isnan(g) and np.isnan(e)):
                return False
        elif np.isinf(g) or np.isinf(e):
            if g != e:
                return False
        elif abs(g - e) > (1e-7 if dtype.itemsize == 2 else 1e-12) + rtol * max(abs(g), abs(e)):
            return False
    return True


def classify(case, res, err):
    """Name a known deliberate difference, or None."""
    exp = case["expected"]
    arrays = [a for a in case["args"] if a["kind"] == "array"]
    if err is not None and "error" in exp:
        return "both-error"
    if err is None and "error" in exp:
        if any(a["dtype"] == "bool" for a in arrays):
            return "known: reference rejects bool input"
        return None
    if err is not None:
        return None
    res = np.asarray(res)
    if res.dtype == np.float16 and exp["dtype"] == "float32":
        # float16 overflows to inf long before float32 does
        want = [float(v) for v in exp["data"]]
        want = [w if abs(w) < 65520 or np.isnan(w) else np.copysign(np.inf, w) for w in want]
        return "float16-as-float32" if same_values(res, want, np.dtype("float16")) else None
    if case["op"] == "clip" and res.dtype != np.dtype(exp["dtype"]):
        return "known: clip keeps x dtype"
    if case["op"] == "reciprocal" and arrays[0]["dtype"] not in ("float32", "float64"):
        return "known: integer reciprocal"
    if case["op"] in ("isnan", "isinf", "isfinite", "signbit", "ceil", "floor", "trunc", "round") \
            and arrays[0]["dtype"] == "bool":
        return "known: bool input"
    return None


def main(path):
    counts = Counter()
    shown = 0
    for line in open(path):
        case = json.loads(line)
        exp = case["expected"]
        res, err = None, None
        try:
            with np.errstate(all="ignore"):
                res = run_numpy(case)
        except Exception as e:  # numpy raised
            err = f"{type(e).__name__}: {e}"
        ok = False
        if err is None and "error" not in exp:
            r = np.asarray(res)
            ok = (str(r.dtype) == exp["dtype"] and list(r.shape) == exp["shape"]
                  and same_values(r, [parse_value(v, exp["dtype"]) for v in exp["data"]], r.dtype))
        if ok:
            counts["ok"] += 1
            continue
        known = classify(case, res, err)
        if known:
            counts[known] += 1
            continue
        counts["MISMATCH " + case["op"]] += 1
        if shown < 40:
            shown += 1
            print("MISMATCH", json.dumps({"op": case["op"], "args": case["args"], "opts": case["opts"]}))
            print("   reference:", json.dumps(exp))
            if err:
                print("   numpy error:", err)
            else:
                r = np.asarray(res)
                print("   numpy:", r.dtype, list(r.shape), r.ravel().tolist())
    for k, v in sorted(counts.items()):
        print(f"{v:7d}  {k}")


if __name__ == "__main__":
    main(sys.argv[1])
