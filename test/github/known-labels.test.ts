import { describe, expect, it } from "vitest";
import { MemoryKnownLabels } from "../../src/github/known-labels.js";

describe("MemoryKnownLabels", () => {
  it("knows the labels added for a repository, whatever the case of its name, and no other repository's", async () => {
    const labels = new MemoryKnownLabels();
    await expect(labels.read("acme/live")).resolves.toEqual(new Set());
    await labels.add("Acme/Live", ["promoter:dev"]);
    await labels.add("acme/live", ["promoter:hold"]);
    await expect(labels.read("acme/live")).resolves.toEqual(
      new Set(["promoter:dev", "promoter:hold"]),
    );
    await expect(labels.read("acme/other")).resolves.toEqual(new Set());
  });

  it("records only what is added, not what a reader does to the set it was given", async () => {
    const labels = new MemoryKnownLabels();
    (await labels.read("acme/live")).add("promoter:dev");
    await expect(labels.read("acme/live")).resolves.toEqual(new Set());
  });
});
