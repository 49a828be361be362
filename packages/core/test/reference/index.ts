// Independent eager reference for property tests. No imports from src/.
export * from "./dtypes.js";
export * from "./array.js";
export * from "./elementwise.js";
export * from "./reductions.js";
export * from "./indexing.js";
export * from "./manipulation.js";
export * from "./linalg.js";
export * from "./cumulative.js";
export * from "./searching.js";
export * from "./overlap.js";
