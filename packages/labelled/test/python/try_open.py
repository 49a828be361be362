"""Tries to open a Zarr store as data with xarray (open_zarr, open_dataset) and
zarr-python (open_group, open_consolidated) and prints, as JSON, what each one
did: "opened" with the data variables, or the error type.

usage: try_open.py STORE
"""
import json
import sys
import warnings

import xarray as xr
import zarr


def attempt(fn):
    try:
        return {"opened": True, "detail": fn()}
    except Exception as e:  # noqa: BLE001 - the error type is what is reported
        return {"opened": False, "detail": type(e).__name__}


def main(path):
    warnings.simplefilter("ignore")
    out = {
        "xarray_open_zarr": attempt(lambda: sorted(xr.open_zarr(path).data_vars)),
        "xarray_open_dataset": attempt(lambda: sorted(xr.open_dataset(path, engine="zarr").data_vars)),
        "zarr_open_group": attempt(lambda: sorted(zarr.open_group(path, mode="r").array_keys())),
        "zarr_open_consolidated": attempt(lambda: sorted(zarr.open_consolidated(path, mode="r").array_keys())),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
