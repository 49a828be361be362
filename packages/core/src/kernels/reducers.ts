import { type DataType, type TypedArray, isBigIntDtype } from "../dtypes/dtype.js";

/** Names of the built-in reductions. */
export type ReducerName =
  | "sum" | "prod" | "min" | "max" | "mean" | "var" | "std" | "all" | "any" | "argmin" | "argmax"
  | "nansum" | "nanprod" | "nanmin" | "nanmax" | "nanmean" | "nanvar" | "nanstd"
  | "cprod";

type Arr = TypedArray & { [i: number]: number | bigint };
type NumArr = Float64Array;

/** A run of `count` input elements starting at `so`, folding into state slots `st, st + stStep, …`. */
export interface Run {
  so: number;
  st: number;
  stStep: number;
  count: number;
  /** Flat index (over the reduced axes) of the run's first element, and its step; for arg reductions. */
  argBase: number;
  argStep: number;
}

/** What a final round knows besides the states. */
export interface FinalizeContext {
  /** The degrees-of-freedom correction of variances (NumPy's ddof). */
  correction: number;
  /** Elements each result slot folded: the product of the reduced extents of the source. */
  folded: number;
}

/**
 * A reduction as data-parallel state: initialise, fold raw values, fold other
 * states (tree combine), finalise into the result dtype.
 */
export interface Reducer {
  /** Dtypes of the state fields, given the input and result dtypes. */
  fields(input: DataType, result: DataType): DataType[];
  init(state: Arr[]): void;
  foldRaw(state: Arr[], src: Arr, run: Run): void;
  foldState(state: Arr[], src: Arr[], run: Run): void;
  finalize(state: Arr[], out: Arr, result: FinalizeContext): void;
  /**
   * Whether combining two states is field-wise addition (field k of the source added to field k),
   * so a combine round can add whole rows with plain loops instead of calling `foldState` per run.
   * Such a reducer's `init` leaves every field all zeros.
   */
  combineAdds?: boolean;
  /**
   * The state field `finalize` may write the result into (its dtype being the result's): element
   * i of the result depends only on element i of the fields, so the field's buffer can be the result.
   */
  finalizeInto?: number;
  /**
   * Optional, for reducers that combine by adding and finalise into field `finalizeInto`: adds
   * a whole source state field-wise and finalises in the same pass (a final round's last block),
   * the same bits as adding it and then calling `finalize`.
   */
  addFinalize?(state: Arr[], src: Arr[], result: FinalizeContext): void;
}


function additive(op: "sum" | "prod", skipNaN: boolean): Reducer {
  const identity = op === "sum" ? 0 : 1;
  return {
    fields: (_i, r) => [r],
    init: ([acc]) => acc!.fill((isBigIntDtype(dtypeOf(acc!)) ? BigInt(identity) : identity) as never),
    foldRaw([acc], src, r) {
      const a = acc!;
      if (typeof a[0] === "bigint") {
        for (let j = 0; j < r.count; j++) {
          const v = src[r.so + j]!;
          const b = typeof v === "bigint" ? v : BigInt(v);
          const k = r.st + j * r.stStep;
          a[k] = op === "sum" ? (a[k] as bigint) + b : (a[k] as bigint) * b;
        }
        return;
      }
      const s = src as NumArr;
      const n = a as NumArr;
      if (op === "sum") {
        if (r.stStep === 0) {
          let t = 0;
          for (let j = 0; j < r.count; j++) {
            const v = s[r.so + j]!;
            if (!(skipNaN && v !== v)) t += v;
          }
          n[r.st] = n[r.st]! + t;
        } else {
          for (let j = 0; j < r.count; j++) {
            const v = s[r.so + j]!;
            if (!(skipNaN && v !== v)) n[r.st + j] = n[r.st + j]! + v;
          }
        }
      } else if (a instanceof Int32Array || a instanceof Uint32Array) {
        // exact modulo 2**32 (a double product of two 32-bit values can pass 2**53)
        for (let j = 0; j < r.count; j++) n[r.st + j * r.stStep] = Math.imul(n[r.st + j * r.stStep]!, s[r.so + j]!);
      } else {
        for (let j = 0; j < r.count; j++) {
          const v = s[r.so + j]!;
          if (!(skipNaN && v !== v)) n[r.st + j * r.stStep] = n[r.st + j * r.stStep]! * v;
        }
      }
    },
    foldState([acc], [src], r) {
      // partial results are never skipped: a NaN there came from ±inf, not from a missing value
      const a = acc!;
      for (let j = 0; j < r.count; j++) {
        const k = r.st + j * r.stStep;
        const v = src![r.so + j]!;
        if (typeof a[k] === "bigint") a[k] = op === "sum" ? (a[k] as bigint) + (v as bigint) : (a[k] as bigint) * (v as bigint);
        else if (op === "prod" && (a instanceof Int32Array || a instanceof Uint32Array)) a[k] = Math.imul(a[k] as number, v as number);
        else a[k] = op === "sum" ? (a[k] as number) + (v as number) : (a[k] as number) * (v as number);
      }
    },
    finalize([acc], out) {
      if (out !== acc) out.set(acc as never);
    },
    combineAdds: op === "sum",
    finalizeInto: 0,
  };
}

/**
 * Product of complex values (interleaved pairs in, interleaved pairs out): the state is
 * (re, im) in the parts' float type, so complex64 multiplies in single precision as NumPy does.
 */
const complexProd: Reducer = {
  fields: (_i, r) => (r === "complex64" ? ["float32", "float32"] : ["float64", "float64"]),
  init([re, im]) {
    (re as NumArr).fill(1);
    (im as NumArr).fill(0);
  },
  foldRaw([re, im], src, r) {
    const s = src as NumArr;
    const a = re as NumArr;
    const b = im as NumArr;
    for (let j = 0; j < r.count; j++) {
      const k = r.st + j * r.stStep;
      const x = s[2 * (r.so + j)]!;
      const y = s[2 * (r.so + j) + 1]!;
      const ar = a[k]!;
      const ai = b[k]!;
      a[k] = ar * x - ai * y;
      b[k] = ar * y + ai * x;
    }
  },
  foldState([re, im], [sr, si], r) {
    const a = re as NumArr;
    const b = im as NumArr;
    for (let j = 0; j < r.count; j++) {
      const k = r.st + j * r.stStep;
      const x = (sr as NumArr)[r.so + j]!;
      const y = (si as NumArr)[r.so + j]!;
      const ar = a[k]!;
      const ai = b[k]!;
      a[k] = ar * x - ai * y;
      b[k] = ar * y + ai * x;
    }
  },
  finalize([re, im], out) {
    const o = out as NumArr;
    for (let k = 0; k < re!.length; k++) {
      o[2 * k] = (re as NumArr)[k]!;
      o[2 * k + 1] = (im as NumArr)[k]!;
    }
  },
};

function dtypeOf(a: TypedArray): DataType {
  return a instanceof BigInt64Array ? "int64" : a instanceof BigUint64Array ? "uint64" : "float64";
}

function extreme(kind: "min" | "max", skipNaN: boolean): Reducer {
  const better = kind === "max" ? (v: number | bigint, c: number | bigint) => v > c : (v: number | bigint, c: number | bigint) => v < c;
  const fold = (a: Arr, seen: Arr, k: number, v: number | bigint): void => {
    if (skipNaN && v !== v) return;
    if (seen[k] === 0) {
      a[k] = v;
      seen[k] = 1;
    } else if (a[k] === a[k] && (v !== v || better(v, a[k]!))) a[k] = v;
  };
  return {
    // value, and whether any value was seen (all-NaN slices of nan-reductions give NaN)
    fields: (i) => [i, "bool"],
    init: () => {},
    foldRaw([val, seen], src, r) {
      for (let j = 0; j < r.count; j++) fold(val!, seen!, r.st + j * r.stStep, src[r.so + j]!);
    },
    foldState([val, seen], [sv, ss], r) {
      for (let j = 0; j < r.count; j++) if (ss![r.so + j] === 1) fold(val!, seen!, r.st + j * r.stStep, sv![r.so + j]!);
    },
    finalize([val, seen], out) {
      for (let i = 0; i < out.length; i++) out[i] = seen![i] === 1 ? val![i]! : NaN;
    },
    finalizeInto: 0,
  };
}

/**
 * The plain mean: its state is only the running total, since every result slot folds all the
 * elements of the reduced extents ({@link FinalizeContext.folded}); a count field would hold that
 * same number in every slot, written, stored and read back in every round.
 */
const plainMean: Reducer = {
  fields: () => ["float64"],
  init: () => {},
  foldRaw([t], src, r) {
    const T = t as NumArr;
    const { so, st, stStep: step, count } = r;
    if (typeof src[0] === "bigint") {
      for (let j = 0; j < count; j++) T[st + j * step] += Number(src[so + j]!);
      return;
    }
    const s = src as NumArr;
    if (step === 0) {
      let tot = 0;
      for (let j = 0; j < count; j++) tot += s[so + j]!;
      T[st] += tot;
    } else if (step === 1) {
      // the hot path of means over leading axes: one contiguous row into one state row
      for (let j = 0; j < count; j++) T[st + j] += s[so + j]!;
    } else {
      for (let j = 0; j < count; j++) T[st + j * step] += s[so + j]!;
    }
  },
  foldState([t], [src], r) {
    const T = t as NumArr, S = src as NumArr;
    for (let j = 0; j < r.count; j++) T[r.st + j * r.stStep] += S[r.so + j]!;
  },
  finalize([t], out, { folded }) {
    const T = t as NumArr, O = out as NumArr;
    for (let i = 0; i < O.length; i++) O[i] = T[i]! / folded;
  },
  addFinalize([t], [src], { folded }) {
    const T = t as NumArr, S = src as NumArr;
    for (let i = 0, n = T.length; i < n; i++) T[i] = (T[i]! + S[i]!) / folded;
  },
  combineAdds: true,
  finalizeInto: 0,
};

/** The NaN-skipping mean: a count and a total per slot, as the count differs from slot to slot. */
const nanMean: Reducer = {
  fields: () => ["float64", "float64"],
  init: () => {},
  foldRaw([n, t], src, r) {
    const N = n as NumArr;
    const T = t as NumArr;
    for (let j = 0; j < r.count; j++) {
      const raw = src[r.so + j]!;
      const v = typeof raw === "bigint" ? Number(raw) : raw;
      if (v !== v) continue;
      const k = r.st + j * r.stStep;
      N[k] += 1;
      T[k] += v;
    }
  },
  foldState([n, t], [sn, stot], r) {
    const N = n as NumArr, T = t as NumArr, SN = sn as NumArr, ST = stot as NumArr;
    for (let j = 0; j < r.count; j++) {
      const k = r.st + j * r.stStep;
      N[k] += SN[r.so + j]!;
      T[k] += ST[r.so + j]!;
    }
  },
  finalize([n, t], out) {
    const N = n as NumArr, T = t as NumArr, O = out as NumArr;
    for (let i = 0; i < O.length; i++) O[i] = T[i]! / N[i]!;
  },
  combineAdds: true,
  finalizeInto: 1,
};

function variance(skipNaN: boolean, sqrt: boolean): Reducer {
  return {
    fields: () => ["float64", "float64", "float64"],
    init: () => {},
    foldRaw([n, m, q], src, r) {
      const N = n as NumArr, M = m as NumArr, Q = q as NumArr;
      for (let j = 0; j < r.count; j++) {
        const raw = src[r.so + j]!;
        const v = typeof raw === "bigint" ? Number(raw) : raw;
        if (skipNaN && v !== v) continue;
        const k = r.st + j * r.stStep;
        const nn = N[k]! + 1;
        const d = v - M[k]!;
        M[k] = M[k]! + d / nn;
        Q[k] = Q[k]! + d * (v - M[k]!);
        N[k] = nn;
      }
    },
    foldState([n, m, q], [sn, sm, sq], r) {
      const N = n as NumArr, M = m as NumArr, Q = q as NumArr;
      const SN = sn as NumArr, SM = sm as NumArr, SQ = sq as NumArr;
      for (let j = 0; j < r.count; j++) {
        const k = r.st + j * r.stStep;
        const nb = SN[r.so + j]!;
        if (nb === 0) continue;
        const na = N[k]!;
        const nn = na + nb;
        const d = SM[r.so + j]! - M[k]!;
        M[k] = M[k]! + (d * nb) / nn;
        Q[k] = Q[k]! + SQ[r.so + j]! + (d * d * na * nb) / nn;
        N[k] = nn;
      }
    },
    finalize([n, , q], out, { correction }) {
      const N = n as NumArr, Q = q as NumArr, O = out as NumArr;
      for (let i = 0; i < O.length; i++) {
        // NumPy: var divides by max(n − ddof, 0) (so M2 > 0 gives inf); nanvar gives NaN when n − ddof ≤ 0
        const dof = N[i]! - correction;
        const v = N[i] === 0 || (skipNaN && dof <= 0) ? NaN : Q[i]! / Math.max(dof, 0);
        O[i] = sqrt ? Math.sqrt(v) : v;
      }
    },
    finalizeInto: 2,
  };
}

function logical(kind: "all" | "any"): Reducer {
  return {
    fields: () => ["bool"],
    init: ([v]) => v!.fill((kind === "all" ? 1 : 0) as never),
    foldRaw([v], src, r) {
      const a = v!;
      for (let j = 0; j < r.count; j++) {
        const x = src[r.so + j]!;
        const truthy = x !== 0 && x !== 0n ? 1 : 0;
        const k = r.st + j * r.stStep;
        a[k] = kind === "all" ? (a[k]! as number) & truthy : (a[k]! as number) | truthy;
      }
    },
    foldState(state, [src], r) {
      this.foldRaw(state, src!, r);
    },
    finalize([v], out) {
      if (out !== v) out.set(v as never);
    },
    finalizeInto: 0,
  };
}

function arg(kind: "argmin" | "argmax"): Reducer {
  const better = (v: number | bigint, vi: number, c: number | bigint, ci: number): boolean => {
    if (ci < 0) return true;
    const vn = v !== v;
    const cn = c !== c;
    if (cn) return vn && vi < ci;
    if (vn) return true;
    if (kind === "argmax" ? v > c : v < c) return true;
    return v === c && vi < ci;
  };
  return {
    fields: (i) => ["float64", i],
    init: ([idx]) => idx!.fill(-1 as never),
    foldRaw([idx, val], src, r) {
      const I = idx as NumArr;
      const V = val!;
      for (let j = 0; j < r.count; j++) {
        const k = r.st + j * r.stStep;
        const v = src[r.so + j]!;
        const vi = r.argBase + j * r.argStep;
        if (better(v, vi, V[k]!, I[k]!)) {
          I[k] = vi;
          V[k] = v;
        }
      }
    },
    foldState([idx, val], [si, sv], r) {
      const I = idx as NumArr;
      const V = val!;
      const SI = si as NumArr;
      for (let j = 0; j < r.count; j++) {
        const k = r.st + j * r.stStep;
        const vi = SI[r.so + j]!;
        if (vi < 0) continue;
        const v = sv![r.so + j]!;
        if (better(v, vi, V[k]!, I[k]!)) {
          I[k] = vi;
          V[k] = v;
        }
      }
    },
    finalize([idx], out) {
      const I = idx as NumArr;
      const O = out as BigInt64Array;
      for (let i = 0; i < O.length; i++) O[i] = BigInt(I[i]!);
    },
  };
}

/** The built-in reducers by name. */
export const REDUCERS: Record<ReducerName, Reducer> = {
  sum: additive("sum", false),
  nansum: additive("sum", true),
  prod: additive("prod", false),
  nanprod: additive("prod", true),
  cprod: complexProd,
  min: extreme("min", false),
  max: extreme("max", false),
  nanmin: extreme("min", true),
  nanmax: extreme("max", true),
  mean: plainMean,
  nanmean: nanMean,
  var: variance(false, false),
  nanvar: variance(true, false),
  std: variance(false, true),
  nanstd: variance(true, true),
  all: logical("all"),
  any: logical("any"),
  argmin: arg("argmin"),
  argmax: arg("argmax"),
};
