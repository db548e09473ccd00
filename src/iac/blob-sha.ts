import { createHash } from "node:crypto";

/** The git blob SHA-1 of a file's bytes: the key GitHub's trees give each file, used as our content hash. */
export function blobSha(content: Buffer | string): string {
  const bytes = typeof content === "string" ? Buffer.from(content) : content;
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}
