"""numpy, chunk-streamed: one (u, v) chunk pair at a time along time, one thread (Blosc's
own threads off), the three sums accumulated in place, divided by t at the end. See
sbs_common.py for what is measured."""
import sbs_common


def main():
    args = sbs_common.parse_args(__doc__)
    import numcodecs
    import numpy as np

    numcodecs.blosc.use_threads = False
    u, v = sbs_common.open_inputs(args.input_dir)
    t, step = u.shape[0], u.chunks[0]

    def compute():
        uu = np.zeros(u.shape[1:])
        vv = np.zeros(u.shape[1:])
        uv = np.zeros(u.shape[1:])
        scratch = None
        for i in range(0, t, step):
            a = u[i : i + step]
            b = v[i : i + step]
            if scratch is None or scratch.shape != a.shape:
                scratch = np.empty_like(a)
            np.multiply(a, a, out=scratch)
            uu += scratch.sum(axis=0)
            np.multiply(b, b, out=scratch)
            vv += scratch.sum(axis=0)
            np.multiply(a, b, out=scratch)
            uv += scratch.sum(axis=0)
        return uu / t, vv / t, uv / t

    means, measured = sbs_common.measure(compute)
    sbs_common.finish(args, u, means, measured, {"name": "numpy", "version": np.__version__, "executor": "1 thread, chunk-streamed"})


main()
