import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { classifyRef, parseSourceAddress } from "../../src/iac/source-address.js";
import type { RefSpan } from "../../src/iac/source-address.js";

const alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".split("");
const lower = "abcdefghijklmnopqrstuvwxyz0123456789".split("");

/** A path segment: starts with a letter or digit, then letters, digits, `-` and `_` (no dots, so never `.git`). */
const segment = fc
  .tuple(
    fc.constantFrom(...alnum),
    fc.string({ unit: fc.constantFrom(...alnum, "-", "_"), maxLength: 12 }),
  )
  .map(([first, rest]) => first + rest);

const hostLabel = fc.string({ unit: fc.constantFrom(...lower), minLength: 1, maxLength: 8 });
const otherHost = fc
  .array(hostLabel, { minLength: 2, maxLength: 3 })
  .map((labels) => labels.join("."))
  .filter((h) => h !== "github.com");
const host = fc.oneof(fc.constant("github.com"), otherHost);

const subpath = fc
  .tuple(fc.boolean(), fc.array(segment, { maxLength: 3 }))
  .map(([modules, parts]) =>
    [...(modules && parts.length > 0 ? ["modules"] : []), ...parts].join("/"),
  );

/** Any ref git allows in a query value: no `&`, `#`, `?` or spaces. */
/** A ref; not `tags/…` (read as the tag after it) and without `//` (a subdirectory after the query). */
const ref = fc
  .string({
    unit: fc.constantFrom(...alnum, ".", "-", "_", "/", "+", "%"),
    minLength: 1,
    maxLength: 20,
  })
  .filter((r) => !r.includes("//") && !/^(refs\/)?tags\//.test(r));
const version = fc
  .tuple(fc.boolean(), fc.nat(99), fc.nat(99), fc.nat(99))
  .map(([v, a, b, c]) => `${v ? "v" : ""}${a}.${b}.${c}`);

const otherParams = fc.array(
  fc
    .tuple(fc.constantFrom("depth", "sshkey", "archive", "x"), segment)
    .map(([k, v]) => `${k}=${v}`),
  { maxLength: 2 },
);

/** The query with `key=value` inserted among the other parameters, and the query without it. */
function query(key: string, value: string, others: string[], position: number) {
  const at = position % (others.length + 1);
  const all = [...others.slice(0, at), `${key}=${value}`, ...others.slice(at)];
  return {
    withParam: `?${all.join("&")}`,
    without: others.length > 0 ? `?${others.join("&")}` : "",
  };
}

const gitForms = ["https", "ssh", "ssh-port", "git-scp", "scp", "shorthand"] as const;
type GitForm = (typeof gitForms)[number];

function gitRepoUrl(form: GitForm, h: string, path: string): string {
  switch (form) {
    case "https":
      return `git::https://${h}/${path}`;
    case "ssh":
      return `git::ssh://git@${h}/${path}`;
    case "ssh-port":
      return `git::ssh://git@${h}:2222/${path}`;
    case "git-scp":
      return `git::git@${h}:${path}`;
    case "scp":
      return `git@${h}:${path}`;
    case "shorthand":
      return `${h}/${path}`;
  }
}

const gitAddress = fc
  .record({
    form: fc.constantFrom(...gitForms),
    host,
    owner: fc.array(segment, { minLength: 1, maxLength: 3 }),
    repo: segment,
    dotGit: fc.boolean(),
    subpath,
    ref,
    others: otherParams,
    position: fc.nat(),
  })
  .map((g) => {
    // GitHub shorthand only exists for github.com, whose owners are one segment.
    const shorthand = g.form === "shorthand";
    const h = shorthand ? "github.com" : g.host;
    const owner = shorthand ? g.owner.slice(0, 1) : g.owner;
    const repoUrl =
      gitRepoUrl(g.form, h, `${owner.join("/")}/${g.repo}${g.dotGit ? ".git" : ""}`) +
      (g.subpath === "" ? "" : `//${g.subpath}`);
    const q = query("ref", g.ref, g.others, g.position);
    return {
      ...g,
      host: h,
      owner: owner.join("/"),
      address: repoUrl + q.withParam,
      source: repoUrl + q.without,
    };
  });

/** Patcher's id on github.com; any other host is named first. */
function expectedId(host: string, base: string, sub: string): string {
  const inner = sub.replace(/^modules\//, "");
  const id = host === "github.com" ? base : `${host}/${base}`;
  return inner === "" ? id : `${id}/${inner}`;
}

function replaceSpan(address: string, span: RefSpan, value: string): string {
  return address.slice(0, span.start) + value + address.slice(span.end);
}

describe("parseSourceAddress properties: git", () => {
  it("recovers host, owner, repo, subpath, id, source and the ref span", () => {
    fc.assert(
      fc.property(gitAddress, (g) => {
        const parsed = parseSourceAddress(g.address);
        expect(parsed).toMatchObject({
          type: "git",
          host: g.host,
          owner: g.owner,
          repo: g.repo,
          subpath: g.subpath,
          id: expectedId(g.host, `${g.owner}/${g.repo}`, g.subpath),
          source: g.source,
          ref: { value: g.ref },
        });
        if (parsed.type !== "git" || !parsed.ref) throw new Error("no ref");
        expect(g.address.slice(parsed.ref.start, parsed.ref.end)).toBe(g.ref);
      }),
    );
  });

  it("editing the ref span changes only the ref", () => {
    fc.assert(
      fc.property(gitAddress, version, (g, next) => {
        const before = parseSourceAddress(g.address);
        if (before.type !== "git" || !before.ref) throw new Error("no ref");
        const edited = replaceSpan(g.address, before.ref, next);
        const after = parseSourceAddress(edited);
        if (after.type !== "git" || !after.ref) throw new Error("no ref after edit");
        expect(after.id).toBe(before.id);
        expect(after.source).toBe(before.source);
        expect(after.ref.value).toBe(next);
        expect(after.ref.start).toBe(before.ref.start);
        expect(edited.slice(after.ref.start, after.ref.end)).toBe(next);
        expect(classifyRef(after.ref.value)).toBe("version");
      }),
    );
  });
});

const registryName = segment;
const provider = fc.string({ unit: fc.constantFrom(...lower), minLength: 1, maxLength: 10 });
const registryHost = fc.option(
  otherHost.filter((h) => h !== "bitbucket.org"),
  { nil: undefined },
);

const registryModule = fc.record({
  host: registryHost,
  namespace: registryName.filter((s) => /[0-9A-Za-z]$/.test(s)),
  name: registryName.filter((s) => /[0-9A-Za-z]$/.test(s)),
  provider,
  subpath,
});

describe("parseSourceAddress properties: registry", () => {
  it("recovers the parts of `[host/]namespace/name/provider[//subpath]`", () => {
    fc.assert(
      fc.property(registryModule, (m) => {
        const address =
          (m.host ? `${m.host}/` : "") +
          `${m.namespace}/${m.name}/${m.provider}` +
          (m.subpath ? `//${m.subpath}` : "");
        const parsed = parseSourceAddress(address);
        expect(parsed).toMatchObject({
          type: "registry",
          namespace: m.namespace,
          name: m.name,
          provider: m.provider,
          subpath: m.subpath,
          id: `${m.host ? `${m.host}/` : ""}${m.namespace}/${m.name}/${m.provider}`,
          source: address,
        });
        if (parsed.type === "registry") {
          expect(parsed.host).toBe(m.host);
          expect(parsed.version).toBeUndefined();
        }
      }),
    );
  });

  it("recovers tfr:// addresses and their version span, and survives editing it", () => {
    fc.assert(
      fc.property(
        registryModule,
        version,
        version,
        otherParams,
        fc.nat(),
        (m, current, next, others, position) => {
          const base =
            `tfr://${m.host ?? ""}/${m.namespace}/${m.name}/${m.provider}` +
            (m.subpath ? `//${m.subpath}` : "");
          const q = query("version", current, others, position);
          const address = base + q.withParam;
          const parsed = parseSourceAddress(address);
          expect(parsed).toMatchObject({
            type: "registry",
            namespace: m.namespace,
            name: m.name,
            provider: m.provider,
            subpath: m.subpath,
            id: `${m.host ? `${m.host}/` : ""}${m.namespace}/${m.name}/${m.provider}`,
            source: base + q.without,
            version: { value: current },
          });
          if (parsed.type !== "registry" || !parsed.version) throw new Error("no version");
          expect(parsed.host).toBe(m.host);
          expect(address.slice(parsed.version.start, parsed.version.end)).toBe(current);

          const after = parseSourceAddress(replaceSpan(address, parsed.version, next));
          expect(after).toMatchObject({
            id: parsed.id,
            source: parsed.source,
            version: { value: next },
          });
        },
      ),
    );
  });
});

describe("classifyRef properties", () => {
  it("classifies version tags, with or without a monorepo prefix", () => {
    fc.assert(
      fc.property(fc.option(segment, { nil: undefined }), version, (prefix, v) => {
        expect(classifyRef(prefix === undefined ? v : `${prefix}-${v}`)).toBe("version");
      }),
    );
  });

  it("classifies 40-hex SHAs as commits", () => {
    const hex = fc.string({
      unit: fc.constantFrom(..."0123456789abcdef"),
      minLength: 40,
      maxLength: 40,
    });
    fc.assert(
      fc.property(hex, (sha) => {
        expect(classifyRef(sha)).toBe("commit");
      }),
    );
  });
});
