/**
 * The `.dt` accessor of datetime DataArrays.
 * @module
 */
import type { DatetimeField } from "../time.js";
import type { DataArray } from "./dataarray.js";
import { datetimeFieldVariable } from "./virtual.js";

/**
 * Calendar fields of datetime data as DataArrays with the same dims and coordinates.
 *
 * @example
 * ```ts
 * ts.get("time").dt.month; // DataArray of months (int64)
 * ```
 */
export class DatetimeAccessor {
  constructor(private readonly da: DataArray) {}
  private field(f: DatetimeField): DataArray {
    const v = datetimeFieldVariable(this.da.variable, f);
    return this.da.withVariable(v).rename(f);
  }
  /** Year. @example `t.dt.year` */
  get year(): DataArray { return this.field("year"); }
  /** Month 1–12. @example `t.dt.month` */
  get month(): DataArray { return this.field("month"); }
  /** Day of month. @example `t.dt.day` */
  get day(): DataArray { return this.field("day"); }
  /** Hour. @example `t.dt.hour` */
  get hour(): DataArray { return this.field("hour"); }
  /** Minute. @example `t.dt.minute` */
  get minute(): DataArray { return this.field("minute"); }
  /** Second. @example `t.dt.second` */
  get second(): DataArray { return this.field("second"); }
  /** Day of year, 1-based. @example `t.dt.dayofyear` */
  get dayofyear(): DataArray { return this.field("dayofyear"); }
  /** Day of week, Monday = 0. @example `t.dt.dayofweek` */
  get dayofweek(): DataArray { return this.field("dayofweek"); }
  /** Meteorological season label: DJF, MAM, JJA, SON. @example `t.dt.season` */
  get season(): DataArray { return this.field("season"); }
}
