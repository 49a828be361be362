"""An independent Zarr v3 reader (numpy + numcodecs, no zarr-python: Debian's 2.13 cannot
read v3), for checking what cubed-ts writes as v3 against xarray.

It follows the Zarr v3 core spec, not cubed-ts's code: each array's zarr.json; chunk key
encodings "default" and "v2" with their separators; codecs transpose, bytes (either
endianness), vlen-utf8, gzip, zstd, blosc, crc32c (CRC-32C computed here), sharding_indexed
(index at the end or start, its index codecs verified); fill_value incl. "NaN"/"Infinity"
and hex bit patterns; missing chunks read as fill_value. A dataset is assembled the way
xarray's zarr backend does for v3 (dimension_names, the base64 `_FillValue` attribute),
then decoded with xarray.decode_cf.

usage:
  read_zarr_v3.py check CASES   CASES is JSON [{name, orig, ours, group?, ours_group?, consolidated?}]:
                                orig is opened by xarray (zarr-python 2.13, v2), ours by this reader;
                                prints [{name, ok, error}] from xarray.testing.assert_identical
                                plus dtype, encoding and attribute-type checks
  read_zarr_v3.py selftest DIR   hand-encoded arrays for every codec/key/fill form above → [{case, ok, error}]
  read_zarr_v3.py dump STORE [GROUP]
                                prints {var: {dims, dtype, values, attrs}} of the decoded dataset
                                (times as ISO strings, NaN/NaT as null)
"""
import base64
import gzip
import json
import os
import struct
import sys

import numpy as np
import xarray as xr
from numcodecs import Blosc, VLenUTF8, Zstd

# --- CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) ----------------------------------

_CRC_TABLE = []
for _i in range(256):
    _c = _i
    for _ in range(8):
        _c = (_c >> 1) ^ 0x82F63B78 if _c & 1 else _c >> 1
    _CRC_TABLE.append(_c)


def crc32c(data):
    c = 0xFFFFFFFF
    for b in bytes(data):
        c = _CRC_TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


assert crc32c(b"123456789") == 0xE3069283  # the standard check value


class ChecksumError(Exception):
    pass


# --- data types and fill values ---------------------------------------------------------

NUMERIC = {
    "bool": "?", "int8": "i1", "int16": "i2", "int32": "i4", "int64": "i8",
    "uint8": "u1", "uint16": "u2", "uint32": "u4", "uint64": "u8",
    "float16": "f2", "float32": "f4", "float64": "f8",
}


def numpy_dtype(data_type):
    """(numpy dtype, is_string) of a v3 data_type."""
    if isinstance(data_type, str):
        if data_type == "string":
            return np.dtype(object), True
        if data_type in NUMERIC:
            return np.dtype(NUMERIC[data_type]), False
    if isinstance(data_type, dict) and data_type.get("name") in ("numpy.datetime64", "numpy.timedelta64"):
        conf = data_type.get("configuration", {})
        kind = "M" if data_type["name"] == "numpy.datetime64" else "m"
        scale = int(conf.get("scale_factor", 1))
        return np.dtype(f"{kind}8[{'' if scale == 1 else scale}{conf['unit']}]"), False
    raise ValueError(f"unsupported data_type {data_type!r}")


def fill_scalar(fill, dtype):
    if dtype == object:
        return "" if fill is None else fill
    if fill is None:
        return np.zeros((), dtype)[()]
    if dtype.kind in "Mm":
        return np.array(fill, "i8").view(dtype)[()] if fill != "NaT" else np.array("NaT", dtype)[()]
    if dtype.kind == "f":
        if isinstance(fill, str):
            if fill.startswith("0x"):
                raw = int(fill, 16).to_bytes(dtype.itemsize, "big")
                return np.frombuffer(raw, dtype.newbyteorder(">"))[0].astype(dtype)
            return dtype.type({"NaN": np.nan, "Infinity": np.inf, "-Infinity": -np.inf}[fill])
        return dtype.type(fill)
    return dtype.type(fill)


# --- codecs -----------------------------------------------------------------------------


def bytes_to_bytes_decode(codecs, data):
    """Runs the bytes→bytes codecs backwards."""
    for c in reversed(codecs):
        name = c["name"]
        if name == "gzip":
            data = gzip.decompress(data)
        elif name == "zstd":
            data = Zstd().decode(data)
        elif name == "blosc":
            data = Blosc().decode(data)
        elif name == "crc32c":
            body, stored = data[:-4], struct.unpack("<I", data[-4:])[0]
            if crc32c(body) != stored:
                raise ChecksumError(f"crc32c mismatch: stored {stored:#010x}, computed {crc32c(body):#010x}")
            data = body
        else:
            raise ValueError(f"unsupported bytes-to-bytes codec {name!r}")
    return bytes(data)


def decode_chunk(codecs, data, chunk_shape, dtype, is_str, fill):
    """Decodes one encoded chunk into a numpy array of chunk_shape (C order)."""
    a2a, a2b, b2b = [], None, []
    for c in codecs:
        if c["name"] == "transpose":
            a2a.append(c)
        elif c["name"] in ("bytes", "vlen-utf8", "sharding_indexed"):
            a2b = c
        else:
            b2b.append(c)
    # the shape the array→bytes codec sees, after the array→array codecs
    shape = list(chunk_shape)
    for t in a2a:
        shape = [shape[o] for o in t["configuration"]["order"]]
    if a2b["name"] == "sharding_indexed":
        arr = decode_shard(a2b["configuration"], data, shape, dtype, is_str, fill)
    else:
        raw = bytes_to_bytes_decode(b2b, data)
        if a2b["name"] == "vlen-utf8":
            arr = VLenUTF8().decode(raw).reshape(shape)
        else:
            endian = (a2b.get("configuration") or {}).get("endian", "little")
            dt = dtype if dtype.itemsize == 1 else dtype.newbyteorder("<" if endian == "little" else ">")
            if dtype.kind in "Mm":
                arr = np.frombuffer(raw, dt.str[0] + "i8").astype("i8").view(dtype).reshape(shape)
            else:
                arr = np.frombuffer(raw, dt).astype(dtype).reshape(shape)
    for t in reversed(a2a):
        arr = np.transpose(arr, np.argsort(t["configuration"]["order"]))
    return arr


def decode_shard(conf, data, shard_shape, dtype, is_str, fill):
    inner = conf["chunk_shape"]
    per = [s // c for s, c in zip(shard_shape, inner)]
    n = int(np.prod(per)) if per else 1
    index_codecs = conf.get("index_codecs", [{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "crc32c"}])
    index_size = 16 * n + (4 if any(c["name"] == "crc32c" for c in index_codecs) else 0)
    at_end = conf.get("index_location", "end") == "end"
    raw_index = data[-index_size:] if at_end else data[:index_size]
    index = decode_chunk(index_codecs, raw_index, per + [2], np.dtype("u8"), False, None)
    out = np.empty(shard_shape, dtype)
    out[...] = fill
    for pos in np.ndindex(*per):
        off, nbytes = (int(v) for v in index[pos])
        if off == 2**64 - 1 and nbytes == 2**64 - 1:
            continue  # absent: fill_value
        if off + nbytes > len(data):
            raise ValueError(f"shard index entry {pos} points past the shard ({off}+{nbytes} > {len(data)})")
        sl = tuple(slice(p * c, (p + 1) * c) for p, c in zip(pos, inner))
        out[sl] = decode_chunk(conf["codecs"], data[off:off + nbytes], inner, dtype, is_str, fill)
    return out


# --- arrays and groups ------------------------------------------------------------------


def chunk_key(meta, coords):
    enc = meta.get("chunk_key_encoding", {"name": "default"})
    sep = (enc.get("configuration") or {}).get("separator", "/" if enc["name"] == "default" else ".")
    if enc["name"] == "default":
        return sep.join(["c", *map(str, coords)])
    if enc["name"] == "v2":
        return sep.join(map(str, coords)) if coords else "0"
    raise ValueError(f"unsupported chunk_key_encoding {enc!r}")


def read_array(array_dir, meta=None):
    """(numpy array, metadata) of the v3 array stored in directory array_dir."""
    if meta is None:
        with open(os.path.join(array_dir, "zarr.json")) as f:
            meta = json.load(f)
    if meta.get("zarr_format") != 3 or meta.get("node_type") != "array":
        raise ValueError(f"{array_dir} is not a Zarr v3 array")
    if meta.get("storage_transformers"):
        raise ValueError("storage transformers are not supported")
    dtype, is_str = numpy_dtype(meta["data_type"])
    fill = fill_scalar(meta.get("fill_value"), dtype)
    shape = meta["shape"]
    grid = meta["chunk_grid"]
    if grid["name"] != "regular":
        raise ValueError(f"unsupported chunk grid {grid['name']!r}")
    chunk_shape = grid["configuration"]["chunk_shape"]
    out = np.empty(shape, dtype)
    out[...] = fill
    counts = [-(-s // c) for s, c in zip(shape, chunk_shape)]
    for coords in np.ndindex(*counts):
        path = os.path.join(array_dir, *chunk_key(meta, coords).split("/"))
        if not os.path.exists(path):
            continue  # a missing chunk is fill_value
        with open(path, "rb") as f:
            data = f.read()
        chunk = decode_chunk(meta["codecs"], data, chunk_shape, dtype, is_str, fill)
        dst = tuple(slice(k * c, min((k + 1) * c, s)) for k, c, s in zip(coords, chunk_shape, shape))
        src = tuple(slice(0, d.stop - d.start) for d in dst)
        out[dst] = chunk[src]
    return out, meta


def v3_fill_attr(value, dtype):
    """xarray's v3 `_FillValue` attribute (FillValueCoder): base64 float64 for floats, JSON otherwise."""
    if isinstance(value, str) and dtype.kind == "f":
        return dtype.type(np.frombuffer(base64.standard_b64decode(value), "<f8")[0])
    return value


def open_group(store, group=None):
    """The raw (CF-encoded) xarray.Dataset of a v3 group, as xarray's zarr backend builds it."""
    gdir = os.path.join(store, *(group.split("/") if group else []))
    with open(os.path.join(gdir, "zarr.json")) as f:
        gmeta = json.load(f)
    if gmeta.get("zarr_format") != 3 or gmeta.get("node_type") != "group":
        raise ValueError(f"{gdir} is not a Zarr v3 group")
    names = sorted(n for n in os.listdir(gdir) if os.path.exists(os.path.join(gdir, n, "zarr.json")))
    variables = {}
    for name in names:
        with open(os.path.join(gdir, name, "zarr.json")) as f:
            meta = json.load(f)
        if meta.get("node_type") != "array":
            continue
        data, meta = read_array(os.path.join(gdir, name), meta)
        dims = meta.get("dimension_names")
        if dims is None or len(dims) != data.ndim or any(d is None for d in dims):
            raise ValueError(f"{name}: dimension_names {dims!r} do not name every dimension")
        attrs = dict(meta.get("attributes", {}))
        attrs.pop("_ARRAY_DIMENSIONS", None)
        if "_FillValue" in attrs:
            attrs["_FillValue"] = v3_fill_attr(attrs["_FillValue"], data.dtype)
        variables[name] = xr.Variable(dims, data, attrs)
    return xr.Dataset(variables, attrs=gmeta.get("attributes", {}))


def open_decoded(store, group=None):
    return xr.decode_cf(open_group(store, group))


# --- checks -----------------------------------------------------------------------------


def kind(dtype):
    """Strings compare as one kind (fixed-width <U from v2, object from vlen-utf8)."""
    return "str" if dtype.kind in "UO" else dtype.kind


def check(cases):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from cf_roundtrip import CF_KEYS, attr_type_diff, open_, same

    def encoding_diff(orig, ours):
        """CF encoding keys that differ; a string's on-disk dtype is <U (v2) vs vlen (v3) by design."""
        out = {}
        for name, v in orig.variables.items():
            keys = [k for k in CF_KEYS if not (k == "dtype" and kind(v.dtype) == "str")]
            e1 = {k: v.encoding[k] for k in keys if k in v.encoding}
            e2 = {k: ours[name].encoding[k] for k in keys if k in ours[name].encoding}
            if e1.keys() != e2.keys() or not all(same(e1[k], e2[k]) for k in e1):
                out[name] = {"orig": repr(e1), "ours": repr(e2)}
        return out

    res = []
    for c in cases:
        try:
            orig = open_(c["orig"], c.get("group"), c.get("consolidated"))
            ours = open_decoded(c["ours"], c.get("ours_group", c.get("group")))
            xr.testing.assert_identical(orig, ours)
            dtypes = {n: (str(v.dtype), str(ours[n].dtype)) for n, v in orig.variables.items() if kind(v.dtype) != kind(ours[n].dtype) or (kind(v.dtype) != "str" and v.dtype != ours[n].dtype)}
            if dtypes:
                raise AssertionError(f"dtypes differ (orig, ours): {dtypes}")
            diff = {**encoding_diff(orig, ours), **attr_type_diff(orig, ours)}
            if diff:
                raise AssertionError(f"CF encoding differs: {diff}")
            res.append({"name": c["name"], "ok": True, "error": None})
        except Exception as e:  # report every dataset, not only the first failure
            res.append({"name": c["name"], "ok": False, "error": f"{type(e).__name__}: {e}"})
    return res


def jsonable(v):
    a = np.asarray(v)
    if a.dtype.kind == "M":
        return [None if np.isnat(x) else str(np.datetime_as_string(x, unit="ms")) for x in a.ravel()]
    if a.dtype.kind == "f":
        return [None if np.isnan(x) else float(x) for x in a.ravel()]
    if a.dtype.kind in "iu":
        return [int(x) for x in a.ravel()]
    if a.dtype.kind == "b":
        return [bool(x) for x in a.ravel()]
    return [str(x) for x in a.ravel()]


def dump(store, group=None):
    ds = open_decoded(store, group)
    out = {}
    for n, v in ds.variables.items():
        attrs = {k: (a.tolist() if isinstance(a, np.ndarray) else a.item() if isinstance(a, np.generic) else a) for k, a in v.attrs.items()}
        out[n] = {"dims": list(v.dims), "dtype": str(v.dtype), "values": jsonable(v.values), "attrs": attrs}
    return out


def selftest(d):
    """Hand-encoded v3 arrays (numpy bytes + numcodecs/gzip/crc32c here) for every codec, key
    encoding and fill form the reader claims; returns [{case, ok, error}]."""
    res = []
    data = np.arange(24, dtype="<i4").reshape(4, 6) * 3 - 20

    def write(name, meta, chunks):
        adir = os.path.join(d, name)
        os.makedirs(adir, exist_ok=True)
        with open(os.path.join(adir, "zarr.json"), "w") as f:
            json.dump({"zarr_format": 3, "node_type": "array", **meta}, f)
        for key, b in chunks.items():
            p = os.path.join(adir, *key.split("/"))
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "wb") as f:
                f.write(b)
        return adir

    def base(dtype, chunk, codecs, fill=0, **kw):
        return {"shape": [4, 6], "data_type": dtype, "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": chunk}},
                "fill_value": fill, "codecs": codecs, "dimension_names": ["y", "x"], "attributes": {}, **kw}

    def blocks(arr, chunk):
        for i in range(0, arr.shape[0], chunk[0]):
            for j in range(0, arr.shape[1], chunk[1]):
                b = np.full(chunk, 0, arr.dtype)
                part = arr[i:i + chunk[0], j:j + chunk[1]]
                b[:part.shape[0], :part.shape[1]] = part
                yield (i // chunk[0], j // chunk[1]), b

    def with_crc(b):
        return b + struct.pack("<I", crc32c(b))

    cases = {}
    # big-endian bytes + gzip, default keys with "." separator, chunks not dividing the shape
    cases["bytes-big-gzip-dot-keys"] = (base("int32", [3, 4], [{"name": "bytes", "configuration": {"endian": "big"}}, {"name": "gzip", "configuration": {"level": 1}}],
                                             chunk_key_encoding={"name": "default", "configuration": {"separator": "."}}),
                                        {f"c.{i}.{j}": gzip.compress(b.astype(">i4").tobytes()) for (i, j), b in blocks(data, [3, 4])}, data)
    # transpose [1, 0] + blosc + crc32c, v2 keys
    cases["transpose-blosc-crc32c-v2-keys"] = (base("int32", [2, 3], [{"name": "transpose", "configuration": {"order": [1, 0]}}, {"name": "bytes", "configuration": {"endian": "little"}},
                                                                    {"name": "blosc", "configuration": {"cname": "lz4", "clevel": 5, "shuffle": "shuffle", "typesize": 4}}, {"name": "crc32c"}],
                                                    chunk_key_encoding={"name": "v2", "configuration": {"separator": "."}}),
                                               {f"{i}.{j}": with_crc(Blosc(cname="lz4").encode(np.ascontiguousarray(b.T).tobytes())) for (i, j), b in blocks(data, [2, 3])}, data)
    # zstd; a missing chunk reads as the hex float fill value (0x7fc00000: NaN) / "-Infinity"
    f = data.astype("float32")
    exp = f.copy()
    exp[2:, 3:] = np.nan
    cases["zstd-missing-hex-fill"] = (base("float32", [2, 3], [{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "zstd", "configuration": {"level": 1}}], fill="0x7fc00000"),
                                      {f"c/{i}/{j}": Zstd().encode(b.tobytes()) for (i, j), b in blocks(f, [2, 3]) if (i, j) != (1, 1)}, exp)
    exp2 = f.copy()
    exp2[:2, :3] = -np.inf
    cases["missing-infinity-fill"] = (base("float32", [2, 3], [{"name": "bytes", "configuration": {"endian": "little"}}], fill="-Infinity"),
                                      {f"c/{i}/{j}": b.tobytes() for (i, j), b in blocks(f, [2, 3]) if (i, j) != (0, 0)}, exp2)
    # sharding, index at the start, one inner chunk absent (fill 7)
    inner = {(i, j): b for (i, j), b in blocks(data, [2, 3])}
    parts, index, off = b"", [], 16 * 4 + 4
    for pos in [(0, 0), (0, 1), (1, 0), (1, 1)]:
        if pos == (1, 0):
            index += [2**64 - 1, 2**64 - 1]
            continue
        enc = gzip.compress(inner[pos].tobytes())
        index += [off + len(parts), len(enc)]
        parts += enc
    shard = with_crc(np.array(index, "<u8").tobytes()) + parts
    exp3 = data.copy()
    exp3[2:, :3] = 7
    sharding = {"name": "sharding_indexed", "configuration": {"chunk_shape": [2, 3], "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "gzip", "configuration": {"level": 1}}],
                                                             "index_codecs": [{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "crc32c"}], "index_location": "start"}}
    cases["sharding-index-start"] = (base("int32", [4, 6], [sharding], fill=7), {"c/0/0": shard}, exp3)
    # numpy.datetime64 (zarr-python 3's extension type), NaT in the data
    t = np.array(["2000-01-01T00:00:00", "NaT", "2001-02-03T04:05:06", "1969-12-31T23:59:59"], "M8[s]")
    cases["numpy-datetime64"] = ({"shape": [4], "data_type": {"name": "numpy.datetime64", "configuration": {"unit": "s", "scale_factor": 1}},
                                  "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [4]}}, "fill_value": -9223372036854775808,
                                  "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}], "dimension_names": ["t"], "attributes": {}},
                                 {"c/0": t.view("<i8").tobytes()}, t)
    for name, (meta, chunks, expected) in cases.items():
        try:
            got, _ = read_array(write(name, meta, chunks))
            if got.dtype != expected.dtype or got.shape != expected.shape:
                raise AssertionError(f"got {got.dtype} {got.shape}, expected {expected.dtype} {expected.shape}")
            np.testing.assert_array_equal(got, expected)
            res.append({"case": name, "ok": True, "error": None})
        except Exception as e:
            res.append({"case": name, "ok": False, "error": f"{type(e).__name__}: {e}"})
    return res


if __name__ == "__main__":
    if sys.argv[1] == "selftest":
        print(json.dumps(selftest(sys.argv[2])))
    elif sys.argv[1] == "check":
        print(json.dumps(check(json.loads(sys.argv[2]))))
    elif sys.argv[1] == "dump":
        print(json.dumps(dump(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)))
    else:
        raise SystemExit(__doc__)
