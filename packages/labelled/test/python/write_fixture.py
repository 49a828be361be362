"""Writes small Zarr v2 datasets with xarray + zarr-python (Debian's 2023.01 / 2.13)
and prints, as JSON, what xarray itself decodes from them: the reference the
TypeScript reader is compared against.

usage: write_fixture.py OUTDIR
"""
import json
import sys

import numpy as np
import pandas as pd
import xarray as xr


def jsonable(values):
    out = []
    for v in np.asarray(values).ravel().tolist():
        if isinstance(v, float) and v != v:
            out.append(None)
        else:
            out.append(v)
    return out


def describe(ds):
    variables = {}
    for name, v in ds.variables.items():
        if np.issubdtype(v.dtype, np.datetime64):
            values = [None if pd.isnull(t) else int(t) // 1_000_000 for t in v.values.ravel().astype("datetime64[ns]").astype("int64")]
            dtype = "datetime64"
        else:
            values = jsonable(v.values)
            dtype = str(v.dtype)
        attrs = {k: (a.tolist() if hasattr(a, "tolist") else a) for k, a in v.attrs.items()}
        variables[name] = {"dims": list(v.dims), "dtype": dtype, "values": values, "attrs": attrs}
    return {
        "dims": {k: int(n) for k, n in ds.sizes.items()},
        "coords": sorted(ds.coords),
        "indexes": sorted(ds.indexes),
        "data_vars": sorted(ds.data_vars),
        "attrs": dict(ds.attrs),
        "variables": variables,
    }


def main(out):
    time = pd.date_range("2000-01-01", periods=4, freq="D")
    tas = np.arange(24, dtype="float32").reshape(4, 2, 3)
    tas[0, 0, 0] = np.nan
    packed = (np.arange(8, dtype="float64").reshape(4, 2) * 0.5 + 270.0)
    packed[1, 1] = np.nan
    ds = xr.Dataset(
        {
            "tas": (("time", "lat", "lon"), tas, {"units": "K", "long_name": "air temperature"}),
            "packed": (("time", "lat"), packed, {"long_name": "packed temperature"}),
            "count": (("time",), np.array([1, 2, 3, 4], dtype="int16")),
        },
        coords={
            "time": time,
            "lat": [10.0, 20.0],
            "lon": [100.0, 110.0, 120.0],
            "height": 2.0,
            "mask": (("lat", "lon"), np.array([[True, False, True], [False, True, True]])),
        },
        attrs={"title": "tiny", "history": "written by xarray for cubed-ts interop tests"},
    )
    encoding = {
        "tas": {"chunks": (2, 2, 3)},
        "packed": {"dtype": "int16", "scale_factor": 0.01, "add_offset": 270.0, "_FillValue": -9999},
    }
    ds.to_zarr(f"{out}/v2.zarr", mode="w", consolidated=True, encoding=encoding)
    # the same data without consolidated metadata
    ds.to_zarr(f"{out}/v2-plain.zarr", mode="w", consolidated=False, encoding=encoding)
    decoded = xr.open_zarr(f"{out}/v2.zarr", consolidated=True).load()
    print(json.dumps({"v2": describe(decoded)}))


if __name__ == "__main__":
    main(sys.argv[1])
