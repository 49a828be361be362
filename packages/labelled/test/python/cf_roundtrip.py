"""CF round-trip fixtures for cf-roundtrip.test.ts, made and checked with xarray.

usage:
  cf_roundtrip.py make DIR        writes every fixture store under DIR and prints
                                  [{name, path, group, consolidated}] as JSON
  cf_roundtrip.py check CASES     CASES is JSON [{name, orig, ours, group, consolidated, ours_group?}];
                                  opens both with xarray and prints
                                  [{name, ok, error}] from xarray.testing.assert_identical
"""
import json
import os
import sys

import numpy as np
import xarray as xr

T = np.array(["2000-01-01T00", "2000-01-01T06", "2000-01-02T00", "2000-01-03T12"], dtype="datetime64[ns]")


def fixtures():
    """(name, dataset, to_zarr kwargs)"""
    out = []
    # 1. packing: int16 with scale_factor, add_offset and _FillValue
    packed = xr.Dataset({"t2m": ("x", np.array([270.0, 271.5, np.nan, 300.25]), {"units": "K"})})
    out.append(("packing", packed, {"encoding": {"t2m": {"dtype": "int16", "scale_factor": 0.01, "add_offset": 273.15, "_FillValue": -32767}}}))
    # 2. _Unsigned: uint8 values stored as int8 (200 is -56 on disk)
    u = np.array([0, 1, 127, 128, 200, 255], dtype="uint8").astype("int8")
    out.append(("unsigned", xr.Dataset({"q": ("x", u, {"_Unsigned": "true", "long_name": "quality"})}), {}))
    # 3. _Unsigned with a fill value (255 on disk as -1)
    out.append(("unsigned-fill", xr.Dataset({"q": ("x", np.array([3, -1, -56, 5], dtype="int8"), {"_Unsigned": "true", "_FillValue": np.int8(-1)})}), {}))
    # 4. missing_value only (no _FillValue): int16 on disk
    mv = xr.Dataset({"p": ("x", np.array([1.0, np.nan, 3.0, 4.0]), {"units": "hPa"})})
    out.append(("missing-value-only", mv, {"encoding": {"p": {"dtype": "int16", "missing_value": -999, "_FillValue": None}}}))
    # 5. float missing_value and _FillValue together
    out.append(("fill-and-missing", xr.Dataset({"r": ("x", np.array([1.5, np.nan, 2.5], dtype="float32"))}),
                {"encoding": {"r": {"_FillValue": np.float32(-9999.0), "missing_value": np.float32(-9999.0)}}}))
    # 6. valid_range / valid_min / valid_max
    vr = xr.Dataset({
        "a": ("x", np.array([1.0, 2.0, 3.0]), {"valid_range": np.array([0.0, 10.0]), "units": "m"}),
        "b": ("x", np.array([1, 2, 3], dtype="int32"), {"valid_min": np.int32(0), "valid_max": np.int32(5)}),
    })
    out.append(("valid-range", vr, {}))
    # 7. times with units and calendar
    tm = xr.Dataset({"v": ("time", np.arange(4.0))}, coords={"time": T})
    out.append(("times-units", tm, {"encoding": {"time": {"units": "hours since 2000-01-01 00:00:00", "calendar": "standard", "dtype": "int32"}}}))
    # 8. times without encoding (xarray picks the units), with a NaT
    tn = xr.Dataset({"when": ("x", np.array(["2001-05-01", "NaT", "2001-05-03"], dtype="datetime64[ns]"))}, coords={"x": [10, 20, 30]})
    out.append(("times-nat", tn, {}))
    # 9. strings including empty, with a non-dimension string coordinate
    st = xr.Dataset({"name": ("x", np.array(["alpha", "", "γ", "d"]))}, coords={"x": [1, 2, 3, 4], "code": ("x", np.array(["", "b", "", "dd"]))})
    out.append(("strings-empty", st, {}))
    # 10. non-ASCII attributes (dataset and variable)
    na = xr.Dataset({"tas": ("x", np.array([1.0, 2.0]), {"units": "°C", "long_name": "Température à 2 m"})}, attrs={"institution": "Météo", "note": "日本"})
    out.append(("non-ascii-attrs", na, {}))
    # 11. a group, consolidated (zarr-python puts .zmetadata at the root with group keys)
    gr = xr.Dataset({"h": (("y", "x"), np.arange(6.0).reshape(2, 3), {"units": "m"})}, coords={"x": [0.5, 1.5, 2.5], "y": [1, 2]}, attrs={"title": "in a group"})
    out.append(("group-consolidated", gr, {"group": "sub/inner"}))
    # 12. a group, not consolidated
    out.append(("group-plain", gr, {"group": "g1", "consolidated": False}))
    # 13. not consolidated, booleans, int64, scalar, aux coords, attrs of several types
    mix = xr.Dataset(
        {"flag": ("x", np.array([True, False, True])), "n": ("x", np.array([1, 2, 2**40], dtype="int64")), "s": ((), 3.5)},
        coords={"x": [0, 1, 2], "lat": ("x", np.array([10.0, 20.0, 30.0]), {"standard_name": "latitude"})},
        attrs={"ints": [1, 2, 3], "f": 0.5, "flag": 1, "text": "x"},
    )
    out.append(("mixed-not-consolidated", mix, {"consolidated": False}))
    # 14. float32 with a custom _FillValue, chunked on disk
    fc = xr.Dataset({"z": (("t", "x"), np.where(np.arange(12).reshape(4, 3) % 5 == 0, np.nan, np.arange(12.0).reshape(4, 3)).astype("float32"))})
    out.append(("float-fill-chunked", fc, {"encoding": {"z": {"_FillValue": np.float32(-1e20), "chunks": (2, 2)}}}))
    return out


def make(d):
    cases = []
    for name, ds, kw in fixtures():
        path = os.path.join(d, f"{name}.zarr")
        kw = dict(kw)
        consolidated = kw.pop("consolidated", True)
        ds.to_zarr(path, mode="w", consolidated=consolidated, **kw)
        cases.append({"name": name, "path": path, "group": kw.get("group"), "consolidated": consolidated})
    return cases


def open_(path, group, consolidated):
    return xr.open_zarr(path, group=group, consolidated=consolidated).load()


CF_KEYS = ("dtype", "scale_factor", "add_offset", "_FillValue", "missing_value", "_Unsigned", "units", "calendar")


def same(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype.kind in "fc" and b.dtype.kind in "fc":
        return a.shape == b.shape and bool(np.all((a == b) | (np.isnan(a) & np.isnan(b))))
    return a.shape == b.shape and a.dtype.kind == b.dtype.kind and bool(np.all(a == b))


def encoding_diff(orig, ours):
    """CF encoding keys (xarray's view of how each variable is stored) that differ."""
    out = {}
    for name, v in orig.variables.items():
        e1 = {k: v.encoding[k] for k in CF_KEYS if k in v.encoding}
        e2 = {k: ours[name].encoding[k] for k in CF_KEYS if k in ours[name].encoding}
        if e1.keys() != e2.keys() or not all(same(e1[k], e2[k]) for k in e1):
            out[name] = {"orig": repr(e1), "ours": repr(e2)}
    return out


def attr_type_diff(orig, ours):
    """Attributes whose value type changed (assert_identical accepts 10 for 10.0)."""
    out = {}
    pairs = [("<dataset>", orig.attrs, ours.attrs)] + [(n, v.attrs, ours[n].attrs) for n, v in orig.variables.items()]
    for name, a1, a2 in pairs:
        for k, v in a1.items():
            if k in a2 and (np.asarray(v).dtype.kind != np.asarray(a2[k]).dtype.kind or not same(v, a2[k])):
                out[f"{name}.{k}"] = {"orig": repr(v), "ours": repr(a2[k])}
    return out


def check(cases):
    res = []
    for c in cases:
        try:
            orig = open_(c["orig"], c.get("group"), c.get("consolidated"))
            ours = open_(c["ours"], c.get("ours_group", c.get("group")), c.get("consolidated"))
            xr.testing.assert_identical(orig, ours)
            diff = {**encoding_diff(orig, ours), **attr_type_diff(orig, ours)}
            if diff:
                raise AssertionError(f"CF encoding differs: {diff}")
            res.append({"name": c["name"], "ok": True, "error": None})
        except Exception as e:  # report every dataset, not only the first failure
            res.append({"name": c["name"], "ok": False, "error": f"{type(e).__name__}: {e}"})
    return res


if __name__ == "__main__":
    if sys.argv[1] == "make":
        print(json.dumps(make(sys.argv[2])))
    else:
        print(json.dumps(check(json.loads(sys.argv[2]))))
