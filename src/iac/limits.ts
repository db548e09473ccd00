/**
 * Bounds on what one repository's input may cost the app. A file over a bound is a warning naming it,
 * never a crash or a stall: one repository's input can fail only that repository's check.
 */

/** The largest Terraform, OpenTofu or Terragrunt file the app reads, scans and edits, in bytes. */
export const MAX_SOURCE_FILE_BYTES = 2 * 1024 * 1024;

/**
 * The deepest nesting of blocks, brackets, calls, interpolations, template directives, operators and
 * conditionals a file may have. The reference parser (hcl2-parser) that verifies edits overflows the
 * call stack at about 170 levels of its most expensive construct: a file within this limit is safe for it.
 */
export const MAX_NESTING_DEPTH = 100;

/**
 * How deep the evaluation of one value may go: through nested expressions, locals that refer to other
 * locals, includes and files read with `read_terragrunt_config`. Deeper is a value not known statically.
 */
export const MAX_EVALUATION_DEPTH = 400;

/** The longest string the evaluator builds (a source address is far shorter); longer is not known statically. */
export const MAX_EVALUATED_STRING_LENGTH = 64 * 1024;
