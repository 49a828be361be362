"""Evaluates differential-complex.test.ts's cases with NumPy (JSON lines on stdin, one JSON line out per case).

Arrays arrive as dtype, shape and flat data (complex as interleaved re, im parts; "nan", "inf", "-inf", "-0"
strings for special floats); JS scalars as Python bool, int, float or complex. NumPy 1.24 promotes 0-d arrays
by value (legacy casting); cubed-ts types arrays strongly (the standard), so 0-d operands are given shape (1,)
here (the result is reshaped back to 0-d when every array operand was 0-d). `sign` is the standard's z/|z| (0 for 0), which
NumPy 1.x does not define that way, computed here in NumPy from abs; `cast_<dtype>` is astype;
`vecdot` is the standard's sum(conj(x1) * x2, axis=-1) (NumPy 1.24 has no vecdot); `reciprocal` is
the standard's 1 / x. `log1p` of finite elements takes its real part from mpmath (NumPy 1.24's loses
digits near 0, see log1p below).
"""
import json
import math
import sys
import warnings

import mpmath
import numpy as np

warnings.simplefilter("ignore")
mpmath.mp.prec = 200

SPECIAL = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf, "-0": -0.0}


def num(v):
    return SPECIAL[v] if isinstance(v, str) else float(v)


def arr(a):
    d = a["dtype"]
    if d.startswith("complex"):
        p = [num(v) for v in a["data"]]
        x = np.array(p, dtype="float32" if d == "complex64" else "float64").view(d)
    elif d.startswith("float"):
        x = np.array([num(v) for v in a["data"]], dtype=d)
    elif d == "bool":
        x = np.array([bool(v) for v in a["data"]], dtype=d)
    else:
        x = np.array([int(v) for v in a["data"]], dtype=d)
    return x.reshape(a["shape"])


def scalar(s):
    if s["py"] == "complex":
        return complex(num(s["re"]), num(s["im"]))
    if s["py"] == "bool":
        return bool(s["v"])
    if s["py"] == "int":
        return int(s["v"])
    return num(s["v"])


def enc_float(v):
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if v == 0 and math.copysign(1, v) < 0:
        return "-0"
    return repr(float(v))


def enc(x):
    x = np.asarray(x)
    d = str(x.dtype)
    flat = np.ascontiguousarray(x).reshape(-1)
    if d.startswith("complex"):
        data = [enc_float(v) for v in flat.view("float32" if d == "complex64" else "float64").tolist()]
    elif d.startswith("float"):
        data = [enc_float(v) for v in flat.tolist()]
    else:
        data = [int(v) for v in flat.tolist()]
    return {"dtype": d, "shape": list(x.shape), "data": data}


def sign(z):
    # the standard: 0 for 0, NaN + NaN j for a NaN part, else complex division z / (|z| + 0j)
    h = np.abs(z)
    with np.errstate(all="ignore"):
        s = z / np.where(h == 0, 1, h).astype(z.dtype)
    s = np.where(h == 0, 0, s).astype(z.dtype)
    return np.where(np.isnan(z), np.array(complex(math.nan, math.nan), dtype=z.dtype), s)


NAMES = {"asin": "arcsin", "acos": "arccos", "atan": "arctan", "asinh": "arcsinh", "acosh": "arccosh", "atanh": "arctanh", "pow": "power"}


def log_abs_1p(re, im):
    """log|1 + z| = ½·log(|1 + z|²), with |1 + z|² − 1 = 2x + x² + y² summed exactly (no digits lost at any scale)."""
    x, y = mpmath.mpf(re), mpmath.mpf(im)
    u = mpmath.fadd(mpmath.fadd(2 * x, mpmath.fmul(x, x, exact=True), exact=True), mpmath.fmul(y, y, exact=True), exact=True)
    w = u if abs(u) < 0.5 else mpmath.fadd(1, u, exact=True)
    return float((mpmath.log1p(w) if abs(u) < 0.5 else mpmath.log(w)) / 2)


def log1p(z):
    # NumPy 1.24's complex log1p is log(|1 + z|) + i atan2(y, 1 + x), which loses the digits of small |z|;
    # the real part of finite elements is log|1 + z| in 200-bit arithmetic (mpmath) instead, rounded to z's dtype
    out = np.array(np.log1p(z))
    flat = out.reshape(-1)
    for i, v in enumerate(np.asarray(z).reshape(-1).tolist()):
        if math.isfinite(v.real) and math.isfinite(v.imag):
            flat[i] = complex(log_abs_1p(v.real, v.imag), flat[i].imag)
    return out


def run(c):
    args = [arr(a["a"]) if "a" in a else scalar(a) for a in c["args"]]
    all_0d = all(a.ndim == 0 for a in args if isinstance(a, np.ndarray))
    args = [a.reshape(1) if isinstance(a, np.ndarray) and a.ndim == 0 else a for a in args]
    out = np.asarray(apply(c["op"], args, c.get("kw", {})))
    return out.reshape(()) if all_0d else out


def apply(op, args, kw):
    if op in ("sum", "mean", "prod"):
        return getattr(np, op)(args[0], axis=kw.get("axis"))
    if op == "expm1":
        # the standard's expm1(x + 0j) = expm1(x) + 0j (NumPy's formula gives inf * 0 = NaN parts there)
        z = args[0]
        out = np.array(np.expm1(z))
        zero = z.imag == 0
        out.real[zero] = np.expm1(z.real[zero])
        out.imag[zero] = z.imag[zero]
        return out
    if op == "reciprocal":
        # the standard: as 1 / x (NumPy's own complex reciprocal gives NaN + NaN j for 0, NumPy's divide inf + NaN j)
        return np.divide(1, args[0])
    if op == "vecdot":
        return np.sum(np.conj(args[0]) * args[1], axis=-1)
    if op.startswith("cast_"):
        return args[0].astype(op[5:])
    if op == "sign":
        return sign(args[0])
    if op == "notEqual":
        return np.not_equal(*args)
    if op == "log1p":
        return log1p(args[0])
    if op in NAMES:
        return getattr(np, NAMES[op])(*args)
    return getattr(np, op)(*args)


for line in sys.stdin:
    c = json.loads(line)
    try:
        out = {"id": c["id"], "result": enc(run(c))}
    except Exception as e:  # noqa: BLE001
        out = {"id": c["id"], "error": type(e).__name__, "message": str(e)}
    print(json.dumps(out))
