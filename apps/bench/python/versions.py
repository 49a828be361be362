"""Prints one JSON object: the Python and library versions the side-by-side drivers use;
a library that cannot be imported is reported with the import error instead."""
import importlib
import json
import platform


def version(name):
    try:
        return {"version": getattr(importlib.import_module(name), "__version__", "unknown")}
    except Exception as e:  # noqa: BLE001 - any import failure means "not usable here"
        return {"error": f"{type(e).__name__}: {e}"}


print(json.dumps({"python": platform.python_version(), **{n: version(n) for n in ("numpy", "zarr", "numcodecs", "dask", "cubed")}}))
