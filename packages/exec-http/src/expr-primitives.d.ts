declare module "cubed:expr-primitives" {
  import type { ExprPrimitives } from "@cubed-ts/core";
  const primitives: (h: Parameters<Parameters<typeof import("@cubed-ts/core").installExprInterpreter>[0]>[0]) => ExprPrimitives;
  export default primitives;
}
