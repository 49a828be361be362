"""Prints, as JSON, the chunks xarray gives each data variable of a Zarr store
when opened with open_zarr (default: on-disk chunks), open_zarr(chunks=None)
and open_dataset (default chunks=None: not chunked), and the dims of the store.

usage: open_chunks.py STORE
"""
import json
import sys
import warnings

import xarray as xr


def chunks_of(ds):
    return {name: (None if v.chunks is None else [list(c) for c in v.chunks]) for name, v in ds.data_vars.items()}


def main(path):
    warnings.simplefilter("ignore")
    out = {
        "open_zarr": chunks_of(xr.open_zarr(path)),
        "open_zarr_none": chunks_of(xr.open_zarr(path, chunks=None)),
        "open_dataset": chunks_of(xr.open_dataset(path, engine="zarr")),
        "open_dataset_time2": chunks_of(xr.open_dataset(path, engine="zarr", chunks={"time": 2})),
        "dims": sorted(xr.open_zarr(path).sizes),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
