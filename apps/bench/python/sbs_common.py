"""Shared by the side-by-side drivers (apps/bench/src/side-by-side.ts runs each as a child).

Each driver computes mean(u*u), mean(v*v), mean(u*v) over axis 0 of u.zarr, v.zarr in one
directory, timing only the compute, and writes one JSON object (--json FILE) with what it
measured, and the three means as raw little-endian float64 (--save-means DIR: uu.f64, vv.f64,
uv.f64), so the parent can compare engines. Measured the way the cubed-ts bench measures
itself: a full garbage collection and a reset of the kernel's peak-RSS mark
(/proc/self/clear_refs) just before the compute, the whole process's peak RSS (VmHWM) and
minor/major page faults (getrusage RUSAGE_SELF: every thread) around it.
"""
import argparse
import gc
import json
import os
import platform
import resource
import sys
import time


def parse_args(description, extra=None):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--input-dir", required=True, help="directory holding u.zarr and v.zarr")
    p.add_argument("--json", required=True, help="file to write the measured numbers to")
    p.add_argument("--save-means", help="directory to write uu.f64, vv.f64, uv.f64 to")
    if extra:
        extra(p)
    return p.parse_args()


def open_inputs(input_dir):
    import zarr

    u = zarr.open_array(os.path.join(input_dir, "u.zarr"), mode="r")
    v = zarr.open_array(os.path.join(input_dir, "v.zarr"), mode="r")
    if u.shape != v.shape or u.chunks != v.chunks or len(u.shape) < 2:
        sys.exit(f"u.zarr {u.shape}/{u.chunks} and v.zarr {v.shape}/{v.chunks} in {input_dir} must have the same shape and chunks, time first")
    return u, v


def _reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _peak_rss():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def measure(compute):
    """Runs compute() once; returns (its result, what was measured)."""
    gc.collect()
    reset = _reset_peak()
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    result = compute()
    seconds = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    return result, {
        "computeSeconds": seconds,
        "peakRss": _peak_rss(),
        "peakResetBeforeCompute": reset,
        "minorFaults": r1.ru_minflt - r0.ru_minflt,
        "majorFaults": r1.ru_majflt - r0.ru_majflt,
        "cpuSeconds": (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime),
    }


def finish(args, u, means, measured, engine):
    """Writes the JSON result and (if asked) the means; means = (uu, vv, uv)."""
    import numpy as np

    if args.save_means:
        os.makedirs(args.save_means, exist_ok=True)
        for name, m in zip(("uu", "vv", "uv"), means):
            np.ascontiguousarray(m, dtype="<f8").tofile(os.path.join(args.save_means, f"{name}.f64"))
    out = {
        "engine": engine,
        "shape": list(u.shape),
        "chunks": list(u.chunks),
        "dtype": str(u.dtype),
        "compressor": repr(u.compressor),
        "inputBytes": 2 * u.nbytes,
        "python": platform.python_version(),
        "pid": os.getpid(),
        **measured,
    }
    with open(args.json, "w") as f:
        json.dump(out, f, indent=2)
        f.write("\n")
