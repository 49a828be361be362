/**
 * Dense float64 factorisations of one matrix, written for the linalg kernels:
 * a Householder QR (LAPACK's sign convention, so R's diagonal is usually
 * NumPy's) and a one-sided Jacobi SVD (high relative accuracy of the singular
 * values). Matrices are row-major `Float64Array`s.
 * @module
 */

/** A reduced QR of an m×n matrix: Q is m×k with orthonormal columns, R is k×n upper triangular, k = min(m, n). */
export interface QrResult {
  q: Float64Array;
  r: Float64Array;
  k: number;
}

/** Reflectors of a Householder QR: `w` holds R above the diagonal and the vectors below (v_j = 1 implied), `tau` their scales. */
interface Reflectors {
  w: Float64Array;
  tau: Float64Array;
  k: number;
}

function factor(a: ArrayLike<number>, m: number, n: number): Reflectors {
  const w = Float64Array.from(a);
  const k = Math.min(m, n);
  const tau = new Float64Array(k);
  const s = new Float64Array(n);
  if (!w.every(Number.isFinite)) {
    // NaN or ±inf anywhere: every entry of Q and R is NaN
    w.fill(NaN);
    tau.fill(NaN);
    return { w, tau, k };
  }
  for (let j = 0; j < k; j++) {
    // scaled norm of column j below the diagonal (no overflow for huge entries)
    let scale = 0;
    for (let i = j; i < m; i++) scale = Math.max(scale, Math.abs(w[i * n + j]!));
    if (scale === 0) continue;
    let ss = 0;
    for (let i = j + 1; i < m; i++) {
      const v = w[i * n + j]! / scale;
      ss += v * v;
    }
    const x0 = w[j * n + j]!;
    if (ss === 0) {
      // already zero below the diagonal: H = I (LAPACK keeps R's sign here too)
      continue;
    }
    const x0s = x0 / scale;
    const norm = scale * Math.sqrt(x0s * x0s + ss);
    const beta = x0 >= 0 ? -norm : norm;
    tau[j] = (beta - x0) / beta;
    const inv = 1 / (x0 - beta);
    for (let i = j + 1; i < m; i++) w[i * n + j] = w[i * n + j]! * inv;
    w[j * n + j] = beta;
    // apply H = I - tau v vᵀ to columns j+1.. : s = vᵀ W, then W -= tau v s (row by row, contiguous)
    const c0 = j + 1;
    if (c0 < n) {
      for (let c = c0; c < n; c++) s[c] = w[j * n + c]!;
      for (let i = j + 1; i < m; i++) {
        const vi = w[i * n + j]!;
        if (vi === 0) continue;
        const row = i * n;
        for (let c = c0; c < n; c++) s[c] = s[c]! + vi * w[row + c]!;
      }
      const t = tau[j]!;
      for (let c = c0; c < n; c++) s[c] = s[c]! * t;
      for (let c = c0; c < n; c++) w[j * n + c] = w[j * n + c]! - s[c]!;
      for (let i = j + 1; i < m; i++) {
        const vi = w[i * n + j]!;
        if (vi === 0) continue;
        const row = i * n;
        for (let c = c0; c < n; c++) w[row + c] = w[row + c]! - vi * s[c]!;
      }
    }
  }
  return { w, tau, k };
}

/** R (k×n) of a factorisation: the upper triangle of `w`. */
function upper({ w, k }: Reflectors, n: number): Float64Array {
  const r = new Float64Array(k * n);
  for (let i = 0; i < k; i++) for (let c = i; c < n; c++) r[i * n + c] = w[i * n + c]!;
  return r;
}

/** Q (m×k) = H_0 ⋯ H_{k-1} [I; 0], accumulated backwards on the trailing block only. */
function formQ({ w, tau, k }: Reflectors, m: number, n: number): Float64Array {
  const q = new Float64Array(m * k);
  for (let i = 0; i < k; i++) q[i * k + i] = 1;
  const s = new Float64Array(k);
  for (let j = k - 1; j >= 0; j--) {
    const t = tau[j]!;
    if (t === 0) continue;
    // rows j.. and columns j.. of Q: s = vᵀ Q, Q -= t v s
    for (let c = j; c < k; c++) s[c] = q[j * k + c]!;
    for (let i = j + 1; i < m; i++) {
      const vi = w[i * n + j]!;
      if (vi === 0) continue;
      const row = i * k;
      for (let c = j; c < k; c++) s[c] = s[c]! + vi * q[row + c]!;
    }
    for (let c = j; c < k; c++) s[c] = s[c]! * t;
    for (let c = j; c < k; c++) q[j * k + c] = q[j * k + c]! - s[c]!;
    for (let i = j + 1; i < m; i++) {
      const vi = w[i * n + j]!;
      if (vi === 0) continue;
      const row = i * k;
      for (let c = j; c < k; c++) q[row + c] = q[row + c]! - vi * s[c]!;
    }
  }
  return q;
}

/**
 * Reduced Householder QR of a row-major m×n matrix.
 *
 * @example
 * ```ts
 * const { q, r, k } = householderQr(Float64Array.of(3, 1, 4, 2), 2, 2); // q 2×2, r 2×2
 * ```
 */
export function householderQr(a: ArrayLike<number>, m: number, n: number): QrResult {
  const f = factor(a, m, n);
  return { q: formQ(f, m, n), r: upper(f, n), k: f.k };
}

/**
 * R alone (k×n) of a Householder QR: no Q is formed.
 *
 * @example
 * ```ts
 * householderR(Float64Array.of(3, 4), 2, 1); // [-5]
 * ```
 */
export function householderR(a: ArrayLike<number>, m: number, n: number): Float64Array {
  const f = factor(a, m, n);
  return upper(f, n);
}

/** A reduced SVD of an m×n matrix: U m×k, S (k, descending), Vᵀ k×n. */
export interface SvdResult {
  u: Float64Array;
  s: Float64Array;
  vt: Float64Array;
  k: number;
}

/**
 * One-sided Jacobi SVD of a tall (m ≥ n) row-major matrix, on its columns:
 * rotations orthogonalise pairs of columns until every pair is orthogonal to
 * working precision. Returns U (m×n), S (n, descending) and Vᵀ (n×n).
 */
function jacobiTall(a: ArrayLike<number>, m: number, n: number, wantVectors: boolean): SvdResult {
  // columns as contiguous rows of g (n×m), V as rows of v (n×n): v[j] is column j of V
  const g = new Float64Array(n * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) g[j * m + i] = a[i * n + j]!;
  const v = new Float64Array(n * n);
  for (let j = 0; j < n; j++) v[j * n + j] = 1;
  const norms = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let t = 0;
    for (let i = 0; i < m; i++) t += g[j * m + i]! * g[j * m + i]!;
    norms[j] = t;
  }
  const eps = 2.220446049250313e-16;
  let finite = true;
  for (let j = 0; j < n * m; j++) if (!Number.isFinite(g[j]!)) finite = false;
  for (let sweep = 0; finite && sweep < 80; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const gp = p * m;
        const gq = q * m;
        let gamma = 0;
        for (let i = 0; i < m; i++) gamma += g[gp + i]! * g[gq + i]!;
        const alpha = norms[p]!;
        const beta = norms[q]!;
        if (gamma === 0 || Math.abs(gamma) <= eps * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        let np = 0;
        let nq = 0;
        for (let i = 0; i < m; i++) {
          const x = g[gp + i]!;
          const y = g[gq + i]!;
          const xp = c * x - s * y;
          const yq = s * x + c * y;
          g[gp + i] = xp;
          g[gq + i] = yq;
          np += xp * xp;
          nq += yq * yq;
        }
        norms[p] = np;
        norms[q] = nq;
        if (wantVectors) {
          for (let i = 0; i < n; i++) {
            const x = v[p * n + i]!;
            const y = v[q * n + i]!;
            v[p * n + i] = c * x - s * y;
            v[q * n + i] = s * x + c * y;
          }
        }
      }
    }
    if (!rotated) break;
  }
  const sv = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    // recompute the norm with scaling for accuracy
    let scale = 0;
    for (let i = 0; i < m; i++) scale = Math.max(scale, Math.abs(g[j * m + i]!));
    if (!finite) sv[j] = NaN;
    else if (scale === 0) sv[j] = 0;
    else {
      let t = 0;
      for (let i = 0; i < m; i++) {
        const x = g[j * m + i]! / scale;
        t += x * x;
      }
      sv[j] = scale * Math.sqrt(t);
    }
  }
  const order = [...Array(n).keys()].sort((x, y) => (sv[y]! > sv[x]! ? 1 : sv[y]! < sv[x]! ? -1 : x - y));
  const s = Float64Array.from(order, (j) => sv[j]!);
  if (!wantVectors) return { u: new Float64Array(0), s, vt: new Float64Array(0), k: n };
  const u = new Float64Array(m * n);
  const vt = new Float64Array(n * n);
  const zero: number[] = [];
  order.forEach((j, c) => {
    const sj = sv[j]!;
    if (sj > 0 && Number.isFinite(sj)) for (let i = 0; i < m; i++) u[i * n + c] = g[j * m + i]! / sj;
    else if (Number.isNaN(sj)) for (let i = 0; i < m; i++) u[i * n + c] = NaN;
    else zero.push(c);
    for (let i = 0; i < n; i++) vt[c * n + i] = v[j * n + i]!;
  });
  completeColumns(u, m, n, zero);
  return { u, s, vt, k: n };
}

/** Fills the listed (zero) columns of U (m×n) with unit vectors orthogonal to every other column (Gram–Schmidt twice). */
function completeColumns(u: Float64Array, m: number, n: number, cols: readonly number[]): void {
  const done = new Set([...Array(n).keys()].filter((c) => !cols.includes(c)));
  let e = 0;
  for (const c of cols) {
    for (; e < m; e++) {
      const x = new Float64Array(m);
      x[e] = 1;
      for (let pass = 0; pass < 2; pass++) {
        for (const d of done) {
          let dot = 0;
          for (let i = 0; i < m; i++) dot += u[i * n + d]! * x[i]!;
          for (let i = 0; i < m; i++) x[i] = x[i]! - dot * u[i * n + d]!;
        }
      }
      let nrm = 0;
      for (let i = 0; i < m; i++) nrm += x[i]! * x[i]!;
      nrm = Math.sqrt(nrm);
      if (nrm > 0.5) {
        for (let i = 0; i < m; i++) u[i * n + c] = x[i]! / nrm;
        done.add(c);
        e++;
        break;
      }
    }
  }
}

function transpose(a: ArrayLike<number>, m: number, n: number): Float64Array {
  const t = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) t[j * m + i] = a[i * n + j]!;
  return t;
}

/** C (m×n) = A (m×p) · B (p×n), row-major. */
export function multiply(a: ArrayLike<number>, b: ArrayLike<number>, m: number, p: number, n: number, out?: Float64Array): Float64Array {
  const c = out ?? new Float64Array(m * n);
  c.fill(0);
  for (let i = 0; i < m; i++) {
    const ci = i * n;
    for (let k = 0; k < p; k++) {
      const aik = a[i * p + k]!;
      if (aik === 0) continue;
      const bk = k * n;
      for (let j = 0; j < n; j++) c[ci + j] = c[ci + j]! + aik * b[bk + j]!;
    }
  }
  return c;
}

/**
 * Reduced SVD of a row-major m×n matrix: U (m×k), S (k, descending), Vᵀ (k×n),
 * k = min(m, n). A tall matrix is first reduced to its R factor (U = Q·U_R); a
 * wide one is transposed. With `wantVectors: false` only S is computed.
 *
 * @example
 * ```ts
 * jacobiSvd(Float64Array.of(3, 0, 0, -2), 2, 2).s; // [3, 2]
 * ```
 */
export function jacobiSvd(a: ArrayLike<number>, m: number, n: number, options: { wantVectors?: boolean } = {}): SvdResult {
  const want = options.wantVectors ?? true;
  if (m < n) {
    const r = jacobiSvd(transpose(a, m, n), n, m, options);
    // Aᵀ = U S Vᵀ, so A = V S Uᵀ
    return want ? { u: transpose(r.vt, m, m), s: r.s, vt: transpose(r.u, n, m), k: m } : r;
  }
  if (n === 0) return { u: new Float64Array(0), s: new Float64Array(0), vt: new Float64Array(0), k: 0 };
  if (m > n) {
    if (!want) return jacobiTall(householderR(a, m, n), n, n, false);
    const { q, r } = householderQr(a, m, n);
    const inner = jacobiTall(r, n, n, true);
    return { u: multiply(q, inner.u, m, n, n), s: inner.s, vt: inner.vt, k: n };
  }
  return jacobiTall(a, m, n, want);
}
