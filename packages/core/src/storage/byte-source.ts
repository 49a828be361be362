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
