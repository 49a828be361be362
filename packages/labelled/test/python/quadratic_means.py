"""The quadratic-means workload's input, written by xarray as the notebook's data
(anom_u, anom_v with dims (time, face, j, i), chunked (2, 1, -1, -1)), and the
expected result computed with plain numpy.

usage: quadratic_means.py OUTDIR
"""
import json
import sys

import numpy as np
import xarray as xr

if __name__ == "__main__":
    out = sys.argv[1]
    rng = np.random.default_rng(20260801)
    shape = (6, 1, 4, 5)
    u = rng.standard_normal(shape)
    v = rng.standard_normal(shape)
    ds = xr.Dataset({"anom_u": (("time", "face", "j", "i"), u), "anom_v": (("time", "face", "j", "i"), v)})
    enc = {name: {"chunks": (2, 1, 4, 5)} for name in ds.data_vars}
    ds.to_zarr(f"{out}/uv.zarr", mode="w", consolidated=True, encoding=enc)
    expected = {
        "anom_u": (u ** 2).mean(axis=0).ravel().tolist(),
        "anom_v": (v ** 2).mean(axis=0).ravel().tolist(),
        "uv": (u * v).mean(axis=0).ravel().tolist(),
        "shape": list(shape[1:]),
    }
    print(json.dumps(expected))
