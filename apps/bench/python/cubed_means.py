"""Cubed (Python): the three means from cubed.from_zarr, computed together with
cubed.compute on its ThreadsExecutor (--workers threads), Spec(allowed_mem=--allowed-mem).
Run by the side-by-side only where `import cubed` works (never on the project's machines,
which have no PyPI). See sbs_common.py for what is measured."""
import sbs_common


def main():
    def extra(p):
        p.add_argument("--workers", type=int, default=2)
        p.add_argument("--allowed-mem", default="2GB")
        p.add_argument("--work-dir", required=True)

    args = sbs_common.parse_args(__doc__, extra)
    import cubed
    from cubed.runtime.executors.local import ThreadsExecutor

    # the array API functions are in the cubed namespace in recent releases, cubed.array_api in older ones
    xp = cubed if hasattr(cubed, "mean") else __import__("cubed.array_api", fromlist=["mean"])
    spec = cubed.Spec(work_dir=args.work_dir, allowed_mem=args.allowed_mem)
    zu, _ = sbs_common.open_inputs(args.input_dir)
    u = cubed.from_zarr(f"{args.input_dir}/u.zarr", spec=spec)
    v = cubed.from_zarr(f"{args.input_dir}/v.zarr", spec=spec)
    uu, vv, uv = xp.mean(u * u, axis=0), xp.mean(v * v, axis=0), xp.mean(u * v, axis=0)
    executor = ThreadsExecutor(max_workers=args.workers)
    means, measured = sbs_common.measure(lambda: cubed.compute(uu, vv, uv, executor=executor))
    sbs_common.finish(args, zu, means, measured, {"name": "cubed", "version": cubed.__version__, "executor": f"threads ({args.workers})"})


main()
