import {
  closeSync,
  fstatSync,
  lstatSync,
  openSync,
  readFileSync,
  readSync,
  readdirSync,
} from "node:fs";
import type { Stats } from "node:fs";
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
  const root = join(dir, "/");
  return paths.map((path) => readFile(root + path, path, stamps));
}

function readFile(full: string, path: string, stamps?: Map<string, FileStamp>): SourceFile {
  if (!stamps) return sourceFile(path, readFileSync(full));
  const stamp = stamps.get(path);
  if (stamp) {
    const stat = lstatSync(full);
    if (stamp.size === stat.size && stamp.mtimeMs === stat.mtimeMs && stamp.ino === stat.ino) {
      return stamp.file;
    }
  }
  const { bytes, stat } = readWithStat(full);
  const file = sourceFile(path, bytes);
  stamps.set(path, { size: stat.size, mtimeMs: stat.mtimeMs, ino: stat.ino, file });
  return file;
}

/** The file's bytes and the stat of the very file read (one open, no separate lstat of the path). */
function readWithStat(full: string): { bytes: Buffer; stat: Stats } {
  const fd = openSync(full, "r");
  try {
    const stat = fstatSync(fd);
    const bytes = Buffer.allocUnsafeSlow(stat.size);
    let read = 0;
    while (read < stat.size) {
      const n = readSync(fd, bytes, read, stat.size - read, null);
      if (n === 0) break;
      read += n;
    }
    return { bytes: read === stat.size ? bytes : bytes.subarray(0, read), stat };
  } finally {
    closeSync(fd);
  }
}
