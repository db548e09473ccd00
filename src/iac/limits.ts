/**
 * Bounds on what one repository's input may cost the app. A file over a bound is a warning naming it,
 * never a crash or a stall: one repository's input can fail only that repository's check.
 */

/** The largest Terraform, OpenTofu or Terragrunt file the app reads, scans and edits, in bytes. */
export const MAX_SOURCE_FILE_BYTES = 2 * 1024 * 1024;
