// Text reprs in xarray's style: header (name, dims, size), values or chunk info,
// coordinates with * for indexed ones, dims without coordinates, attributes.

import { describe, expect, it } from "vitest";
import { DataArray, Dataset, dateRange, formatBytes } from "../src/index.js";
import { formatFloat4 } from "../src/model/repr.js";
import { testSpec } from "./helpers.js";

describe("repr", () => {
  it("an in-memory DataArray", () => {
    const a = new DataArray([[1, 2, 3], [4, 5, 6]], {
      dims: ["x", "y"], coords: { x: [10, 20], c: -999 }, name: "a", attrs: { units: "m" },
    });
    expect(String(a)).toBe(
      [
        "<DataArray 'a' (x: 2, y: 3)> Size: 48B",
        "array([[1, 2, 3],",
        "       [4, 5, 6]])",
        "Coordinates:",
        "  * x        (x) int64 16B 10 20",
        "    c        int64 8B -999",
        "Dimensions without coordinates: y",
        "Attributes:",
        "    units:    m",
      ].join("\n"),
    );
  });

  it("a lazy Dataset shows chunk info, dimension coordinates stay in memory", () => {
    const ds = new Dataset(
      { tas: [["time", "lat"], [[1.5, NaN], [3, 4], [5, 6], [7, 8]], { units: "K" }] },
      { coords: { time: dateRange("2000-01-01", { periods: 4, freq: "D" }), lat: [10.25, 20] }, attrs: { title: "tiny" } },
    ).chunk({ time: 2 }, { spec: testSpec() });
    expect(String(ds)).toBe(
      [
        "<Dataset> Size: 112B",
        "Dimensions:  (time: 4, lat: 2)",
        "Coordinates:",
        "  * time     (time) datetime64[ms] 32B 2000-01-01 2000-01-02 2000-01-03 2000-01-04",
        "  * lat      (lat) float64 16B 10.25 20.0",
        "Data variables:",
        "    tas      (time, lat) float64 64B cubed.Array<chunksize=(2, 2)>",
        "Attributes:",
        "    title:    tiny",
      ].join("\n"),
    );
  });

  it("formats floats and sizes like xarray", () => {
    expect([2, 6.666666, 11.6667, 100, 12346, 0.000123, NaN].map(formatFloat4)).toEqual(["2.0", "6.667", "11.67", "100.0", "1.235e+04", "0.000123", "nan"]);
    expect([48, 1234, 2_500_000].map(formatBytes)).toEqual(["48B", "1.23kB", "2.5MB"]);
  });
});
