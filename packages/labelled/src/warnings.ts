/**
 * Warnings of the labelled layer go through Node's `process.emitWarning`, so
 * they can be listened to (`process.on("warning", …)`) or silenced
 * (`--no-warnings`).
 * @module
 */

/** Categories of warnings this package emits. */
export type WarningCategory = "ChunkSplitWarning" | "ConsolidatedMetadataWarning" | "FillValueWarning";

/**
 * Emits a warning with a category as its type.
 *
 * @example
 * ```ts
 * process.on("warning", (w) => { if (w.name === "ChunkSplitWarning") console.log(w.message); });
 * ```
 */
export function warn(message: string, category: WarningCategory): void {
  process.emitWarning(message, category);
}
