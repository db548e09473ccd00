/**
 * Git objects as git itself stores them: blobs, trees and commits, named by the SHA-1 of
 * `<type> <length>\0<body>`, so that the ids the simulator hands out are the ids `git` computes.
 */
import { createHash } from "node:crypto";

/** A file mode as the GitHub API writes it. */
export type GitMode = "100644" | "100755" | "120000" | "040000" | "160000";

/** One entry of a tree object. */
export interface GitTreeEntry {
  name: string;
  mode: GitMode;
  type: "blob" | "tree" | "commit";
  sha: string;
}

/** An author or committer line. */
export interface GitIdentity {
  name: string;
  email: string;
  /** ISO 8601 date. */
  date: string;
}

/** The content of a commit object. */
export interface GitCommitData {
  tree: string;
  parents: string[];
  author: GitIdentity;
  committer: GitIdentity;
  message: string;
}

export type GitObject =
  | { type: "blob"; content: Buffer }
  | { type: "tree"; entries: GitTreeEntry[] }
  | { type: "commit"; commit: GitCommitData };

/** A leaf of a flattened tree: a file (blob) or a submodule (commit), by repository-relative path. */
export interface FlatEntry {
  mode: GitMode;
  type: "blob" | "commit";
  sha: string;
}

/** One line of a (recursive) tree listing, as `GET /git/trees` answers it. */
export interface TreeListing {
  path: string;
  mode: GitMode;
  type: "blob" | "tree" | "commit";
  sha: string;
  /** Blobs only. */
  size?: number;
}

/** The id git gives an object of `type` whose body is `body`. */
export function hashObject(type: "blob" | "tree" | "commit" | "tag", body: Buffer): string {
  return createHash("sha1").update(`${type} ${body.length}\0`).update(body).digest("hex");
}

/** `git hash-object` of a file's bytes. */
export function blobSha(content: Buffer | string): string {
  return hashObject("blob", typeof content === "string" ? Buffer.from(content, "utf8") : content);
}

/** Git's order of tree entries: by name, a subtree compared as if its name ended with `/`. */
function sortKey(entry: GitTreeEntry): string {
  return entry.type === "tree" ? `${entry.name}/` : entry.name;
}

function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/** Sorts tree entries in git's order (a new array). */
export function sortTreeEntries(entries: readonly GitTreeEntry[]): GitTreeEntry[] {
  return [...entries].sort((a, b) => compareBytes(sortKey(a), sortKey(b)));
}

/** The body of a tree object: `<mode> <name>\0<20-byte sha>` per entry, in git's order. */
export function encodeTree(entries: readonly GitTreeEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of sortTreeEntries(entries)) {
    // Git writes a subtree's mode without the leading zero.
    const mode = entry.mode === "040000" ? "40000" : entry.mode;
    parts.push(Buffer.from(`${mode} ${entry.name}\0`, "utf8"), Buffer.from(entry.sha, "hex"));
  }
  return Buffer.concat(parts);
}

/** `1700000000 +0000` for an ISO date (git's raw date; the simulator writes UTC). */
function gitDate(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`invalid date: ${iso}`);
  return `${Math.floor(ms / 1000)} +0000`;
}

/** The body of a commit object, as `git commit-tree` writes it. */
export function encodeCommit(commit: GitCommitData): Buffer {
  const lines = [`tree ${commit.tree}`];
  for (const parent of commit.parents) lines.push(`parent ${parent}`);
  lines.push(
    `author ${commit.author.name} <${commit.author.email}> ${gitDate(commit.author.date)}`,
    `committer ${commit.committer.name} <${commit.committer.email}> ${gitDate(commit.committer.date)}`,
  );
  return Buffer.from(`${lines.join("\n")}\n\n${commit.message}`, "utf8");
}

const SHA = /^[0-9a-f]{40}$/;

/** Whether `value` looks like a full SHA-1. */
export function isSha(value: string): boolean {
  return SHA.test(value);
}

/** One repository's object database. */
export class GitStore {
  readonly objects = new Map<string, GitObject>();

  has(sha: string): boolean {
    return this.objects.has(sha);
  }

  get(sha: string): GitObject | undefined {
    return this.objects.get(sha);
  }

  writeBlob(content: Buffer | string): string {
    const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : content;
    const sha = hashObject("blob", bytes);
    if (!this.objects.has(sha)) this.objects.set(sha, { type: "blob", content: bytes });
    return sha;
  }

  writeTree(entries: readonly GitTreeEntry[]): string {
    const sorted = sortTreeEntries(entries);
    const sha = hashObject("tree", encodeTree(sorted));
    if (!this.objects.has(sha)) this.objects.set(sha, { type: "tree", entries: sorted });
    return sha;
  }

  writeCommit(commit: GitCommitData): string {
    const sha = hashObject("commit", encodeCommit(commit));
    if (!this.objects.has(sha)) this.objects.set(sha, { type: "commit", commit });
    return sha;
  }

  blob(sha: string): Buffer | undefined {
    const object = this.objects.get(sha);
    return object?.type === "blob" ? object.content : undefined;
  }

  tree(sha: string): GitTreeEntry[] | undefined {
    const object = this.objects.get(sha);
    return object?.type === "tree" ? object.entries : undefined;
  }

  commit(sha: string): GitCommitData | undefined {
    const object = this.objects.get(sha);
    return object?.type === "commit" ? object.commit : undefined;
  }

  /** Every file (and submodule) of a tree by path. */
  flatten(
    treeSha: string,
    prefix = "",
    into = new Map<string, FlatEntry>(),
  ): Map<string, FlatEntry> {
    const entries = this.tree(treeSha);
    if (entries === undefined) throw new Error(`not a tree: ${treeSha}`);
    for (const entry of entries) {
      const path = prefix + entry.name;
      if (entry.type === "tree") this.flatten(entry.sha, `${path}/`, into);
      else into.set(path, { mode: entry.mode, type: entry.type, sha: entry.sha });
    }
    return into;
  }

  /** The entries of a tree, with those of its subtrees when `recursive` (parents before children). */
  list(treeSha: string, recursive: boolean, prefix = ""): TreeListing[] {
    const entries = this.tree(treeSha);
    if (entries === undefined) throw new Error(`not a tree: ${treeSha}`);
    const out: TreeListing[] = [];
    for (const entry of entries) {
      const path = prefix + entry.name;
      const size = entry.type === "blob" ? this.blob(entry.sha)?.length : undefined;
      out.push({
        path,
        mode: entry.mode,
        type: entry.type,
        sha: entry.sha,
        ...(size === undefined ? {} : { size }),
      });
      if (recursive && entry.type === "tree") out.push(...this.list(entry.sha, true, `${path}/`));
    }
    return out;
  }

  /** Writes the trees of a flattened file map (empty directories disappear) and returns the root's id. */
  buildTree(files: ReadonlyMap<string, FlatEntry>): string {
    interface Dir {
      files: GitTreeEntry[];
      dirs: Map<string, Dir>;
    }
    const root: Dir = { files: [], dirs: new Map() };
    for (const [path, entry] of files) {
      const parts = path.split("/");
      const name = parts.pop();
      if (name === undefined || name === "" || parts.some((part) => part === ""))
        throw new Error(`invalid path: ${path}`);
      let dir = root;
      for (const part of parts) {
        let next = dir.dirs.get(part);
        if (next === undefined) {
          next = { files: [], dirs: new Map() };
          dir.dirs.set(part, next);
        }
        dir = next;
      }
      dir.files.push({ name, mode: entry.mode, type: entry.type, sha: entry.sha });
    }
    const write = (dir: Dir): string =>
      this.writeTree([
        ...dir.files,
        ...[...dir.dirs].map(([name, sub]): GitTreeEntry => ({
          name,
          mode: "040000",
          type: "tree",
          sha: write(sub),
        })),
      ]);
    return write(root);
  }

  /** Writes files (text as UTF-8, or bytes; mode 100644) as a tree. */
  writeFiles(files: Readonly<Record<string, string | Buffer>>): string {
    const flat = new Map<string, FlatEntry>();
    for (const [path, content] of Object.entries(files))
      flat.set(path, { mode: "100644", type: "blob", sha: this.writeBlob(content) });
    return this.buildTree(flat);
  }

  /** The files of a tree, decoded as UTF-8. */
  readFiles(treeSha: string): Record<string, string> {
    const files: Record<string, string> = {};
    for (const [path, entry] of this.flatten(treeSha)) {
      if (entry.type !== "blob") continue;
      files[path] = (this.blob(entry.sha) ?? Buffer.alloc(0)).toString("utf8");
    }
    return files;
  }

  /** Every commit reachable from `sha` (itself included). */
  ancestors(sha: string): Set<string> {
    const seen = new Set<string>();
    const stack = [sha];
    while (stack.length > 0) {
      const next = stack.pop() as string;
      if (seen.has(next)) continue;
      const commit = this.commit(next);
      if (commit === undefined) continue;
      seen.add(next);
      stack.push(...commit.parents);
    }
    return seen;
  }

  /** A best common ancestor of two commits (the one closest to `b`), if any. */
  mergeBase(a: string, b: string): string | undefined {
    const fromA = this.ancestors(a);
    // Breadth-first from b: the first commit also reachable from a.
    const queue = [b];
    const seen = new Set<string>();
    while (queue.length > 0) {
      const next = queue.shift() as string;
      if (seen.has(next)) continue;
      seen.add(next);
      if (fromA.has(next)) return next;
      queue.push(...(this.commit(next)?.parents ?? []));
    }
    return undefined;
  }

  /**
   * The commits reachable from `head` and not from `base`, oldest first (parents before children,
   * as `git log --reverse --topo-order base..head`).
   */
  commitsBetween(base: string, head: string): string[] {
    const excluded = this.ancestors(base);
    const order: string[] = [];
    const visited = new Set<string>();
    const visit = (sha: string): void => {
      const stack: { sha: string; expanded: boolean }[] = [{ sha, expanded: false }];
      while (stack.length > 0) {
        const top = stack.pop() as { sha: string; expanded: boolean };
        if (top.expanded) {
          order.push(top.sha);
          continue;
        }
        if (visited.has(top.sha) || excluded.has(top.sha)) continue;
        visited.add(top.sha);
        stack.push({ sha: top.sha, expanded: true });
        const parents = this.commit(top.sha)?.parents ?? [];
        for (const parent of [...parents].reverse()) stack.push({ sha: parent, expanded: false });
      }
    };
    visit(head);
    return order;
  }
}
