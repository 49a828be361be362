// 25 cross-check behaviours of xarray's conventions, each with the
// expected results xarray gives, run on both backends: "eager" (in-memory
// NDArrays) and "cubed" (lazy @cubed-ts/core arrays, chunked by 2).

import { describe, expect, it } from "vitest";
import {
  AlignmentError, DataArray, Dataset, KeyError, MergeError, Variable, align, concat, dateRange, isLabelledError,
  merge, slice, variableBinary,
} from "../src/index.js";
import { BACKENDS, expectClose, flat, isLazy, on, vals } from "./helpers.js";

const range = (n: number, start = 0): number[] => Array.from({ length: n }, (_, i) => i + start);

describe.each(BACKENDS)("conventions §4 on the %s backend", (backend) => {
  const lazy = backend === "cubed";

  it("1. broadcast by name: a(x,y) + b(y) → (x,y), a[i,j] + b[j]", async () => {
    const a = on(backend, new DataArray([[1, 2, 3], [4, 5, 6]], { dims: ["x", "y"] }));
    const b = on(backend, new DataArray([10, 20, 30], { dims: ["y"] }));
    const r = a.add(b);
    expect(r.dims).toEqual(["x", "y"]);
    expect(isLazy(r)).toBe(lazy);
    expect(await vals(r)).toEqual([[11, 22, 33], [14, 25, 36]]);
  });

  it("2. result dims are in order of first appearance", async () => {
    const a = on(backend, new DataArray([[1, 2, 3], [4, 5, 6]], { dims: ["x", "y"] }));
    const b = on(backend, new DataArray([10, 20, 30], { dims: ["y"] }));
    const ba = b.add(a);
    expect(ba.dims).toEqual(["y", "x"]);
    expect(await vals(ba)).toEqual([[11, 14], [22, 25], [33, 36]]);
    const c = on(backend, new DataArray([1, 2], { dims: ["x"] }));
    const d = on(backend, new DataArray([1, 10, 100], { dims: ["y"] }));
    const cd = c.mul(d);
    expect(cd.dims).toEqual(["x", "y"]);
    expect(cd.shape).toEqual([2, 3]);
    expect(await vals(cd)).toEqual([[1, 10, 100], [2, 20, 200]]);
    const v1 = on(backend, new DataArray(new Array(2).fill(0).map(() => [[1, 2]]), { dims: ["b", "c", "d"] })).variable;
    const v2 = on(backend, new DataArray([[1, 1], [2, 2], [3, 3]], { dims: ["a", "b"] })).variable;
    const prod = variableBinary("multiply", v1, v2);
    expect(prod.dims).toEqual(["b", "c", "d", "a"]);
    expect(prod.shape).toEqual([2, 1, 2, 3]);
  });

  it("3. inner-join alignment: x=[1..4], values [1,1,1,1], int64 (no NaN, no promotion)", async () => {
    const p = on(backend, new DataArray(range(5), { dims: "x", coords: { x: range(5) } }));
    const q = on(backend, new DataArray(range(5), { dims: "x", coords: { x: range(5, 1) } }));
    const r = p.sub(q);
    expect(await flat(r.get("x"))).toEqual([1, 2, 3, 4]);
    expect(await vals(r)).toEqual([1, 1, 1, 1]);
    expect(r.dtype).toBe("int64");
  });

  it("4. disjoint indexes give an empty result", async () => {
    const a = on(backend, new DataArray(range(4), { dims: "x", coords: { x: range(4) } }));
    const r = a.isel({ x: slice(0, 2) }).add(a.isel({ x: slice(2, null) }));
    expect(r.sizes).toEqual({ x: 0 });
    expect(await vals(r)).toEqual([]);
  });

  it("5. outer align fills NaN and promotes; left; exact fails", async () => {
    const p = on(backend, new DataArray(range(5), { dims: "x", coords: { x: range(5) } }));
    const q = on(backend, new DataArray(range(5), { dims: "x", coords: { x: range(5, 1) } }));
    const [p2, q2] = align([p, q], { join: "outer" });
    expect(await flat(p2!.get("x"))).toEqual([0, 1, 2, 3, 4, 5]);
    expect(p2!.dtype).toBe("float64");
    expectClose(await flat(p2!), [0, 1, 2, 3, 4, NaN]);
    expectClose(await flat(q2!), [NaN, 0, 1, 2, 3, 4]);
    const [, ql] = align([p, q], { join: "left" });
    expectClose(await flat(ql!), [NaN, 0, 1, 2, 3]);
    expect(() => align([p, q], { join: "exact" })).toThrow(/cannot align objects with join='exact'/);
  });

  it("6. conflicting sizes without an index are an AlignmentError", () => {
    const a = on(backend, new DataArray([1, 2, 3], { dims: "x" }));
    const b = on(backend, new DataArray([1, 2], { dims: "x" }));
    let err: unknown;
    try {
      a.add(b);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AlignmentError);
    expect((err as Error).message).toBe("cannot reindex or align along dimension 'x' because of conflicting dimension sizes: {2, 3}");
  });

  it("7. skipna defaults to true for floats", async () => {
    const a = on(backend, new DataArray([1, NaN, 3], { dims: "x" }));
    expect(await vals(a.mean())).toBe(2);
    expect(await vals(a.mean({ skipna: false }))).toBeNaN();
  });

  it("8. all-NaN reductions: sum 0, sum(minCount=1) NaN, mean NaN", async () => {
    const a = on(backend, new DataArray([NaN, NaN], { dims: "x" }));
    expect(await vals(a.sum())).toBe(0);
    expect(await vals(a.sum({ minCount: 1 }))).toBeNaN();
    expect(await vals(a.mean())).toBeNaN();
  });

  it("9. ddof", async () => {
    const a = on(backend, new DataArray([1, 2, 3, 4], { dims: "x" }));
    expectClose([(await vals(a.std())) as number], [1.118034]);
    expectClose([(await vals(a.std({ ddof: 1 }))) as number], [1.290994]);
    expectClose([(await vals(a.var())) as number], [1.25]);
  });

  it("10. reduction dtypes", async () => {
    const i32 = on(backend, new DataArray(new Int32Array([1, 2, 3, 4]), { dims: "x" }));
    expect(i32.mean().dtype).toBe("float64");
    expect(i32.sum().dtype).toBe("int64");
    expect(i32.max().dtype).toBe("int32");
    expect(await vals(i32.max())).toBe(4);
    const b = on(backend, new DataArray([true, false, true], { dims: "x" }));
    expect(await vals(b.sum())).toBe(2);
    expect(await vals(on(backend, new DataArray([1, 2], { dims: "x" })).mean())).toBe(1.5);
  });

  it("11. name propagation", () => {
    const a = on(backend, new DataArray([1, 2, 3], { dims: "x", coords: { x: [0, 1, 2] }, name: "a" }));
    const b = on(backend, new DataArray([1, 2, 3], { dims: "x", coords: { x: [0, 1, 2] }, name: "b" }));
    expect(a.add(1).name).toBe("a");
    expect(a.add(a).name).toBe("a");
    expect(a.add(a.rename("z")).name).toBeNull();
    expect(a.add(b).name).toBeNull();
    expect(a.add(a.get("x")).name).toBeNull();
  });

  it("12. coordinates after reduction; attrs kept (keepAttrs=false → {})", () => {
    const a = on(backend, new DataArray([[1, 2, 3], [4, 5, 6]], {
      dims: ["x", "y"], coords: { x: [10, 20], y: [0, 1, 2] }, name: "a", attrs: { units: "m" },
    }));
    const m = a.mean("x");
    expect(m.dims).toEqual(["y"]);
    expect(m.coords.names).toEqual(["y"]);
    expect(m.name).toBe("a");
    expect(m.attrs).toEqual({ units: "m" });
    expect(a.mean("x", { keepAttrs: false }).attrs).toEqual({});
  });

  it("13. attrs in binary ops: conflicts dropped, scalar keeps", () => {
    const a = on(backend, new DataArray([1, 2], { dims: "x", attrs: { units: "m", source: "a" } }));
    const b = on(backend, new DataArray([3, 4], { dims: "x", attrs: { units: "m", source: "b" } }));
    expect(a.add(b).attrs).toEqual({ units: "m" });
    expect(a.mul(2).attrs).toEqual({ units: "m", source: "a" });
  });

  it("14. isel: an int drops the dim (scalar coord kept), slices keep it, -1 is the last", async () => {
    const a = on(backend, new DataArray([[1, 2, 3], [4, 5, 6]], { dims: ["x", "y"], coords: { x: [10.0, 20.0] } }));
    const r = a.isel({ x: 0 });
    expect(r.dims).toEqual(["y"]);
    expect(r.coords.names).toContain("x");
    expect(r.get("x").dims).toEqual([]);
    expect(await vals(r.get("x"))).toBe(10.0);
    expect(await vals(r)).toEqual([1, 2, 3]);
    expect(a.isel({ x: slice(0, 1) }).dims).toEqual(["x", "y"]);
    expect(await vals(a.isel({ x: -1 }).get("x"))).toBe(20);
  });

  it("15. sel with slices is label-inclusive; decreasing indexes; partial dates", async () => {
    const inc = on(backend, new DataArray([0, 1, 2, 3, 4], { dims: "x", coords: { x: [0, 1, 2, 3, 4] } }));
    expect(await vals(inc.sel({ x: slice(1, 3) }))).toEqual([1, 2, 3]);
    const dec = on(backend, new DataArray([4, 3, 2, 1, 0], { dims: "x", coords: { x: [4, 3, 2, 1, 0] } }));
    expect(await vals(dec.sel({ x: slice(3, 1) }))).toEqual([3, 2, 1]);
    expect(dec.sel({ x: slice(1, 3) }).sizes).toEqual({ x: 0 });
    const days = dateRange("2000-01-01", { periods: 366, freq: "D" });
    const ts = on(backend, new DataArray(range(366), { dims: "time", coords: { time: days } }));
    expect(ts.sel({ time: "2000-02" }).sizes.time).toBe(29);
    const win = ts.sel({ time: slice("2000-01-10", "2000-01-12") });
    expect(await flat(win.get("time").dt.day)).toEqual([10, 11, 12]);
    expect(await vals(win)).toEqual([9, 10, 11]);
  });

  it("16. sel with a method: nearest (ties to the larger label), pad/backfill, tolerance", async () => {
    const a = on(backend, new DataArray([0, 10, 20, 30, 40], { dims: "x", coords: { x: [0, 1, 2, 3, 4] } }));
    expect(await vals(a.sel({ x: 2.4 }, { method: "nearest" }).get("x"))).toBe(2);
    expect(await vals(a.sel({ x: 2.6 }, { method: "nearest" }).get("x"))).toBe(3);
    expect(await vals(a.sel({ x: 2.5 }, { method: "nearest" }).get("x"))).toBe(3);
    expect(() => a.sel({ x: 2.4 })).toThrow(KeyError);
    expect(() => a.sel({ x: 2.4 })).toThrow(/not all values found in index 'x'.*method/);
    expect(() => a.sel({ x: 9 }, { method: "nearest", tolerance: 1 })).toThrow(KeyError);
    expect(await vals(a.sel({ x: 1.9 }, { method: "pad" }))).toBe(10);
    expect(await vals(a.sel({ x: 1.1 }, { method: "backfill" }))).toBe(20);
    expect(await vals(a.sel({ x: 1.6 }, { method: "backfill", tolerance: 0.5 }))).toBe(20);
    expect(() => a.sel({ x: 1.6 }, { method: "pad", tolerance: 0.5 })).toThrow(KeyError);
    expect(await vals(a.sel({ x: [0.9, 3.2] }, { method: "nearest" }))).toEqual([10, 30]);
  });

  it("17. where, with other, with drop; int data promotes to float64", async () => {
    const x = on(backend, new DataArray([0, 1, 2, 3, 4].map((v) => v + 0.0), { dims: "x", coords: { x: [0, 1, 2, 3, 4] } }).astype("float64"));
    expectClose(await flat(x.where(x.gt(2))), [NaN, NaN, NaN, 3, 4]);
    expectClose(await flat(x.where(x.gt(2), -1)), [-1, -1, -1, 3, 4]);
    const eagerX = new DataArray([0, 1, 2, 3, 4], { dims: "x", coords: { x: [0, 1, 2, 3, 4] } }).astype("float64");
    const dropped = on(backend, eagerX).where(eagerX.gt(2), NaN, { drop: true });
    expect(await flat(dropped.get("x"))).toEqual([3, 4]);
    expect(await flat(dropped)).toEqual([3, 4]);
    const ints = on(backend, new DataArray([1, 2, 3], { dims: "x" }));
    const w = ints.where(ints.gt(1));
    expect(w.dtype).toBe("float64");
    expectClose(await flat(w), [NaN, 2, 3]);
  });

  it("18. groupby on virtual time components; anomalies", async () => {
    const t = range(6).map((k) => new Date(Date.UTC(2000, 0, 1) + 15 * k * 86_400_000));
    const ts = on(backend, new DataArray(range(6).map((v) => v + 0.5 - 0.5), { dims: "time", coords: { time: t } }).astype("float64"));
    const clim = ts.groupby("time.month").mean();
    expect(clim.dims).toEqual(["month"]);
    expect(await flat(clim.get("month"))).toEqual([1, 2, 3]);
    expectClose(await flat(clim), [1.0, 3.0, 4.5]);
    const seasons = ts.groupby("time.season").mean();
    expect(await vals(seasons.get("season"))).toEqual(["DJF", "MAM"]);
    const longer = on(backend, new DataArray(range(12), { dims: "time", coords: { time: range(12).map((m) => new Date(Date.UTC(2000, m, 1))) } }));
    expect(await vals(longer.groupby("time.season").mean().get("season"))).toEqual(["DJF", "JJA", "MAM", "SON"]);
    const anomaly = ts.groupby("time.month").sub(clim);
    expect(anomaly.dims).toEqual(["time"]);
    expectClose(await flat(anomaly), [-1, 0, 1, 0, -0.5, 0.5]);
    expect(anomaly.coords.names.sort()).toEqual(["month", "time"]);
  });

  it("19. resample 1MS: left-edge labels, per-bin means", async () => {
    const t = range(6).map((k) => new Date(Date.UTC(2000, 0, 1) + 15 * k * 86_400_000));
    const ts = on(backend, new DataArray(range(6), { dims: "time", coords: { time: t } }).astype("float64"));
    const r = ts.resample({ time: "1MS" }).mean();
    const labels = (await flat(r.get("time"))).map((ms) => new Date(ms).toISOString().slice(0, 10));
    expect(labels).toEqual(["2000-01-01", "2000-02-01", "2000-03-01"]);
    expectClose(await flat(r), [1.0, 3.0, 4.5]);
  });

  it("20. Dataset arithmetic joins data variables", async () => {
    const u = [["t", "x"], [[1, 2], [3, 4]]] as const;
    const ds1 = on(backend, new Dataset({ u: [...u] as never, v: [["t", "x"], [[5, 6], [7, 8]]] }));
    const ds2 = on(backend, new Dataset({ u: [["t", "x"], [[1, 1], [1, 1]]] }));
    expect(ds1.add(ds2).dataVars).toEqual(["u"]);
    expect(await vals(ds1.add(ds2).get("u"))).toEqual([[2, 3], [4, 5]]);
    expect(ds1.mul(2).dataVars).toEqual(["u", "v"]);
    const a = new Dataset({ foo: 1, bar: 2 });
    const b = new Dataset({ bar: 2, baz: 3 });
    const inner = a.add(b);
    expect(inner.dataVars).toEqual(["bar"]);
    expect(await vals(inner.get("bar"))).toBe(4);
    const outer = a.add(b, { join: "outer" });
    expect(outer.dataVars.sort()).toEqual(["bar", "baz", "foo"]);
    expect(await vals(outer.get("foo"))).toBeNaN();
    expect(await vals(outer.get("bar"))).toBe(4);
    expect(await vals(outer.get("baz"))).toBeNaN();
  });

  it("21. Dataset reductions pass through variables without the dim", async () => {
    const ds = on(backend, new Dataset({
      u: [["t", "x"], [[0, 1], [2, 3], [4, 5]]],
      k: [["x"], new Int16Array([1, 2])],
      s: [["x"], ["a", "b"]],
    }));
    const m = ds.mean("t");
    expect(m.dataVars).toEqual(["u", "k", "s"]);
    expect(m.get("k").dims).toEqual(["x"]);
    expect(m.get("k").dtype).toBe("int16");
    expect(await vals(m.get("k"))).toEqual([1, 2]);
    expect(await vals(m.get("s"))).toEqual(["a", "b"]);
    expectClose(await flat(m.get("u")), [2, 3]);
    const s = ds.std("t");
    expect(s.get("k").dtype).toBe("float64");
    expect(await vals(s.get("k"))).toEqual([0, 0]);
  });

  it("22. quadratic means", async () => {
    const ds = on(backend, new Dataset({
      anom_u: [["time", "j"], [[0, 1], [2, 3], [4, 5]]],
      anom_v: [["time", "j"], [[1, 1], [1, 1], [1, 1]]],
    }));
    const quad = ds.pow(2);
    quad.set("uv", ds.get("anom_u").mul(ds.get("anom_v")));
    const result = quad.mean("time");
    expect(isLazy(result.get("uv"))).toBe(lazy);
    const c = await result.compute();
    expectClose(await flat(c.get("anom_u")), [6.6667, 11.6667], 1e-4);
    expectClose(await flat(c.get("anom_v")), [1, 1]);
    expectClose(await flat(c.get("uv")), [2, 3]);
  });

  it("23. conflicting non-index coordinates are dropped in arithmetic", async () => {
    const orig = on(backend, new DataArray([1, 2, 3], { dims: "x", coords: { x: [0, 1, 2], c: -999 } }));
    const alt = on(backend, new DataArray([1, 2, 3], { dims: "x", coords: { x: [0, 1, 2], c: "foo", d: 555 } }));
    const r = orig.add(alt);
    const expected = orig.add(1);
    expect(await vals(r)).toEqual([2, 4, 6]);
    expect(r.coords.names.sort()).toEqual(["d", "x"]);
    expect(await vals(r.get("d"))).toBe(555);
    expect(expected.coords.names.sort()).toEqual(["c", "x"]);
  });

  it("24. concat on an existing and a new dim; merge conflicts", async () => {
    const p = on(backend, new DataArray(range(5), { dims: "x", coords: { x: range(5) } }));
    const back = concat([p.isel({ x: slice(0, 2) }), p.isel({ x: slice(2, null) })], "x");
    expect(await flat(back.get("x"))).toEqual([0, 1, 2, 3, 4]);
    expect(await vals(back)).toEqual([0, 1, 2, 3, 4]);
    const c = on(backend, new DataArray([1, 2], { dims: "x" }));
    const runs = concat([c, c], "run");
    expect(runs.dims).toEqual(["run", "x"]);
    expect(runs.shape).toEqual([2, 2]);
    expect(await vals(runs)).toEqual([[1, 2], [1, 2]]);
    const a = new Dataset({ u: [["x"], [1, 2]] });
    const b = new Dataset({ u: [["x"], [1, 3]] });
    expect(() => merge([a, b])).toThrow(MergeError);
    expect(() => merge([a, b])).toThrow(/conflicting values for variable 'u'/);
  });

  it("25. weighted mean and rolling mean", async () => {
    const f = on(backend, new DataArray([1, 3], { dims: "lat", coords: { lat: [0, 60] } }).astype("float64"));
    const w = f.get("lat").astype("float64").mul(Math.PI / 180).apply("cos");
    expectClose([(await vals(f.weighted(w).mean("lat"))) as number], [1.6667], 1e-4);
    const r = on(backend, new DataArray(range(5), { dims: "time" }).astype("float64"));
    expectClose(await flat(r.rolling({ time: 3 }).mean()), [NaN, NaN, 1, 2, 3]);
    expectClose(await flat(r.rolling({ time: 3 }, { center: true }).mean()), [NaN, 1, 2, 3, NaN]);
  });
});

describe("errors are typed", () => {
  it("isLabelledError narrows by tag", () => {
    try {
      new DataArray([1, 2], { dims: "x" }).mean("z");
    } catch (e) {
      expect(isLabelledError(e, "DimensionError")).toBe(true);
      expect((e as Error).message).toMatch(/Dimension "z" not found/);
    }
    expect.assertions(2);
  });
});

void Variable;
