import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { formatProblem, parseConfig } from "../../src/config/index.js";

const example = readFileSync(new URL("../fixtures/config/example.yml", import.meta.url), "utf8");

/** The formatted errors of a config that must be invalid. */
function errorsOf(text: string): string[] {
  const result = parseConfig(text);
  if (result.ok) throw new Error("expected the config to be invalid");
  return result.errors.map(formatProblem);
}

const lines = (...l: string[]) => `${l.join("\n")}\n`;

describe("parseConfig", () => {
  it("parses the example config", () => {
    const result = parseConfig(example);
    expect(result).toMatchObject({ ok: true, warnings: [] });
    expect(result.ok && result.config).toEqual({
      environments: [
        { name: "dev", paths: ["dev-*/**"], exclude: [], promotion: "auto" },
        {
          name: "stage",
          paths: ["stage-*/**"],
          exclude: ["stage-*/experimental/**"],
          promotion: "auto",
        },
        { name: "prod", paths: ["prod-*/**"], exclude: [], promotion: "manual" },
      ],
      exclude: ["**/examples/**"],
      allowSkipping: false,
      dashboard: true,
      labels: [],
      groups: [],
      updates: {
        strategy: "next-safe",
        schedule: "daily",
        ignore: [],
        prerelease: false,
        registry: "terraform",
        tagPrefix: {},
        rebaseWhen: "conflicted",
      },
    });
  });

  it("applies every default to a minimal config", () => {
    const result = parseConfig(lines("environments:", "  - name: dev", "    paths: [dev/**]"));
    expect(result.ok && result.config).toEqual({
      environments: [{ name: "dev", paths: ["dev/**"], exclude: [], promotion: "auto" }],
      exclude: [],
      allowSkipping: false,
      dashboard: true,
      labels: [],
      groups: [],
      updates: {
        strategy: "next-safe",
        schedule: "daily",
        ignore: [],
        prerelease: false,
        registry: "terraform",
        tagPrefix: {},
        rebaseWhen: "conflicted",
      },
    });
  });

  it("fills in the defaults of a partial updates section", () => {
    const result = parseConfig(
      lines("environments: [{ name: dev, paths: [dev/**] }]", "updates:", "  strategy: latest"),
    );
    expect(result.ok && result.config.updates).toEqual({
      strategy: "latest",
      schedule: "daily",
      ignore: [],
      prerelease: false,
      registry: "terraform",
      tagPrefix: {},
      rebaseWhen: "conflicted",
    });
  });

  it.each(["hourly", "daily", "weekly", "0 6 * * 1-5", "*/15 * * * *", "0 0 1 JAN,JUL MON"])(
    "accepts the schedule %j",
    (schedule) => {
      const result = parseConfig(
        lines(
          "environments: [{ name: dev, paths: [dev/**] }]",
          `updates: { schedule: "${schedule}" }`,
        ),
      );
      expect(result.ok && result.config.updates.schedule).toBe(schedule);
    },
  );

  it("uses the given file name", () => {
    const result = parseConfig("environments: 3\n", "promoter.yml");
    expect(result.ok ? [] : result.errors.map(formatProblem)).toEqual([
      "promoter.yml:1:15: environments: must be a list (got 3)",
    ]);
  });

  describe("reports", () => {
    it("a YAML syntax error at its position", () => {
      expect(
        errorsOf(lines("environments:", "  - name: dev", '    paths: ["dev/**"', "updates: {}")),
      ).toEqual([
        ".github/promoter.yml:4:1: Flow sequence in block collection must be sufficiently indented and end with a ]",
      ]);
    });

    it("a duplicate key", () => {
      expect(
        errorsOf(lines("environments:", "  - name: dev", "    paths: [a]", "    paths: [b]")),
      ).toEqual([".github/promoter.yml:4:5: Map keys must be unique"]);
    });

    it("an unknown top-level key, at the key", () => {
      expect(
        errorsOf(lines("environments: [{ name: dev, paths: [dev/**] }]", "", "enviroment: x")),
      ).toEqual([
        '.github/promoter.yml:3:1: enviroment: unknown key, did you mean "environments"?',
      ]);
    });

    it("a registry that is neither a known name nor an https URL, and an empty tag prefix", () => {
      expect(
        errorsOf(
          lines(
            "environments: [{ name: dev, paths: [dev/**] }]",
            "updates:",
            "  registry: ftp://mirror.example.com",
            "  tagPrefix:",
            '    "acme/modules/vpc": ""',
          ),
        ),
      ).toEqual([
        '.github/promoter.yml:3:13: updates.registry: must be "terraform", "opentofu" or an https URL',
        '.github/promoter.yml:5:25: updates.tagPrefix["acme/modules/vpc"]: must not be empty',
      ]);
    });

    it("unknown nested keys, at each key", () => {
      expect(
        errorsOf(
          lines(
            "environments:",
            "  - name: dev",
            "    paths: [dev/**]",
            "    promtion: manual",
            "updates:",
            "  frequency: daily",
          ),
        ),
      ).toEqual([
        '.github/promoter.yml:4:5: environments[0].promtion: unknown key, did you mean "promotion"?',
        ".github/promoter.yml:6:3: updates.frequency: unknown key (allowed keys: strategy, schedule, ignore, prerelease, registry, tagPrefix, rebaseWhen, rebaseAfterDays, maxOpenPullRequests, maxNewPullRequests, minimumReleaseAge)",
      ]);
    });

    it("a value of the wrong type", () => {
      expect(
        errorsOf(
          lines(
            "environments:",
            "  - name: dev",
            "    paths: dev/**",
            "updates:",
            "  prerelease: yes",
            "  ignore: {}",
          ),
        ),
      ).toEqual([
        '.github/promoter.yml:3:12: environments[0].paths: must be a list (got "dev/**")',
        '.github/promoter.yml:5:15: updates.prerelease: must be true or false (got "yes")',
        ".github/promoter.yml:6:11: updates.ignore: must be a list (got a mapping)",
      ]);
    });

    it("a value that is not one of the allowed ones", () => {
      expect(
        errorsOf(
          lines(
            "environments:",
            "  - name: dev",
            "    paths: [dev/**]",
            "  - name: prod",
            "    paths: [prod/**]",
            "    promotion: sometimes",
          ),
        ),
      ).toEqual([
        '.github/promoter.yml:6:16: environments[1].promotion: must be one of "auto", "manual" (got "sometimes")',
      ]);
    });

    it("an empty value at its key", () => {
      expect(
        errorsOf(
          lines("environments: [{ name: dev, paths: [dev/**] }]", "updates:", "  strategy:"),
        ),
      ).toEqual([
        '.github/promoter.yml:3:3: updates.strategy: must be one of "next-safe", "next-breaking", "latest" (got an empty value)',
      ]);
    });

    it("an invalid schedule", () => {
      expect(
        errorsOf(
          lines(
            "environments: [{ name: dev, paths: [dev/**] }]",
            "updates:",
            "  schedule: 0 6 * *",
          ),
        ),
      ).toEqual([
        '.github/promoter.yml:3:13: updates.schedule: must be "hourly", "daily", "weekly" or a cron expression with 5 fields, e.g. "0 6 * * 1-5" (got "0 6 * *")',
      ]);
    });

    it("a cron expression that cron cannot read, at the schedule", () => {
      const schedule = (expression: string) =>
        errorsOf(
          lines(
            "environments: [{ name: dev, paths: [dev/**] }]",
            "updates:",
            `  schedule: "${expression}"`,
          ),
        );
      expect(schedule("99 99 99 99 99")).toEqual([
        '.github/promoter.yml:3:13: updates.schedule: is not a valid cron expression: Constraint error, got value 99 expected range 0-59 (got "99 99 99 99 99")',
      ]);
      expect(schedule("a b c d e")).toEqual([
        '.github/promoter.yml:3:13: updates.schedule: is not a valid cron expression: Invalid characters, got value: a (got "a b c d e")',
      ]);
      expect(schedule("*/0 * * * *")).toEqual([
        '.github/promoter.yml:3:13: updates.schedule: is not a valid cron expression: Constraint error, cannot repeat at every 0 time. (got "*/0 * * * *")',
      ]);
    });

    it("a cron expression that never fires", () => {
      for (const expression of ["0 0 30 2 *", "0 0 31 4,6 *", "0 0 30-31 2 *"]) {
        expect(
          errorsOf(
            lines(
              "environments: [{ name: dev, paths: [dev/**] }]",
              "updates:",
              `  schedule: "${expression}"`,
            ),
          ),
        ).toEqual([
          `.github/promoter.yml:3:13: updates.schedule: never fires: no month it names has that day (got "${expression}")`,
        ]);
      }
    });

    it("a hashed cron field (H), which would fire at a random time", () => {
      expect(
        errorsOf(
          lines(
            "environments: [{ name: dev, paths: [dev/**] }]",
            "updates:",
            '  schedule: "H 6 * * *"',
          ),
        ),
      ).toEqual([
        '.github/promoter.yml:3:13: updates.schedule: H (a hashed value) is not supported: write the minute or hour, e.g. "17 6 * * *" (got "H 6 * * *")',
      ]);
    });

    it("duplicate environment names, at the second one", () => {
      expect(
        errorsOf(
          lines(
            "environments:",
            "  - name: dev",
            "    paths: [dev/**]",
            "  - name: prod",
            "    paths: [prod/**]",
            "  - name: dev",
            "    paths: [dev2/**]",
            "  - name: Prod",
            "    paths: [prod2/**]",
          ),
        ),
      ).toEqual([
        '.github/promoter.yml:6:11: environments[2].name: duplicate environment name "dev" (already used by environments[0])',
        '.github/promoter.yml:8:11: environments[3].name: environment name "Prod" clashes with "prod" (environments[1]): names must differ in more than letter case',
      ]);
    });

    it("invalid environment names", () => {
      expect(
        errorsOf(
          lines(
            "environments:",
            '  - name: "us east"',
            "    paths: [a/**]",
            "  - name: ..",
            "    paths: [b/**]",
            "  - name: hold",
            "    paths: [c/**]",
            "  - name: ''",
            "    paths: [d/**]",
          ),
        ),
      ).toEqual([
        '.github/promoter.yml:2:11: environments[0].name: may only contain letters, digits, "-", "_" and "." (got "us east")',
        '.github/promoter.yml:4:11: environments[1].name: must not start with "." or contain "..", as it becomes part of a git branch name (got "..")',
        '.github/promoter.yml:6:11: environments[2].name: "hold" is reserved: the label promoter:hold stops a promotion',
        ".github/promoter.yml:8:11: environments[3].name: must not be empty",
      ]);
    });

    it("no environments", () => {
      expect(errorsOf("environments: []\n")).toEqual([
        ".github/promoter.yml:1:15: environments: must list at least one environment",
      ]);
      expect(errorsOf("updates: {}\n")).toEqual([
        ".github/promoter.yml:1:1: environments: is required",
      ]);
    });

    it("empty paths and empty globs", () => {
      expect(
        errorsOf(
          lines(
            "environments:",
            "  - name: dev",
            "    paths: []",
            "  - name: prod",
            '    paths: ["prod/**", ""]',
          ),
        ),
      ).toEqual([
        ".github/promoter.yml:3:12: environments[0].paths: must list at least one glob",
        ".github/promoter.yml:5:24: environments[1].paths[1]: must not be empty",
      ]);
    });

    it("a missing key at its parent mapping", () => {
      expect(errorsOf(lines("environments:", "  - paths: [dev/**]"))).toEqual([
        ".github/promoter.yml:2:5: environments[0].name: is required",
      ]);
    });

    it("an empty file", () => {
      for (const text of ["", "\n", "# nothing yet\n"]) {
        expect(errorsOf(text)).toEqual([
          ".github/promoter.yml:1:1: the file is empty: it must define at least `environments`",
        ]);
      }
    });

    it("a file that is not a mapping", () => {
      expect(errorsOf("- dev\n- prod\n")).toEqual([
        ".github/promoter.yml:1:1: the file must be a mapping with at least an `environments` key (got a list)",
      ]);
      expect(errorsOf("dev\n")).toEqual([
        '.github/promoter.yml:1:1: the file must be a mapping with at least an `environments` key (got "dev")',
      ]);
    });

    it("an unresolved alias", () => {
      expect(errorsOf(lines("environments:", "  - name: dev", "    paths: *dev"))).toEqual([
        ".github/promoter.yml:3:12: Unresolved alias (the anchor must be set before the alias): dev",
      ]);
    });

    it("every problem of a file at once, in file order", () => {
      expect(
        errorsOf(
          lines(
            "environments:",
            "  - name: dev",
            "    paths: [dev/**]",
            "  - name: dev",
            "    paths: []",
            "    promotion: sometimes",
            "  - paths: [prod/**]",
            "updates:",
            "  strategy: newest",
            "  schedule: [daily]",
            "colour: blue",
            "exclude: [a, b",
          ),
        ),
      ).toEqual([
        '.github/promoter.yml:4:11: environments[1].name: duplicate environment name "dev" (already used by environments[0])',
        ".github/promoter.yml:5:12: environments[1].paths: must list at least one glob",
        '.github/promoter.yml:6:16: environments[1].promotion: must be one of "auto", "manual" (got "sometimes")',
        ".github/promoter.yml:7:5: environments[2].name: is required",
        '.github/promoter.yml:9:13: updates.strategy: must be one of "next-safe", "next-breaking", "latest" (got "newest")',
        ".github/promoter.yml:10:13: updates.schedule: must be a string (got a list)",
        ".github/promoter.yml:11:1: colour: unknown key (allowed keys: environments, exclude, updates, groups, dashboard, artifacts, allowSkipping, labels)",
        ".github/promoter.yml:13:1: Flow sequence in block collection must be sufficiently indented and end with a ]",
      ]);
    });
  });

  it("accepts cron expressions that fire, even rarely", () => {
    for (const schedule of [
      "0 6 * * 1-5",
      "*/15 * * * *",
      "0 0 29 2 *",
      "0 0 L * *",
      "0 0 * * 1#5",
      "0 0 30 2 1",
    ]) {
      const result = parseConfig(
        lines(
          "environments: [{ name: dev, paths: [dev/**] }]",
          `updates: { schedule: "${schedule}" }`,
        ),
      );
      expect(result.ok && result.config.updates.schedule, schedule).toBe(schedule);
    }
  });

  it("follows aliases to the anchored node", () => {
    const result = parseConfig(
      lines(
        "environments:",
        "  - name: dev",
        "    paths: &globs [dev/**]",
        "  - name: prod",
        "    paths: *globs",
      ),
    );
    expect(result.ok && result.config.environments[1]?.paths).toEqual(["dev/**"]);
    expect(result.ok && result.source.locate(["environments", 1, "paths", 0])).toEqual({
      line: 3,
      column: 20,
    });
  });
});

describe("ConfigSource.locate", () => {
  const result = parseConfig(example);
  if (!result.ok) throw new Error("the example must be valid");
  const { locate } = result.source;

  it("finds a node", () => {
    expect(locate(["environments", 1, "exclude", 0])).toEqual({ line: 6, column: 15 });
    expect(locate(["updates", "schedule"])).toEqual({ line: 13, column: 13 });
  });

  it("falls back to the closest existing parent", () => {
    expect(locate(["environments", 0, "exclude"])).toEqual({ line: 2, column: 5 });
    expect(locate(["environments", 7])).toEqual({ line: 2, column: 3 });
  });
});

describe("formatProblem", () => {
  it("leaves out an empty path", () => {
    const problem = { file: "f.yml", line: 1, column: 2, path: "", message: "boom" };
    expect(formatProblem(problem)).toBe("f.yml:1:2: boom");
    expect(formatProblem({ ...problem, path: "exclude[0]" })).toBe("f.yml:1:2: exclude[0]: boom");
  });
});

describe("parseConfig: globs", () => {
  it("reports a glob that is unsupported or too complex, at the glob", () => {
    expect(
      errorsOf(
        lines(
          "environments:",
          "  - name: dev",
          '    paths: ["dev/**", "!dev/tmp/**"]',
          `    exclude: ["${"*a".repeat(33)}"]`,
          "exclude: [+(a|b)/**]",
          "updates:",
          '  ignore: ["acme/{1..3}"]',
          "  tagPrefix:",
          '    "acme/{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}": "x-"',
        ),
      ),
    ).toEqual([
      '.github/promoter.yml:3:23: environments[0].paths[1]: a leading ! (negation) is not supported: list what to leave out in an `exclude` (got "!dev/tmp/**")',
      `.github/promoter.yml:4:15: environments[0].exclude[0]: has 33 wildcards: at most 32 are allowed (got "${"*a".repeat(33).slice(0, 57)}…")`,
      '.github/promoter.yml:5:11: exclude[0]: "(" is not supported (extglobs such as +(a|b) are not): use {a,b} for alternatives, or \\( for the character itself (got "+(a|b)/**")',
      '.github/promoter.yml:7:12: updates.ignore[0]: ranges such as {1..3} are not supported: list the values, e.g. {1,2,3} (got "acme/{1..3}")',
      '.github/promoter.yml:9:5: updates.tagPrefix["acme/{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}"]: expands to 128 alternatives: at most 64 are allowed (got "acme/{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}")',
    ]);
  });

  it("accepts the hostile globs of the issue: they are matched in bounded time", () => {
    const result = parseConfig(
      lines(
        "environments:",
        "  - name: dev",
        '    paths: ["dev-*/**/*-*-*-*-*-*-*-*-prod/**", "*a*a*a*a*a*a*a*a*a*a*a*a*b/**"]',
      ),
    );
    expect(result.ok).toBe(true);
  });
});

/** The errors of a config whose only environment has this name, as written in YAML. */
const environment = (name: string) =>
  errorsOf(lines("environments:", `  - name: ${name}`, "    paths: [a/**]"));

describe("parseConfig: values as written", () => {
  it("says what it got when a name is not a string, as written", () => {
    expect(environment("1e400")).toEqual([
      ".github/promoter.yml:2:11: environments[0].name: must be a string (got 1e400, which YAML reads as a number: put it in quotes)",
    ]);
    expect(environment("0o12")).toEqual([
      ".github/promoter.yml:2:11: environments[0].name: must be a string (got 0o12, which YAML reads as a number: put it in quotes)",
    ]);
    expect(environment("true")).toEqual([
      ".github/promoter.yml:2:11: environments[0].name: must be a string (got true, which YAML reads as a boolean: put it in quotes)",
    ]);
    expect(environment("~")).toEqual([
      ".github/promoter.yml:2:11: environments[0].name: must be a string (got ~, which YAML reads as an empty value: put it in quotes)",
    ]);
    expect(environment("")).toEqual([
      ".github/promoter.yml:2:5: environments[0].name: must be a string (got an empty value)",
    ]);
  });

  it("says what it got for any string field, and cuts a long value short", () => {
    expect(
      errorsOf(
        lines(
          "environments:",
          "  - name: dev",
          "    paths: [1.50, null]",
          "    promoters: [12345]",
          "labels: [false]",
          "updates:",
          "  schedule: 0",
          `  strategy: ${"x".repeat(200)}`,
        ),
      ),
    ).toEqual([
      ".github/promoter.yml:3:13: environments[0].paths[0]: must be a string (got 1.50, which YAML reads as a number: put it in quotes)",
      ".github/promoter.yml:3:19: environments[0].paths[1]: must be a string (got null, which YAML reads as an empty value: put it in quotes)",
      ".github/promoter.yml:4:17: environments[0].promoters[0]: must be a string (got 12345, which YAML reads as a number: put it in quotes)",
      ".github/promoter.yml:5:10: labels[0]: must be a string (got false, which YAML reads as a boolean: put it in quotes)",
      ".github/promoter.yml:7:13: updates.schedule: must be a string (got 0, which YAML reads as a number: put it in quotes)",
      `.github/promoter.yml:8:13: updates.strategy: must be one of "next-safe", "next-breaking", "latest" (got "${"x".repeat(57)}…")`,
    ]);
  });
});

describe("parseConfig: names that become refs and labels", () => {
  it("refuses environment names git refuses as a branch name", () => {
    expect(environment("dev.lock")).toEqual([
      '.github/promoter.yml:2:11: environments[0].name: must not end with ".lock", as it becomes part of a git branch name (got "dev.lock")',
    ]);
    expect(environment("-dev")).toEqual([
      '.github/promoter.yml:2:11: environments[0].name: must not start with "-", as it becomes part of a git branch name (got "-dev")',
    ]);
    expect(environment("HEAD")).toEqual([
      '.github/promoter.yml:2:11: environments[0].name: "HEAD" is reserved by git (got "HEAD")',
    ]);
    expect(environment("..")).toEqual([
      '.github/promoter.yml:2:11: environments[0].name: must not start with "." or contain "..", as it becomes part of a git branch name (got "..")',
    ]);
    expect(environment("dev.")).toEqual([
      '.github/promoter.yml:2:11: environments[0].name: must not end with ".", as it becomes part of a git branch name (got "dev.")',
    ]);
    expect(environment("dev@{1}")).toEqual([
      '.github/promoter.yml:2:11: environments[0].name: may only contain letters, digits, "-", "_" and "." (got "dev@{1}")',
    ]);
  });

  it("refuses extra labels that Promoter's own labels could be confused with, or GitHub refuses", () => {
    expect(
      errorsOf(
        lines(
          "environments: [{ name: dev, paths: [a/**] }]",
          "labels:",
          "  - promoter:hold",
          "  - Promoter:urgent",
          "  - a,b",
          '  - " padded"',
          "  - dependencies",
          "  - Dependencies",
        ),
      ),
    ).toEqual([
      '.github/promoter.yml:3:5: labels[0]: must not start with "promoter:": Promoter\'s own labels do (promoter:<environment>, promoter:hold) (got "promoter:hold")',
      '.github/promoter.yml:4:5: labels[1]: must not start with "promoter:": Promoter\'s own labels do (promoter:<environment>, promoter:hold) (got "Promoter:urgent")',
      '.github/promoter.yml:5:5: labels[2]: must not contain ",": GitHub separates labels with commas in its filters (got "a,b")',
      '.github/promoter.yml:6:5: labels[3]: must not start or end with a space (got " padded")',
      '.github/promoter.yml:8:5: labels[5]: "Dependencies" is listed twice (labels[4]: "dependencies"): GitHub labels ignore letter case',
    ]);
  });

  it("refuses promoters that are no GitHub login or team", () => {
    expect(
      errorsOf(
        lines(
          "environments:",
          "  - name: dev",
          "    paths: [a/**]",
          `    promoters: [-alice, "${"b".repeat(40)}", acme/sre, "dependabot[bot]", acme/]`,
        ),
      ),
    ).toEqual([
      '.github/promoter.yml:4:17: environments[0].promoters[0]: must be a user login or an org/team (got "-alice")',
      `.github/promoter.yml:4:25: environments[0].promoters[1]: must be a user login or an org/team (got "${"b".repeat(40)}")`,
      '.github/promoter.yml:4:98: environments[0].promoters[4]: must be a user login or an org/team (got "acme/")',
    ]);
  });

  it("refuses tag prefixes that no git tag can start with", () => {
    expect(
      errorsOf(
        lines(
          "environments: [{ name: dev, paths: [a/**] }]",
          "updates:",
          "  tagPrefix:",
          '    "acme/a": "vpc v"',
          '    "acme/b": ".vpc-"',
          '    "acme/c": "vpc..x-"',
          '    "acme/d": "vpc.lock/"',
          `    "acme/e": "${"p".repeat(101)}"`,
          '    "acme/f": "modules/vpc/"',
        ),
      ),
    ).toEqual([
      '.github/promoter.yml:4:15: updates.tagPrefix["acme/a"]: may not contain a space, a control character or any of ~^:?*[\\ in a git tag (got "vpc v")',
      '.github/promoter.yml:5:15: updates.tagPrefix["acme/b"]: no part of a git tag may start with "." (got ".vpc-")',
      '.github/promoter.yml:6:15: updates.tagPrefix["acme/c"]: must not contain ".." in a git tag (got "vpc..x-")',
      '.github/promoter.yml:7:15: updates.tagPrefix["acme/d"]: no part of a git tag may end with ".lock" (got "vpc.lock/")',
      `.github/promoter.yml:8:15: updates.tagPrefix["acme/e"]: must be at most 100 characters long`,
    ]);
  });
});

describe("parseConfig: hostile files", () => {
  it("refuses a file larger than 64 KiB at once", () => {
    const huge = `environments: [{ name: dev, paths: [a/**] }]\n#${"x".repeat(70_000)}\n`;
    expect(errorsOf(huge)).toEqual([
      ".github/promoter.yml:1:1: the file is 70,047 bytes: at most 65,536 are read",
    ]);
  });

  it(
    "refuses an alias bomb (billion laughs) quickly, at the first alias",
    { timeout: 10_000 },
    () => {
      const levels = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"];
      for (const [i, name] of [..."bcdefghi"].entries()) {
        const previous = "abcdefghi"[i];
        levels.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(", ")}]`);
      }
      const bomb = lines(
        "x:",
        ...levels.map((l) => `  ${l}`),
        "environments: [{ name: dev, paths: *i }]",
      );
      expect(errorsOf(bomb)).toEqual([
        ".github/promoter.yml:3:10: the aliases (*name) of the file stand for too many nodes (at most 100): write the values out",
      ]);
    },
  );

  it("refuses lists and mappings longer than any real config needs", () => {
    const many = (n: number) => `[${Array.from({ length: n }, (_, i) => `x${i}`).join(", ")}]`;
    expect(
      errorsOf(
        lines(
          `environments: [{ name: dev, paths: ${many(101)} }]`,
          `labels: ${many(26)}`,
          "updates:",
          `  ignore: ${many(501)}`,
        ),
      ),
    ).toEqual([
      ".github/promoter.yml:1:36: environments[0].paths: must list at most 100 globs (got 101)",
      ".github/promoter.yml:2:9: labels: must list at most 25 labels (got 26)",
      ".github/promoter.yml:4:11: updates.ignore: must list at most 500 globs (got 501)",
    ]);
  });

  it("refuses keys that are lists or mappings, at the key", () => {
    expect(
      errorsOf(
        lines(
          "environments: [{ name: dev, paths: [a/**] }]",
          "updates:",
          "  tagPrefix:",
          "    ? [acme/a, acme/b]",
          "    : vpc-",
        ),
      ),
    ).toEqual([".github/promoter.yml:4:7: a key must be text, not a list or a mapping"]);
  });
});

describe("dashboard", () => {
  const config = (value: string) =>
    parseConfig(
      lines("environments:", "  - name: dev", "    paths: [dev/**]", `dashboard: ${value}`),
    );
  it.each([
    ["false", false],
    ["true", true],
    ["{}", { title: "Promoter: promotion dashboard" }],
    ['{ title: "Versions" }', { title: "Versions" }],
  ])("reads %s", (value, expected) => {
    const result = config(value);
    expect(result.ok && result.config.dashboard).toEqual(expected);
  });

  it.each([
    ['{ title: "" }', "dashboard: must be true, false or { title: ... }"],
    ["{ titel: x }", "titel"],
    ["yes please", "must be true, false or { title: ... }"],
  ])("refuses %s", (value, message) => {
    const result = config(value);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors.map(formatProblem).join("\n")).toContain(message);
  });
});

describe("parseConfig: artifacts", () => {
  it("reads artifacts, files defaulting to every .tfvars and .hcl file", () => {
    const result = parseConfig(
      lines(
        "environments:",
        "  - name: dev",
        "    paths: [dev/**]",
        "artifacts:",
        "  - name: payments-api",
        "    key: payments_api_version",
        '    files: ["**/*.tfvars", "**/env.hcl"]',
        "  - name: acme/web",
        "    key: web_version",
      ),
    );
    expect(result.ok && result.config.artifacts).toEqual([
      { name: "payments-api", key: "payments_api_version", files: ["**/*.tfvars", "**/env.hcl"] },
      { name: "acme/web", key: "web_version", files: ["**/*.tfvars", "**/*.hcl"] },
    ]);
  });

  it("says what is wrong with an artifact: a name used twice, a key that is no attribute name, no files", () => {
    expect(
      errorsOf(
        lines(
          "environments:",
          "  - name: dev",
          "    paths: [dev/**]",
          "artifacts:",
          "  - name: api",
          "    key: api_version",
          "  - name: API",
          '    key: "api version"',
          "    files: []",
          "  - name: ../x",
          "    key: v",
          "    releases: acme",
          "    colour: blue",
          "  - name: group-web",
          "    key: web_version",
        ),
      ),
    ).toEqual([
      '.github/promoter.yml:7:11: artifacts[1].name: the artifact name "API" is used twice (artifacts[0])',
      '.github/promoter.yml:8:10: artifacts[1].key: must be an HCL attribute name (got "api version")',
      ".github/promoter.yml:9:12: artifacts[1].files: must list at least one glob",
      '.github/promoter.yml:10:11: artifacts[2].name: must be letters, digits, "-", "_" and "." in parts separated by "/" (got "../x")',
      '.github/promoter.yml:12:15: artifacts[2].releases: must be a repository, "owner/repo" (got "acme")',
      ".github/promoter.yml:13:5: artifacts[2].colour: unknown key (allowed keys: name, key, files, releases)",
      '.github/promoter.yml:14:11: artifacts[3].name: must not start with "group-", which names a group\'s branch (got "group-web")',
    ]);
  });
});
