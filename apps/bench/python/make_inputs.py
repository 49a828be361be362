"""Writes u.zarr and v.zarr with zarr-python (Zarr v2, zarr's default compressor: Blosc lz4,
clevel 5, byte shuffle), as docs/benchmarks.md does: float64 (t, *spatial), chunks
(time_chunk, *spatial), u from numpy.random.default_rng(1), v from default_rng(2), one time
chunk at a time. inputs.json is written last; identical inputs already there are reused.
Prints one line: "generated <dir>" or "reused <dir>"."""
import argparse
import json
import os
import shutil


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--dir", required=True)
    p.add_argument("--t", type=int, required=True)
    p.add_argument("--spatial", default="1,987,1920")
    p.add_argument("--time-chunk", type=int, default=10)
    args = p.parse_args()
    import numpy as np
    import zarr

    spatial = tuple(int(x) for x in args.spatial.split(","))
    shape = (args.t, *spatial)
    chunks = (args.time_chunk, *spatial)
    manifest = {"writer": f"zarr-python {zarr.__version__}", "shape": list(shape), "chunks": list(chunks), "seeds": [1, 2],
                "compressor": repr(zarr.storage.default_compressor)}
    mpath = os.path.join(args.dir, "inputs.json")
    try:
        with open(mpath) as f:
            if json.load(f) == manifest:
                print(f"reused {args.dir}")
                return
    except (OSError, ValueError):
        pass
    if os.path.exists(mpath):
        os.remove(mpath)
    os.makedirs(args.dir, exist_ok=True)
    for name, seed in (("u", 1), ("v", 2)):
        path = os.path.join(args.dir, f"{name}.zarr")
        shutil.rmtree(path, ignore_errors=True)
        z = zarr.open(path, mode="w", shape=shape, chunks=chunks, dtype="f8")
        rng = np.random.default_rng(seed)
        for i in range(0, args.t, args.time_chunk):
            n = min(args.time_chunk, args.t - i)
            z[i : i + n] = rng.random((n, *spatial))
    with open(mpath, "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    print(f"generated {args.dir}")


main()
