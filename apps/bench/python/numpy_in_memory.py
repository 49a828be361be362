"""numpy, whole arrays in memory, one thread (Blosc's own threads off): u[:] and v[:] read
whole, then (u*u).mean(0), (v*v).mean(0), (u*v).mean(0). See sbs_common.py for what is
measured."""
import sbs_common


def main():
    args = sbs_common.parse_args(__doc__)
    import numcodecs
    import numpy as np

    numcodecs.blosc.use_threads = False
    zu, zv = sbs_common.open_inputs(args.input_dir)

    def compute():
        u = zu[:]
        v = zv[:]
        return (u * u).mean(axis=0), (v * v).mean(axis=0), (u * v).mean(axis=0)

    means, measured = sbs_common.measure(compute)
    sbs_common.finish(args, zu, means, measured, {"name": "numpy", "version": np.__version__, "executor": "1 thread, whole arrays in memory"})


main()
