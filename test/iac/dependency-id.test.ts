import { describe, expect, it } from "vitest";
import { parseSourceAddress } from "../../src/iac/source-address.js";
import { branchNameProblem, promotionBranch } from "../../src/promotion/branches.js";

/** A dependency's id names its host, except github.com and the public registries (Patcher's ids). */
const cases: { address: string; id: string }[] = [
  // github.com: Patcher's id, whatever the form
  { address: "github.com/acme/mods//modules/vpc?ref=v1.2.0", id: "acme/mods/vpc" },
  { address: "git::https://github.com/acme/mods.git//modules/vpc?ref=v1.2.0", id: "acme/mods/vpc" },
  { address: "git::git@github.com:acme/mods.git//modules/vpc?ref=v1.2.0", id: "acme/mods/vpc" },
  { address: "git::ssh://git@GitHub.com/acme/mods.git//vpc?ref=v1.2.0", id: "acme/mods/vpc" },
  // GitHub Enterprise, GitLab, Bitbucket, Gitea, Azure DevOps: the host first, in every form
  {
    address: "git::https://ghe.example.com/acme/mods.git//modules/vpc?ref=v1.2.0",
    id: "ghe.example.com/acme/mods/vpc",
  },
  { address: "git::git@ghe.example.com:acme/mods.git?ref=v1.2.0", id: "ghe.example.com/acme/mods" },
  {
    address: "git::https://gitlab.example.com/acme/mods.git//modules/vpc?ref=v1.2.0",
    id: "gitlab.example.com/acme/mods/vpc",
  },
  {
    address: "git::ssh://git@GitLab.Example.com:2222/acme/mods.git//modules/vpc?ref=v1.2.0",
    id: "gitlab.example.com/acme/mods/vpc",
  },
  {
    address: "git::https://gitlab.com/group/sub/mods.git//vpc?ref=v1.2.0",
    id: "gitlab.com/group/sub/mods/vpc",
  },
  { address: "bitbucket.org/acme/mods.git//vpc?ref=v1.2.0", id: "bitbucket.org/acme/mods/vpc" },
  {
    address: "git::https://gitea.example.com:3000/acme/mods.git?ref=v1.2.0",
    id: "gitea.example.com:3000/acme/mods",
  },
  {
    address: "git::git@ssh.dev.azure.com:v3/acme/project/mods//modules/vpc?ref=v1.2.0",
    id: "ssh.dev.azure.com/acme/project/mods/vpc",
  },
  // The public registries: Patcher's `namespace/name/provider`, with or without their host
  { address: "hashicorp/consul/aws", id: "hashicorp/consul/aws" },
  { address: "registry.terraform.io/hashicorp/consul/aws", id: "hashicorp/consul/aws" },
  { address: "Registry.Terraform.io/hashicorp/consul/aws", id: "hashicorp/consul/aws" },
  { address: "registry.opentofu.org/hashicorp/consul/aws", id: "hashicorp/consul/aws" },
  { address: "tfr:///hashicorp/consul/aws?version=1.0.0", id: "hashicorp/consul/aws" },
  {
    address: "tfr://registry.terraform.io/hashicorp/consul/aws?version=1.0.0",
    id: "hashicorp/consul/aws",
  },
  // Any other registry: its host first
  { address: "app.terraform.io/hashicorp/consul/aws", id: "app.terraform.io/hashicorp/consul/aws" },
  {
    address: "App.Terraform.io/hashicorp/consul/aws//modules/x",
    id: "app.terraform.io/hashicorp/consul/aws",
  },
  {
    address: "tfr://app.terraform.io/hashicorp/consul/aws?version=1.0.0",
    id: "app.terraform.io/hashicorp/consul/aws",
  },
  {
    address: "registry.example.com:8443/acme/mods/aws",
    id: "registry.example.com:8443/acme/mods/aws",
  },
];

describe("a dependency's id names its host", () => {
  it.each(cases)("$address → $id", ({ address, id }) => {
    expect(parseSourceAddress(address)).toMatchObject({ id });
  });

  it("makes acme/mods on github.com, a GitHub Enterprise host and GitLab three dependencies", () => {
    const ids = ["github.com", "ghe.example.com", "gitlab.example.com"].map(
      (host) =>
        (parseSourceAddress(`git::https://${host}/acme/mods.git?ref=v1.0.0`) as { id: string }).id,
    );
    expect(ids).toEqual(["acme/mods", "ghe.example.com/acme/mods", "gitlab.example.com/acme/mods"]);
  });

  it.each(cases)("gives a valid branch name: promoter/dev/$id", ({ id }) => {
    expect(branchNameProblem(promotionBranch("dev", id))).toBeUndefined();
  });

  it("gives a host with a port a branch name too (its ':' is encoded, which git accepts)", () => {
    const branch = promotionBranch("dev", "gitea.example.com:3000/acme/mods");
    expect(branch).toBe("promoter/dev/gitea.example.com%3A3000+acme+mods");
    expect(branchNameProblem(branch)).toBeUndefined();
  });
});
