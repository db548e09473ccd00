import { describe, expect, it } from "vitest";
import type { Inventory } from "../../src/iac/types.js";
import { modulesOf, usersOfRelease } from "../../src/promotion/module-users.js";
import { inventoryOf } from "./inventories.js";

describe("modulesOf", () => {
  it("names each git module repository once, lower-case, and no registry module", () => {
    const inventory = inventoryOf({
      dev: { "acme/vpc/vpc": ["v1.0.0"], "acme/sqs/sqs": ["v2.0.0"] },
      prod: { "acme/vpc/vpc": ["v0.9.0"] },
    });
    const first = inventory.environments[0]?.dependencies[0];
    if (first?.origin.type === "git") first.origin.owner = "Acme";
    const registry: Inventory["environments"][number]["dependencies"][number] = {
      id: "hashicorp/consul/aws",
      kind: "registry",
      source: "hashicorp/consul/aws",
      origin: { type: "registry", namespace: "hashicorp", name: "consul", provider: "aws" },
      versions: ["0.1.0"],
      usages: [],
    };
    inventory.environments[1]?.dependencies.push(registry);
    expect([...modulesOf(inventory)]).toEqual(["acme/vpc", "acme/sqs"]);
  });
});

describe("usersOfRelease", () => {
  const repositories = ["acme/app", "acme/Other", "acme/unchecked", "Acme/VPC"].map((fullName) => ({
    fullName,
  }));
  const known = new Map<string, Set<string>>([
    ["acme/app", new Set(["acme/vpc"])],
    ["acme/Other", new Set(["acme/sqs"])],
    ["Acme/VPC", new Set(["acme/vpc"])],
  ]);
  it.each([
    ["acme/vpc", ["acme/app", "acme/unchecked"]],
    ["acme/sqs", ["acme/Other", "acme/unchecked"]],
    ["acme/none", ["acme/unchecked"]],
  ])("a release of %s: %j", (module, expected) => {
    const [owner = "", repo = ""] = module.split("/");
    const users = usersOfRelease(repositories, { owner, repo, module }, (n) => known.get(n));
    expect(users.map((r) => r.fullName)).toEqual(expected);
  });
});
