// aws-local-stepfunctions 3.0.0 needs Promise.withResolvers, which Node 20 lacks: the shared
// polyfill runs before any test file imports the package.
import "@cubed-ts/aws-local/polyfill";
