"""Dask: the three means from da.from_zarr, computed together with dask.compute on the
threads scheduler (--workers threads). See sbs_common.py for what is measured."""
import sbs_common


def main():
    args = sbs_common.parse_args(__doc__, lambda p: p.add_argument("--workers", type=int, default=2))
    import dask
    import dask.array as da

    zu, zv = sbs_common.open_inputs(args.input_dir)
    u = da.from_zarr(zu)
    v = da.from_zarr(zv)
    uu, vv, uv = (u * u).mean(axis=0), (v * v).mean(axis=0), (u * v).mean(axis=0)
    means, measured = sbs_common.measure(lambda: dask.compute(uu, vv, uv, scheduler="threads", num_workers=args.workers))
    sbs_common.finish(args, zu, means, measured, {"name": "dask", "version": dask.__version__, "executor": f"threads ({args.workers})"})


main()
