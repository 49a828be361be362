declare module "cubed:expr-primitives" {
  import type { ExprPrimitives } from "@cubed-ts/core";
  const primitives: (h: never) => ExprPrimitives;
  export default primitives;
}
