"""Opens a Zarr store with xarray (consolidated metadata) and prints what xarray
decodes, as JSON (same layout as write_fixture.py).

usage: read_zarr.py PATH
"""
import json
import sys

import xarray as xr

from write_fixture import describe


def plain(v):
    if hasattr(v, "item") and not hasattr(v, "__len__"):
        return v.item()
    if isinstance(v, (int, float, str, bool, type(None))):
        return v
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    return str(v)

if __name__ == "__main__":
    ds = xr.open_zarr(sys.argv[1], consolidated=True).load()
    out = describe(ds)
    out["encoding"] = {
        name: {k: plain(v) for k, v in ds[name].encoding.items() if k in ("dtype", "scale_factor", "add_offset", "_FillValue", "units", "calendar", "chunks")}
        for name in ds.variables
    }
    for enc in out["encoding"].values():
        for k, v in list(enc.items()):
            if isinstance(v, float) and v != v:
                enc[k] = "NaN"
    print(json.dumps(out, default=str))
