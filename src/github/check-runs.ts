/** The check run each check leaves on the commit it read. */
import type { Octokit, RepoRef } from "./repo-ref.js";

/** The check run's name, as it appears in GitHub's checks list. */
export const CHECK_RUN_NAME = "promoter";

/** GitHub's limit on `output.summary` and `output.text`: 65,535 bytes (documented as characters, enforced in UTF-8 bytes). */
export const MAX_OUTPUT_BYTES = 65_535;

/** Our cap on `output.title` (GitHub documents none; a title is shown on one line). */
const MAX_TITLE_CHARS = 255;

/** A finished check. */
export interface CheckRunReport {
  /** The commit checked. */
  headSha: string;
  conclusion: "success" | "failure" | "neutral";
  title: string;
  /** Markdown. */
  summary: string;
  /** Markdown details below the summary. */
  text?: string;
  /** Failures shown on lines of files (at most 50: GitHub's limit per request). */
  annotations?: readonly CheckRunAnnotation[];
}

/** A failure on one position of a file of the commit. */
export interface CheckRunAnnotation {
  path: string;
  line: number;
  column: number;
  /** Plain text. */
  message: string;
}

/** GitHub takes at most 50 annotations per request. */
const MAX_ANNOTATIONS = 50;

/** GitHub's cap on an annotation's message. */
const MAX_ANNOTATION_BYTES = 64 * 1024;

/**
 * Creates a completed check run named `promoter` on `headSha`: `POST /repos/{owner}/{repo}/check-runs`.
 * 1 request. A summary or text over GitHub's limit is cut at a line (or character) boundary and ends
 * with a note saying how much was left out; a title is cut to 255 characters. At most 50 annotations.
 */
export async function writeCheckRun(
  octokit: Octokit,
  repo: RepoRef,
  report: CheckRunReport,
): Promise<{ id: number }> {
  const { data } = await octokit.request("POST /repos/{owner}/{repo}/check-runs", {
    owner: repo.owner,
    repo: repo.repo,
    name: CHECK_RUN_NAME,
    head_sha: report.headSha,
    status: "completed",
    conclusion: report.conclusion,
    completed_at: new Date().toISOString(),
    output: {
      title: truncateTitle(report.title),
      summary: truncateUtf8(report.summary, MAX_OUTPUT_BYTES),
      ...(report.text === undefined ? {} : { text: truncateUtf8(report.text, MAX_OUTPUT_BYTES) }),
      ...(report.annotations?.length
        ? { annotations: report.annotations.slice(0, MAX_ANNOTATIONS).map(annotation) }
        : {}),
    },
  });
  // Octokit types JSON numbers as number | bigint; GitHub ids fit in a double.
  return { id: Number(data.id) };
}

function annotation(a: CheckRunAnnotation) {
  return {
    path: a.path,
    start_line: a.line,
    end_line: a.line,
    start_column: a.column,
    end_column: a.column,
    annotation_level: "failure" as const,
    message: truncateUtf8(a.message, MAX_ANNOTATION_BYTES),
  };
}

function truncateTitle(title: string): string {
  const chars = [...title];
  return chars.length <= MAX_TITLE_CHARS
    ? title
    : `${chars.slice(0, MAX_TITLE_CHARS - 1).join("")}…`;
}

/**
 * `text` unchanged when it fits in `maxBytes` UTF-8 bytes; else its longest prefix that ends at a
 * line break (or, failing that, a character) and leaves room for a note on what was cut, plus the note.
 */
export function truncateUtf8(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length <= maxBytes) return text;
  const note = (omitted: number): string =>
    `\n\n… truncated: ${omitted.toLocaleString("en-US")} more bytes not shown.`;
  // The note's size depends on the omitted count, which is at most the whole text.
  const budget = maxBytes - Buffer.byteLength(note(bytes.length));
  if (budget <= 0) return "";
  let cut = budget;
  // Back off continuation bytes (10xxxxxx) so that a character is never split.
  while (cut > 0 && ((bytes[cut] ?? 0) & 0xc0) === 0x80) cut--;
  const newline = bytes.lastIndexOf(0x0a, cut - 1);
  if (newline > budget / 2) cut = newline;
  return bytes.subarray(0, cut).toString("utf8") + note(bytes.length - cut);
}
