import { createHash } from "node:crypto";
import { lstatSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { SourceFile } from "../iac/types.js";

const SKIPPED_FOLDERS = new Set([".git", "node_modules", ".terraform", ".terragrunt-cache"]);

/** What was last read of a file, to skip reading it again while its size and modification time stay the same. */
export interface FileStamp {
  size: number;
  mtimeMs: number;
  ino: number;
  file: SourceFile;
}

/** The git blob SHA-1 of a text, the same key GitHub's trees give for the file. */
export function blobSha(content: Buffer | string): string {
  const bytes = typeof content === "string" ? Buffer.from(content) : content;
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}

/**
 * Reads the files under `dir` whose repo-relative POSIX path passes `accept`, skipping `.git`,
 * `node_modules`, `.terraform` and `.terragrunt-cache`. With `stamps`, a file whose size, inode and
 * modification time are unchanged since the last read is not read again (as git's index does).
 */
export function readDirectory(
  dir: string,
  accept: (path: string) => boolean,
  stamps?: Map<string, FileStamp>,
): SourceFile[] {
  const files: SourceFile[] = [];
  const walk = (absolute: string, relative: string): void => {
    for (const entry of readdirSync(absolute, { withFileTypes: true })) {
      const path = relative === "" ? entry.name : `${relative}/${entry.name}`;
      const full = join(absolute, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_FOLDERS.has(entry.name)) walk(full, path);
      } else if (entry.isFile() && accept(path)) {
        files.push(readFile(full, path, stamps));
      }
    }
  };
  walk(dir, "");
  return files;
}

function readFile(full: string, path: string, stamps?: Map<string, FileStamp>): SourceFile {
  if (!stamps) return fromBytes(path, readFileSync(full));
  const stat = lstatSync(full);
  const stamp = stamps.get(path);
  if (
    stamp &&
    stamp.size === stat.size &&
    stamp.mtimeMs === stat.mtimeMs &&
    stamp.ino === stat.ino
  ) {
    return stamp.file;
  }
  const file = fromBytes(path, readFileSync(full));
  stamps.set(path, { size: stat.size, mtimeMs: stat.mtimeMs, ino: stat.ino, file });
  return file;
}

function fromBytes(path: string, bytes: Buffer): SourceFile {
  return { path, content: bytes.toString("utf8"), hash: blobSha(bytes) };
}
