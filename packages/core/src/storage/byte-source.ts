/**
 * A stored object read piece by piece: its size and positioned reads (an open file, or
 * ranged reads of an object). Lets a decoder read a chunk in cache-sized runs instead of
 * holding its whole encoded form (see {@link Store.readPieces}).
 *
 * @example
 * ```ts
 * const head = new Uint8Array(16);
 * await source.readAt(head, 0); // the first 16 bytes (fewer only if the object is shorter)
 * ```
 */
export interface ByteSource {
  /** The object's size in bytes. */
  readonly size: number;
  /** Fills `into` from `position`; resolves how many bytes were read (fewer only at the end). */
  readAt(into: Uint8Array, position: number): Promise<number>;
  /**
   * Optional: the same read, blocking the thread until it is done (a local file: no round trip
   * through the I/O thread pool, for readers that have nothing else to do meanwhile).
   */
  readAtSync?(into: Uint8Array, position: number): number;
}

/** An object ended before a read its size promised: it changed while it was read. */
export class ObjectChangedError extends Error {}

/**
 * Fills `into` from byte `position` of `source`, asking again after short reads; with
 * `blocking`, through the source's blocking reads where it has them. Throws
 * {@link ObjectChangedError} when the object ends first.
 *
 * @example
 * ```ts
 * await readFullyAt(source, new Uint8Array(16), 0); // the 16-byte header, or ObjectChangedError
 * ```
 */
export async function readFullyAt(source: ByteSource, into: Uint8Array, position: number, options: { blocking?: boolean } = {}): Promise<void> {
  const sync = options.blocking ? source.readAtSync?.bind(source) : undefined;
  if (sync !== undefined) return readFullyAtSync(sync, into, position);
  for (let off = 0; off < into.length; ) {
    const n = await source.readAt(into.subarray(off), position + off);
    if (n === 0) throw endedEarly(position, off, into.length);
    off += n;
  }
}

/**
 * {@link readFullyAt} through a source's blocking reads (`ByteSource.readAtSync`), for readers
 * that decode as they read, within one synchronous call.
 *
 * @example
 * ```ts
 * readFullyAtSync((b, at) => readSync(fd, b, 0, b.length, at), head, 0); // or ObjectChangedError
 * ```
 */
export function readFullyAtSync(readAtSync: (into: Uint8Array, position: number) => number, into: Uint8Array, position: number): void {
  for (let off = 0; off < into.length; ) {
    const n = readAtSync(into.subarray(off), position + off);
    if (n === 0) throw endedEarly(position, off, into.length);
    off += n;
  }
}

function endedEarly(position: number, off: number, length: number): ObjectChangedError {
  return new ObjectChangedError(`it ended at byte ${position + off} while reading ${length} bytes from ${position}: it changed while it was read`);
}

/**
 * An object (or a chunk inside it) read in pieces of its decoded bytes: piece `j` is bytes
 * `[j * pieceBytes, (j + 1) * pieceBytes)` (the last may be shorter), read and decoded on
 * demand, in any order, into a buffer the caller gives.
 */
export interface BytePieces {
  /** Decoded bytes of every piece but the last. */
  readonly pieceBytes: number;
  /** Number of pieces. */
  readonly count: number;
  /** Decoded bytes in all. */
  readonly nbytes: number;
  /** Encoded bytes read so far. */
  readonly bytesRead: number;
  /**
   * Reads pieces `j .. j + n - 1` (default one; fewer at the end) and decodes them into the
   * start of `into` (at least `n * pieceBytes` long), in order; resolves the decoded view.
   */
  read(j: number, into: Uint8Array, n?: number): Promise<Uint8Array>;
  /**
   * Optional (Blosc chunks of byte-shuffled 2-, 4- or 8-byte elements, where WebAssembly SIMD
   * is): the pieces as they are stored, byte planes not yet un-shuffled. `read(j, into)` decodes
   * piece `j` into the start of `into` as `typesize` planes (plane k: byte k of each of the
   * piece's elements, `bytes / typesize` of them); a reader then un-shuffles the slices it needs
   * just before it uses them (`unshuffleSlice`), while they are in cache.
   */
  readonly planes?: PlanePieces;
}

/** Pieces read as byte planes ({@link BytePieces.planes}). */
export interface PlanePieces {
  /** Bytes per element: the number of planes. */
  readonly typesize: 2 | 4 | 8;
  read(j: number, into: Uint8Array): Promise<void>;
}

/**
 * The `nbytes` bytes of `source` from `offset` as pieces of `pieceBytes` (stored as they are:
 * an uncompressed chunk, or a memcpyed Blosc frame's data).
 *
 * @example
 * ```ts
 * const pieces = spanPieces(source, 0, source.size, 1 << 20);
 * const first = await pieces.read(0, new Uint8Array(1 << 20));
 * ```
 */
export function spanPieces(source: ByteSource, offset: number, nbytes: number, pieceBytes: number, options: { blocking?: boolean } = {}): BytePieces {
  const count = Math.ceil(nbytes / pieceBytes);
  let bytesRead = 0;
  return {
    pieceBytes,
    count,
    nbytes,
    get bytesRead() {
      return bytesRead;
    },
    async read(j, into, n = 1) {
      if (!(j >= 0 && j < count && n >= 1)) throw new RangeError(`pieces ${j}..${j + n - 1} of ${count}`);
      const view = into.subarray(0, Math.min(n * pieceBytes, nbytes - j * pieceBytes));
      await readFullyAt(source, view, offset + j * pieceBytes, options);
      bytesRead += view.length;
      return view;
    },
  };
}

/**
 * `pieces` with each of its reads (`read` and `planes.read`) run through `around`, which calls
 * the read it is given: to time reads, or to say what their errors mean.
 *
 * @example
 * ```ts
 * const timed = withRead(pieces, (read) => time(read));
 * ```
 */
export function withRead(pieces: BytePieces, around: <T>(read: () => Promise<T>) => Promise<T>): BytePieces {
  const { planes } = pieces;
  return {
    pieceBytes: pieces.pieceBytes,
    count: pieces.count,
    nbytes: pieces.nbytes,
    get bytesRead() {
      return pieces.bytesRead;
    },
    read: (j, into, n) => around(() => pieces.read(j, into, n)),
    ...(planes !== undefined ? { planes: { typesize: planes.typesize, read: (j: number, into: Uint8Array) => around(() => planes.read(j, into)) } } : {}),
  };
}
