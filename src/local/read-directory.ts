import { lstatSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { sourceFile } from "../iac/source-file.js";
import type { SourceFile } from "../iac/types.js";

const SKIPPED_FOLDERS = new Set([".git", "node_modules", ".terraform", ".terragrunt-cache"]);

/** What was last read of a file, to skip reading it again while its size and modification time stay the same. */
export interface FileStamp {
  size: number;
  mtimeMs: number;
  ino: number;
  file: SourceFile;
}

/** The repo-relative POSIX paths of the files under `dir`, without `.git`, `node_modules`, `.terraform` and `.terragrunt-cache`. */
export function listDirectory(dir: string): string[] {
  const paths: string[] = [];
  const walk = (absolute: string, relative: string): void => {
    for (const entry of readdirSync(absolute, { withFileTypes: true })) {
      const path = relative === "" ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!SKIPPED_FOLDERS.has(entry.name)) walk(join(absolute, entry.name), path);
      } else if (entry.isFile()) {
        paths.push(path);
      }
    }
  };
  walk(dir, "");
  return paths;
}

/**
 * Reads files of `dir` by repo-relative path. With `stamps`, a file whose size, inode and
 * modification time are unchanged since the last read is not read again (as git's index does).
 */
export function readFiles(
  dir: string,
  paths: readonly string[],
  stamps?: Map<string, FileStamp>,
): SourceFile[] {
  return paths.map((path) => readFile(join(dir, path), path, stamps));
}

function readFile(full: string, path: string, stamps?: Map<string, FileStamp>): SourceFile {
  if (!stamps) return sourceFile(path, readFileSync(full));
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
  const file = sourceFile(path, readFileSync(full));
  stamps.set(path, { size: stat.size, mtimeMs: stat.mtimeMs, ino: stat.ino, file });
  return file;
}
