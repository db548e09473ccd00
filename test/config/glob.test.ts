import fc from "fast-check";
import picomatch from "picomatch";
import { describe, expect, it } from "vitest";
import {
  GlobError,
  MAX_GLOB_ALTERNATIVES,
  MAX_GLOB_LENGTH,
  MAX_GLOB_WILDCARDS,
  compileGlobs,
  globProblem,
} from "../../src/config/glob.js";

const matches = (glob: string, text: string) => compileGlobs([glob])(text);

/** Whether each text matches the glob, as `text:Y` or `text:n`. */
const outcomes = (glob: string, ...texts: string[]) => {
  const match = compileGlobs([glob]);
  return texts.map((t) => `${t}:${match(t) ? "Y" : "n"}`).join(" ");
};

describe("compileGlobs: the syntax", () => {
  it("* and ? stay within a segment and match dotfiles", () => {
    expect(outcomes("*", "a", ".a", "a/b")).toBe("a:Y .a:Y a/b:n");
    expect(outcomes("*.tf", "main.tf", ".tf", "x/main.tf")).toBe("main.tf:Y .tf:Y x/main.tf:n");
    expect(outcomes("a?c", "abc", "a.c", "a/c", "ac")).toBe("abc:Y a.c:Y a/c:n ac:n");
  });

  it("** as a segment matches any number of segments, dot folders included", () => {
    expect(outcomes("a/**/b", "a/b", "a/x/b", "a/x/y/b", "a/.x/b", "ab")).toBe(
      "a/b:Y a/x/b:Y a/x/y/b:Y a/.x/b:Y ab:n",
    );
    expect(outcomes("**/b", "b", "x/b", "x/y/b", "xb")).toBe("b:Y x/b:Y x/y/b:Y xb:n");
    expect(outcomes("**", "a", "a/b", ".github/x")).toBe("a:Y a/b:Y .github/x:Y");
    expect(outcomes("**/examples/**", "examples", "a/examples/b", "a/examples")).toBe(
      "examples:Y a/examples/b:Y a/examples:Y",
    );
  });

  it("a trailing /** matches the folder itself, except after a *", () => {
    expect(outcomes("dev/**", "dev", "dev/a", "dev/a/b", "devx")).toBe(
      "dev:Y dev/a:Y dev/a/b:Y devx:n",
    );
    expect(outcomes("dev-*/**", "dev-x", "dev-x/a", "dev-/a")).toBe("dev-x:n dev-x/a:Y dev-/a:Y");
  });

  it("** inside a segment is *", () => {
    expect(outcomes("a**b", "ab", "axb", "ax/yb")).toBe("ab:Y axb:Y ax/yb:n");
    expect(outcomes("a/***/b", "a/x/b", "a/x/y/b")).toBe("a/x/b:Y a/x/y/b:n");
  });

  it("classes: sets, ranges, negation, POSIX names; never a /", () => {
    expect(outcomes("[ab]", "a", "b", "c")).toBe("a:Y b:Y c:n");
    expect(outcomes("[a-c]x", "bx", "dx")).toBe("bx:Y dx:n");
    expect(outcomes("[!a]", "a", "b", "/")).toBe("a:n b:Y /:n");
    expect(outcomes("[^a]", "a", "b", "/")).toBe("a:n b:Y /:n");
    expect(outcomes("[]a]", "]", "a", "b")).toBe("]:Y a:Y b:n");
    expect(outcomes("[a-]", "a", "-")).toBe("a:Y -:Y");
    expect(outcomes("[[:digit:]x]", "1", "x", "a")).toBe("1:Y x:Y a:n");
    expect(outcomes("[\\]]", "]")).toBe("]:Y");
    expect(outcomes("a[", "a[")).toBe("a[:Y");
    expect(outcomes("a[/]b", "a/b", "a[/]b")).toBe("a/b:n a[/]b:Y");
  });

  it("braces: alternatives, nested, with / inside, expanded before ** is recognised", () => {
    expect(outcomes("{dev,stage}/**", "dev/a", "stage/a/b", "prod/a")).toBe(
      "dev/a:Y stage/a/b:Y prod/a:n",
    );
    expect(outcomes("{a,{b,c}}x", "ax", "cx", "dx")).toBe("ax:Y cx:Y dx:n");
    expect(outcomes("a{,b}", "a", "ab")).toBe("a:Y ab:Y");
    expect(outcomes("{dev/**,stage/*.hcl}", "dev/x/y", "stage/a.hcl", "stage/x/a.hcl")).toBe(
      "dev/x/y:Y stage/a.hcl:Y stage/x/a.hcl:n",
    );
    expect(outcomes("{a}", "a", "{a}")).toBe("a:n {a}:Y");
    expect(outcomes("{a,b", "{a,b", "a")).toBe("{a,b:Y a:n");
  });

  it("*.* wants a character after the dot, as in picomatch", () => {
    expect(outcomes("*.*", "a.b", ".b", "a.", "a")).toBe("a.b:Y .b:Y a.:n a:n");
    expect(outcomes("**/*.*", "x/a.b", "x/a.")).toBe("x/a.b:Y x/a.:n");
    expect(outcomes("x/*.*", "x/a.")).toBe("x/a.:Y");
  });

  it("escapes, a leading ./, and characters a regular expression would read", () => {
    expect(outcomes("\\*", "*", "a")).toBe("*:Y a:n");
    expect(outcomes("./a/*", "a/b")).toBe("a/b:Y");
    expect(outcomes("a.b+c$^", "a.b+c$^", "axb+c$^")).toBe("a.b+c$^:Y axb+c$^:n");
  });

  it("matches any of several globs, and never the empty text", () => {
    const match = compileGlobs(["dev/**", "*.tf"]);
    expect([match("dev/a"), match("main.tf"), match("x/main.tf"), match("")]).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect(compileGlobs([])("a")).toBe(false);
  });

  it("refuses a glob that globProblem refuses", () => {
    expect(() => compileGlobs(["+(a|b)"])).toThrow(GlobError);
  });
});

describe("globProblem", () => {
  it("accepts the globs real configs use", () => {
    for (const glob of [
      "prod-*/**",
      "**/examples/**",
      "{dev,stage}-us-east-1/**/terragrunt.hcl",
      "gruntwork-io/terraform-aws-messaging/*",
      "live/[a-z]*/**/*.{tf,hcl}",
      "\\(legacy\\)/**",
    ]) {
      expect(globProblem(glob), glob).toBeUndefined();
    }
  });

  it("refuses negation, extglobs and ranges", () => {
    expect(globProblem("!dev/**")).toMatch(/^a leading ! \(negation\) is not supported/);
    expect(globProblem("dev/+(a|b)/**")).toMatch(/^"\(" is not supported/);
    expect(globProblem("a|b")).toMatch(/^"\|" is not supported/);
    expect(globProblem("env-{1..3}/**")).toBe(
      "ranges such as {1..3} are not supported: list the values, e.g. {1,2,3}",
    );
    expect(globProblem("[(|)]")).toBeUndefined();
  });

  it("bounds the length, the wildcards and the alternatives", () => {
    expect(globProblem("a".repeat(MAX_GLOB_LENGTH))).toBeUndefined();
    expect(globProblem("a".repeat(MAX_GLOB_LENGTH + 1))).toBe(
      `must be at most ${MAX_GLOB_LENGTH} characters long`,
    );
    expect(globProblem("*a".repeat(MAX_GLOB_WILDCARDS))).toBeUndefined();
    expect(globProblem("*a".repeat(MAX_GLOB_WILDCARDS + 1))).toBe(
      `has ${MAX_GLOB_WILDCARDS + 1} wildcards: at most ${MAX_GLOB_WILDCARDS} are allowed`,
    );
    expect(globProblem("{a,b}".repeat(6))).toBeUndefined();
    expect(globProblem("{a,b}".repeat(7))).toBe(
      `expands to 128 alternatives: at most ${MAX_GLOB_ALTERNATIVES} are allowed`,
    );
    expect(globProblem("{a,b}".repeat(50))).toBe(
      `expands to more than a million alternatives: at most ${MAX_GLOB_ALTERNATIVES} are allowed`,
    );
  });
});

describe("compileGlobs: hostile globs and texts finish", () => {
  // Catastrophic backtracking in picomatch: each of these ran for seconds to minutes.
  const cases: [string, string, boolean][] = [
    ["*a*a*a*a*a*a*a*a*a*a*a*a*b/**", "a".repeat(40), false],
    ["dev-*/**/*-*-*-*-*-*-*-*-prod/**", `dev-x/${"-".repeat(2000)}`, false],
    ["**/*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", `${"a/".repeat(500)}${"a".repeat(3000)}`, false],
    [`${"*?".repeat(16)}b`, "a".repeat(4000), false],
    ["*a*a*a*a*a*a*a*a*a*a*a*a*b/**", `${"a".repeat(40)}b/c`, true],
  ];
  it.each(cases)("%s", { timeout: 10_000 }, (glob, text, expected) => {
    expect(globProblem(glob)).toBeUndefined();
    expect(matches(glob, text)).toBe(expected);
  });
});

describe("compileGlobs agrees with picomatch (dot: true) over the supported syntax", () => {
  const char = fc.constantFrom("a", "b", ".", "-");
  // Repo paths and dependency ids: non-empty segments, never `.` or `..` (git refuses those).
  const segment = fc
    .array(char, { minLength: 1, maxLength: 4 })
    .map((chars) => chars.join(""))
    .filter((s) => s !== "." && s !== "..");
  const path = fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => s.join("/"));

  const atom = fc.oneof(
    { weight: 4, arbitrary: char },
    { weight: 3, arbitrary: fc.constant("*") },
    { weight: 2, arbitrary: fc.constant("?") },
    // No POSIX class ([[:alpha:]]): with one, picomatch reads every `.` of the glob as any character.
    { weight: 1, arbitrary: fc.constantFrom("[ab]", "[^a]", "[a-b]", "[.-]", "[^.]") },
  );
  // Runs of stars inside a segment (`a**`, `***`) are left to the unit tests: picomatch misreads
  // some of them (`a.{***/***,}` matches "aa").
  const word = fc
    .array(atom, { minLength: 1, maxLength: 3 })
    .map((a) => a.join(""))
    .filter((w) => !w.includes("**"));
  const braces = fc
    .array(
      fc.oneof(
        word,
        fc.constant(""),
        word.map((w) => `${w}/${w}`),
      ),
      {
        minLength: 2,
        maxLength: 3,
      },
    )
    .map((options) => `{${options.join(",")}}`)
    // Inside braces picomatch reads `..` as a range and wants `.*` to match a character at least.
    .filter((b) => !b.includes("..") && !b.includes(".*"));
  const globSegment = fc.oneof(
    { weight: 4, arbitrary: word },
    { weight: 2, arbitrary: fc.constant("**") },
    { weight: 1, arbitrary: fc.tuple(word, braces).map(([w, b]) => `${w}${b}`) },
  );
  const glob = fc.array(globSegment, { minLength: 1, maxLength: 4 }).map((s) => s.join("/"));

  it("on random globs and paths", () => {
    fc.assert(
      fc.property(glob, fc.array(path, { minLength: 1, maxLength: 8 }), (g, paths) => {
        const ours = compileGlobs([g]);
        const theirs = picomatch(g, { dot: true });
        for (const p of paths) expect(ours(p), `${g} on ${p}`).toBe(theirs(p));
      }),
      { numRuns: 3000 },
    );
  });

  it("on several globs at once: a path matches when any glob does", () => {
    fc.assert(
      fc.property(
        fc.array(glob, { minLength: 1, maxLength: 3 }),
        fc.array(path, { minLength: 1, maxLength: 8 }),
        (globs, paths) => {
          const ours = compileGlobs(globs);
          const theirs = picomatch(globs, { dot: true });
          for (const p of paths) expect(ours(p), `${globs.join(" ")} on ${p}`).toBe(theirs(p));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("on paths that match by construction", () => {
    // Each piece of a glob with a text it matches: a path made of those matches the glob.
    type Piece = [glob: string, text: string];
    const filler = fc.array(char, { maxLength: 2 }).map((c) => c.join(""));
    const atomPiece: fc.Arbitrary<Piece> = fc.oneof(
      char.map((c): Piece => [c, c]),
      filler.map((t): Piece => ["*", t]),
      char.map((c): Piece => ["?", c]),
      fc.constantFrom<Piece>(
        ["[ab]", "b"],
        ["[^a]", "-"],
        ["[a-b]", "a"],
        ["[.-]", "."],
        ["[^.]", "b"],
      ),
    );
    const wordPiece = fc
      .array(atomPiece, { minLength: 1, maxLength: 3 })
      .map((pieces): Piece => [pieces.map((p) => p[0]).join(""), pieces.map((p) => p[1]).join("")])
      .filter(([g]) => !g.includes("**"));
    const bracePiece = fc
      .array(wordPiece, { minLength: 2, maxLength: 3 })
      .chain((options) =>
        fc
          .nat(options.length - 1)
          .map((k): Piece => [`{${options.map((o) => o[0]).join(",")}}`, options[k]?.[1] ?? ""]),
      )
      .filter(([g]) => !g.includes("..") && !g.includes(".*"));
    const segmentPiece = fc.oneof(
      { weight: 4, arbitrary: wordPiece },
      {
        weight: 2,
        arbitrary: fc
          .array(segment, { maxLength: 2 })
          .map((segments): Piece => ["**", segments.join("/")]),
      },
      {
        weight: 1,
        arbitrary: fc
          .tuple(wordPiece, bracePiece)
          .map(([w, b]): Piece => [`${w[0]}${b[0]}`, `${w[1]}${b[1]}`]),
      },
    );
    const filled = fc
      .array(segmentPiece, { minLength: 1, maxLength: 4 })
      .map((pieces) => ({
        glob: pieces.map((p) => p[0]).join("/"),
        // A `**` that matches no segment leaves none behind.
        path: pieces
          .filter(([g, t]) => g !== "**" || t !== "")
          .map((p) => p[1])
          .join("/"),
      }))
      .filter(({ path: p }) => p.split("/").every((s) => s !== "" && s !== "." && s !== ".."))
      // A glob expanding to more alternatives than compileGlobs accepts is refused, by design (tested above).
      .filter(({ glob: g }) => braceAlternatives(g) <= MAX_GLOB_ALTERNATIVES);
    let matched = 0;
    fc.assert(
      fc.property(filled, ({ glob: g, path: p }) => {
        const ours = compileGlobs([g])(p);
        expect(ours, `${g} on ${p}`).toBe(picomatch(g, { dot: true })(p));
        if (ours) matched++;
      }),
      { numRuns: 3000 },
    );
    // Only a trailing `/**` after a `*` that matches no segment fails to match.
    expect(matched).toBeGreaterThan(2700);
  });
});

/** How many alternatives the (unnested) brace groups of `glob` expand to. */
function braceAlternatives(glob: string): number {
  return [...glob.matchAll(/\{([^{}]*)\}/g)].reduce(
    (n, m) => n * (m[1] ?? "").split(",").length,
    1,
  );
}
