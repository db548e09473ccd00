import { z } from "zod";
import { ALLOW_HTTP_HOSTS_VARIABLE, parseAllowHttpHosts } from "../versions/source-hosts.js";
import { PROMOTER_LABEL_PREFIX } from "../promotion/names.js";
import { globProblem, nameGlob } from "./glob.js";
import { environmentNameProblem, tagPrefixProblem } from "./ref-names.js";
import { SCHEDULE_PATTERN, cronProblem, isScheduleKeyword } from "./schedule.js";
import { got, quoted } from "./values.js";
import { durationMs } from "./duration.js";

/** Where the configuration lives in a repository. */
export const DEFAULT_CONFIG_FILE = ".github/promoter.yml";

/** GitHub rejects labels longer than 50 characters; the label is `promoter:<name>`. */
const MAX_ENVIRONMENT_NAME_LENGTH = 50 - PROMOTER_LABEL_PREFIX.length;

/** A cron expression of five fields is far shorter; the bound keeps the check of a hostile one cheap. */
const MAX_SCHEDULE_LENGTH = 100;

/** Environment names that would collide with one of the app's own labels. */
const RESERVED_ENVIRONMENT_NAMES = ["hold"];

/**
 * Whether a URL from a repository's config is https, or plain http on a host the operator allows it
 * for: the environment is the operator's, the config the repository's.
 */
function isHttpsOrAllowedHttp(value: string): boolean {
  try {
    const url = new URL(value);
    if (url.protocol === "https:") return true;
    return parseAllowHttpHosts(process.env[ALLOW_HTTP_HOSTS_VARIABLE]).has(url.host.toLowerCase());
  } catch {
    return false;
  }
}

/** GitHub's limit on the length of a label's name. */
const MAX_LABEL_LENGTH = 50;
/** A tag prefix is a few characters (`vpc-`, `modules/vpc/`). */
const MAX_TAG_PREFIX_LENGTH = 100;

/**
 * How long each list of the config may be: far more than a real config lists, few enough that a
 * hostile one costs little to check and to match.
 */
const MAX_ITEMS = {
  environments: 100,
  globs: 100,
  ignore: 500,
  tagPrefix: 500,
  labels: 25,
  promoters: 100,
  groups: 100,
  artifacts: 100,
};

/** A group's name is one component of a branch name, `promoter/<environment>/group-<name>`. */
const MAX_GROUP_NAME_LENGTH = 100;

/** `.max()` of a list, saying how long it was. */
const atMost = (max: number, what: string) => ({
  error: (issue: { input?: unknown }) =>
    `must list at most ${max} ${what} (got ${(issue.input as unknown[] | undefined)?.length ?? "more"})`,
});

/** A glob of the config: not empty, and one {@link globProblem} accepts (bounded in size). */
const globString = () =>
  z
    .string()
    .min(1, { error: "must not be empty", abort: true })
    .superRefine((glob, ctx) => {
      const problem = globProblem(glob);
      if (problem) {
        ctx.addIssue({ code: "custom", input: glob, message: `${problem} ${got(glob)}` });
      }
    });

const glob = globString().describe(
  "A glob, relative to the root of the repository, e.g. `prod-*/**`: `*`, `**`, `?`, `[abc]`, `[!a]`, `{a,b}`.",
);

const environmentName = z
  .string()
  .min(1, { error: "must not be empty", abort: true })
  .max(MAX_ENVIRONMENT_NAME_LENGTH, {
    error: (issue) =>
      `must be at most ${MAX_ENVIRONMENT_NAME_LENGTH} characters long, so that the label promoter:<name> fits GitHub's limit ${got(issue.input)}`,
  })
  .regex(/^[A-Za-z0-9._-]+$/, {
    error: (issue) => `may only contain letters, digits, "-", "_" and "." ${got(issue.input)}`,
  })
  .superRefine((name, ctx) => {
    if (!/^[A-Za-z0-9._-]+$/.test(name)) return;
    const problem = environmentNameProblem(name);
    if (problem) ctx.addIssue({ code: "custom", input: name, message: `${problem} ${got(name)}` });
  })
  .refine((name) => !RESERVED_ENVIRONMENT_NAMES.includes(name.toLowerCase()), {
    error: (issue) =>
      `${quoted(String(issue.input))} is reserved: the label promoter:hold stops a promotion`,
  })
  .describe(
    "The name of the environment. It names the branches (`promoter/<name>/...`) and the label (`promoter:<name>`) of this environment's pull requests, and is what `/promote <name>` refers to. Letters, digits, `-`, `_` and `.` only, making a valid git branch name: not starting with `-` or `.`, not ending with `.` or `.lock`, no `..`, not `HEAD`.",
  );

/** A duration, `30s`, `10m`, `24h`, `3d`, kept as written (see `durationMs`). */
const duration = (what: string) =>
  z
    .string()
    .refine((text) => durationMs(text) !== undefined, {
      error: (issue) =>
        `must be a duration: a whole number and s, m, h or d, e.g. "30s", "10m", "24h", "3d", of at most a year ${got(issue.input)}`,
    })
    .describe(what);

/** What must have worked in an environment before its versions go on to the next one. */
const verifySchema = z
  .strictObject({
    checks: z
      .array(
        z
          .string()
          .min(1, { error: "must not be empty", abort: true })
          .superRefine((glob, ctx) => {
            const problem = globProblem(nameGlob(glob));
            if (problem)
              ctx.addIssue({ code: "custom", input: glob, message: `${problem} ${got(glob)}` });
          })
          .describe(
            "The name of a check run or a commit status, or a glob of names (`*` within names; `(`, `)` and `|` are themselves).",
          ),
      )
      .max(MAX_ITEMS.globs, atMost(MAX_ITEMS.globs, "checks"))
      .default([])
      .describe(
        'Check runs or commit statuses, by name (globs), that must have succeeded on the merge commit that brought the version to this environment (or a later commit of the default branch that still has it), e.g. `["terragrunt apply (dev)", "smoke-tests"]`. Default `[]`.',
      ),
    deployment: z
      .string()
      .min(1, { error: "must not be empty" })
      .max(255, { error: "must be at most 255 characters long" })
      .optional()
      .describe(
        "A GitHub deployment environment whose latest deployment of that commit must have the status `success`. Optional.",
      ),
    soak: duration(
      "How long after the checks (and the deployment) succeeded the version stays in this environment before it goes on, e.g. `24h`. Default: none.",
    ).optional(),
  })
  .describe(
    "Evidence that a version works in this environment, required before the next environment gets it: without it the next environment's pull request opens at the merge, as before.",
  );

/** A GitHub login (1 to 39 letters, digits and `-`, not first), an app's `<slug>[bot]`, or `org/team`. */
const PROMOTER = /^[A-Za-z0-9][A-Za-z0-9-]{0,38}(?:\[bot\]|\/[A-Za-z0-9][A-Za-z0-9._-]{0,99})?$/;

/** One environment of the promotion chain. */
export const environmentSchema = z
  .strictObject({
    name: environmentName,
    paths: z
      .array(glob)
      .min(1, "must list at least one glob")
      .max(MAX_ITEMS.globs, atMost(MAX_ITEMS.globs, "globs"))
      .describe(
        "Globs, relative to the root of the repository, of the files that belong to this environment, e.g. `prod-*/**`.",
      ),
    exclude: z
      .array(glob)
      .max(MAX_ITEMS.globs, atMost(MAX_ITEMS.globs, "globs"))
      .default([])
      .describe(
        "Globs of files matched by `paths` that do not belong to this environment after all. Default `[]`.",
      ),
    promotion: z
      .enum(["auto", "manual"])
      .default("auto")
      .describe(
        "How a version reaches this environment from the previous one. `auto`: merging the previous environment's pull request opens this environment's pull request. `manual`: wait for a `/promote <name>` comment. Ignored for the first environment, which is updated on `updates.schedule` and on new releases. Default `auto`.",
      ),
    promoters: z
      .array(
        z.string().regex(PROMOTER, {
          error: (issue) => `must be a user login or an org/team ${got(issue.input)}`,
        }),
      )
      .max(MAX_ITEMS.promoters, atMost(MAX_ITEMS.promoters, "promoters"))
      .optional()
      .describe(
        "Who may `/promote` to this environment: user logins and `org/team` slugs. Anyone listed still needs write access to the repository. Default: everyone with write access.",
      ),
    verify: verifySchema.optional(),
  })
  .describe("An environment: a named set of folders in the repository.");

/** An extra label: one GitHub accepts and that no label of the app's own could be. */
const label = z
  .string()
  .min(1, { error: "must not be empty", abort: true })
  .max(MAX_LABEL_LENGTH, {
    error: `must be at most ${MAX_LABEL_LENGTH} characters long (GitHub's limit)`,
    abort: true,
  })
  .superRefine((name, ctx) => {
    const problem = labelProblem(name);
    if (problem) ctx.addIssue({ code: "custom", input: name, message: `${problem} ${got(name)}` });
  });

function labelProblem(name: string): string | undefined {
  if (name.toLowerCase().startsWith(PROMOTER_LABEL_PREFIX)) {
    return `must not start with "${PROMOTER_LABEL_PREFIX}": Promoter's own labels do (promoter:<environment>, promoter:hold)`;
  }
  if (name.includes(","))
    return 'must not contain ",": GitHub separates labels with commas in its filters';
  if (name.trim() !== name) return "must not start or end with a space";
  if ([...name].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) {
    return "must not contain control characters";
  }
  return undefined;
}

/** How and when new versions are looked for. */
const updatesSchema = z
  .strictObject({
    strategy: z
      .enum(["next-safe", "next-breaking", "latest"])
      .default("next-safe")
      .describe(
        "Which newer version to propose. `next-safe`: the highest version without a breaking change (a major bump; for 0.x versions, a minor bump). `next-breaking`: the highest version of the next breaking series. `latest`: the highest version. Default `next-safe`.",
      ),
    schedule: z
      .string()
      .max(MAX_SCHEDULE_LENGTH, {
        error: `must be at most ${MAX_SCHEDULE_LENGTH} characters long`,
        abort: true,
      })
      .regex(SCHEDULE_PATTERN, {
        error: (issue) =>
          `must be "hourly", "daily", "weekly" or a cron expression with 5 fields, e.g. "0 6 * * 1-5" ${got(issue.input)}`,
        abort: true,
      })
      .superRefine((schedule, ctx) => {
        // Runs only when the pattern matched (abort above): a keyword or five cron fields.
        const problem = isScheduleKeyword(schedule) ? undefined : cronProblem(schedule);
        if (problem) {
          ctx.addIssue({ code: "custom", input: schedule, message: `${problem} ${got(schedule)}` });
        }
      })
      .default("daily")
      .describe(
        'How often the first environment is checked for new versions: `hourly`, `daily`, `weekly` or a cron expression with 5 fields (minute, hour, day of month, month, day of week), in UTC, e.g. `"0 6 * * 1-5"`. New releases of module repositories are also picked up as they are published. Default `daily`.',
      ),
    ignore: z
      .array(globString().describe("A dependency id or a glob of dependency ids."))
      .max(MAX_ITEMS.ignore, atMost(MAX_ITEMS.ignore, "globs"))
      .default([])
      .describe(
        "Dependencies that are never updated, as dependency ids or globs of them, e.g. `gruntwork-io/terraform-aws-messaging/*` or `hashicorp/consul/aws`. Default `[]`.",
      ),
    prerelease: z
      .boolean()
      .default(false)
      .describe(
        "Set to `true` to also propose pre-release versions such as `v1.2.0-rc.1`. A dependency already on a pre-release is always offered newer pre-releases. Default `false`.",
      ),
    registry: z
      .union(
        [
          z.enum(["terraform", "opentofu"]),
          z.url({ protocol: /^https?$/, abort: true }).refine(isHttpsOrAllowedHttp, {
            error: (issue) =>
              `must be an https URL: plain http is allowed only for the hosts the operator lists in ${ALLOW_HTTP_HOSTS_VARIABLE} ${got(issue.input)}`,
          }),
        ],
        { error: 'must be "terraform", "opentofu" or an https URL' },
      )
      .default("terraform")
      .describe(
        "Which module registry a registry source without a host (`namespace/name/provider`) comes from: `terraform` (registry.terraform.io), `opentofu` (registry.opentofu.org), or the https base URL of any registry that speaks the module registry protocol, whose host the app's operator allowed (`PROMOTER_SOURCE_HOSTS`). Default `terraform`.",
      ),
    tagPrefix: z
      .record(
        globString(),
        z
          .string()
          .min(1, { error: "must not be empty", abort: true })
          .max(MAX_TAG_PREFIX_LENGTH, {
            error: `must be at most ${MAX_TAG_PREFIX_LENGTH} characters long`,
            abort: true,
          })
          .superRefine((prefix, ctx) => {
            const problem = tagPrefixProblem(prefix);
            if (problem) {
              ctx.addIssue({ code: "custom", input: prefix, message: `${problem} ${got(prefix)}` });
            }
          }),
      )
      .refine((prefixes) => Object.keys(prefixes).length <= MAX_ITEMS.tagPrefix, {
        error: (issue) =>
          `must list at most ${MAX_ITEMS.tagPrefix} prefixes (got ${Object.keys(issue.input as object).length})`,
      })
      .default({})
      .describe(
        'Tag prefixes of modules released from a monorepo, by dependency id or glob of ids, e.g. `{ "acme/terraform-modules/vpc": "vpc-" }` reads the tag `vpc-v1.2.3` as version 1.2.3 of that module and ignores the other modules\' tags. Default `{}`.',
      ),
    rebaseWhen: z
      .enum(["conflicted", "never"])
      .default("conflicted")
      .describe(
        "When Promoter rebuilds its own open pull request on the default branch's new head (the same version, its own commit made again): `conflicted`, when the default branch moved and GitHub says the pull request no longer merges cleanly; `never`. A branch a person pushed to is never rebuilt: Promoter says so once in a comment. Default `conflicted`.",
      ),
    rebaseAfterDays: z
      .int({ error: "must be a whole number of days" })
      .min(1, { error: "must be at least 1" })
      .max(365, { error: "must be at most 365" })
      .optional()
      .describe(
        "Also rebuild an open pull request of Promoter's that merges cleanly once it was built more than this many days ago and the default branch has moved since, so that what is merged was tested on a recent base. Unset (the default): only `rebaseWhen` rebuilds.",
      ),
    maxOpenPullRequests: z
      .int({ error: "must be a whole number" })
      .min(1, { error: "must be at least 1" })
      .optional()
      .describe(
        "At most this many of Promoter's pull requests open in each environment: a check opens no new one beyond it, and names in its check run what waits. Updates of open ones go ahead. Unset (the default): no limit.",
      ),
    maxNewPullRequests: z
      .int({ error: "must be a whole number" })
      .min(1, { error: "must be at least 1" })
      .optional()
      .describe(
        "At most this many new pull requests per check, over all environments, so that a first check of a repository with many outdated dependencies does not open them all at once; the rest wait for the next checks, named in the check run. Merges and `/promote` are not limited. Unset (the default): no limit.",
      ),
    minimumReleaseAge: duration(
      "How old a new version must be (since its release, or its tag's commit) before the first environment gets it, e.g. `3d`. Default: none.",
    ).optional(),
  })
  .describe("How and when new versions of dependencies are looked for.");

const environmentsSchema = z
  .array(environmentSchema)
  .min(1, "must list at least one environment")
  .max(MAX_ITEMS.environments, atMost(MAX_ITEMS.environments, "environments"))
  .superRefine(
    (environments, ctx) => {
      // Labels are case-insensitive on GitHub, so "Prod" and "prod" would share one.
      const seen = new Map<string, number>();
      environments.forEach((environment: unknown, index) => {
        const name = (environment as { name?: unknown } | null)?.name;
        if (typeof name !== "string" || name === "") return;
        const first = seen.get(name.toLowerCase());
        if (first === undefined) {
          seen.set(name.toLowerCase(), index);
          return;
        }
        const firstName = environments[first]?.name;
        ctx.addIssue({
          code: "custom",
          path: [index, "name"],
          input: name,
          message:
            firstName === name
              ? `duplicate environment name ${JSON.stringify(name)} (already used by environments[${first}])`
              : `environment name ${JSON.stringify(name)} clashes with ${JSON.stringify(firstName)} (environments[${first}]): names must differ in more than letter case`,
        });
      });
    },
    // Run even when other environments have problems, so that every problem is reported at once.
    { when: (payload) => Array.isArray(payload.value) },
  )
  .describe(
    "The environments, in promotion order: each one is promoted from the one before it. The first one is updated when new versions are released.",
  );

/** The title the dashboard issue gets unless the config names another. */
export const DEFAULT_DASHBOARD_TITLE = "Promoter: promotion dashboard";

/** GitHub's limit on an issue title. */
const MAX_ISSUE_TITLE_LENGTH = 256;

const dashboardSchema = z
  .union(
    [
      z.boolean(),
      z.strictObject({
        title: z
          .string()
          .trim()
          .min(1, { error: "must not be empty", abort: true })
          .max(MAX_ISSUE_TITLE_LENGTH, {
            error: `must be at most ${MAX_ISSUE_TITLE_LENGTH} characters long (GitHub's limit)`,
          })
          .refine((title) => !/[\r\n]/.test(title), { error: "must be one line" })
          .default(DEFAULT_DASHBOARD_TITLE)
          .describe(`The dashboard issue's title. Default \`${DEFAULT_DASHBOARD_TITLE}\`.`),
      }),
    ],
    { error: "must be true, false or { title: ... }" },
  )
  .default(true)
  .describe(
    "The promotion dashboard: one issue, kept current after every check, with every environment's version of every dependency, what waits and why, and checkboxes that promote a version by hand or check now (with the same permissions as `/promote`). `false` turns it off (and closes the issue); `{ title: ... }` names it. Default `true`.",
  );

/**
 * A check of a list of items with a `name`: the second of two names that differ only in letter case
 * is reported at its `name` (a branch name, a label: case-insensitive on some systems).
 */
function namesDifferInCase(message: (name: string, first: number) => string) {
  return (items: readonly unknown[], ctx: z.RefinementCtx): void => {
    const seen = new Map<string, number>();
    items.forEach((item, index) => {
      const name = (item as { name?: unknown } | null)?.name;
      if (typeof name !== "string" || name === "") return;
      const first = seen.get(name.toLowerCase());
      if (first === undefined) {
        seen.set(name.toLowerCase(), index);
        return;
      }
      ctx.addIssue({
        code: "custom",
        path: [index, "name"],
        input: name,
        message: message(name, first),
      });
    });
  };
}

const groupName = z
  .string()
  .min(1, { error: "must not be empty", abort: true })
  .max(MAX_GROUP_NAME_LENGTH, {
    error: (issue) =>
      `must be at most ${MAX_GROUP_NAME_LENGTH} characters long ${got(issue.input)}`,
  })
  .regex(/^[A-Za-z0-9._-]+$/, {
    error: (issue) => `may only contain letters, digits, "-", "_" and "." ${got(issue.input)}`,
  })
  .superRefine((name, ctx) => {
    if (!/^[A-Za-z0-9._-]+$/.test(name)) return;
    const problem = environmentNameProblem(`group-${name}`);
    if (problem) ctx.addIssue({ code: "custom", input: name, message: `${problem} ${got(name)}` });
  })
  .describe(
    "The name of the group. It names the branch of the group's pull requests, `promoter/<environment>/group-<name>`. Letters, digits, `-`, `_` and `.` only: no `..`, not ending with `.` or `.lock`.",
  );

/** Dependencies promoted together: one pull request per environment carries them all. */
const groupSchema = z
  .strictObject({
    name: groupName,
    dependencies: z
      .array(glob.describe("A dependency id, or a glob of ids, e.g. `terraform-aws-modules/**`."))
      .min(1, "must list at least one dependency id or glob")
      .max(MAX_ITEMS.globs, atMost(MAX_ITEMS.globs, "globs"))
      .describe(
        'The dependency ids of the group, or globs of ids, e.g. `["terraform-aws-modules/**"]` or `["acme/terraform-aws-vpc/**", "acme/terraform-aws-vpc"]` for a module repository and its submodules.',
      ),
  })
  .describe(
    "A group of dependencies: in each environment one pull request moves them all, each to its own exact version, and merging it promotes exactly those versions to the next environment.",
  );

const groupsSchema = z
  .array(groupSchema)
  .max(MAX_ITEMS.groups, atMost(MAX_ITEMS.groups, "groups"))
  .superRefine(
    namesDifferInCase(
      (name, first) =>
        `group name ${quoted(name)} is already used by groups[${first}] (names must differ in more than letter case)`,
    ),
    { when: (payload) => Array.isArray(payload.value) },
  )
  .default([])
  .describe(
    "Groups of dependencies promoted in one pull request per environment. A dependency belongs to the first group that lists it; one in no group gets a pull request of its own. Default `[]`.",
  );

/** One artifact whose version each environment sets in its own files. */
const artifactSchema = z
  .strictObject({
    name: z
      .string()
      .min(1, { error: "must not be empty", abort: true })
      .max(100, { error: (issue) => `must be at most 100 characters long ${got(issue.input)}` })
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*(?:\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/, {
        error: (issue) =>
          `must be letters, digits, "-", "_" and "." in parts separated by "/" ${got(issue.input)}`,
      })
      .refine((name) => !name.startsWith("group-"), {
        error: (issue) =>
          `must not start with "group-", which names a group's branch ${got(issue.input)}`,
      })
      .describe(
        "The artifact's name, e.g. `payments-api`: its dependency id in pull requests, branches (`promoter/<env>/<name>`), the check run and `/promote`.",
      ),
    key: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_-]{0,127}$/, {
        error: (issue) => `must be an HCL attribute name ${got(issue.input)}`,
      })
      .describe(
        'The HCL attribute that holds the version, e.g. `payments_api_version`: at the top level of a file (`.tfvars`), in a `locals { }` block, or in `inputs = { }` (Terragrunt). Its value must be a plain string such as `"1.4.2"`.',
      ),
    files: z
      .array(glob)
      .min(1, "must list at least one glob")
      .max(MAX_ITEMS.globs, atMost(MAX_ITEMS.globs, "globs"))
      .default(["**/*.tfvars", "**/*.hcl"])
      .describe(
        'Globs of the files that may set `key`, e.g. `["**/*.tfvars", "**/env.hcl"]`; only the files of an environment count for it. Default `["**/*.tfvars", "**/*.hcl"]`.',
      ),
    releases: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,38}\/[A-Za-z0-9._-]{1,100}$/, {
        error: (issue) => `must be a repository, "owner/repo" ${got(issue.input)}`,
      })
      .optional()
      .describe(
        "A repository (`owner/repo`) on the app's GitHub whose version tags update the first environment that sets the artifact, with `updates.strategy` and `updates.tagPrefix` as for modules. Default: none, the first environment's version is the one a person sets.",
      ),
  })
  .describe(
    "An artifact (an application version, an image tag) whose version each environment sets: promoted like a module, each environment getting exactly the version of the one before it. The first environment's version is the one a person sets.",
  );

const artifactsSchema = z
  .array(artifactSchema)
  .max(MAX_ITEMS.artifacts, atMost(MAX_ITEMS.artifacts, "artifacts"))
  .superRefine(
    namesDifferInCase(
      (name, first) => `the artifact name ${quoted(name)} is used twice (artifacts[${first}])`,
    ),
    { when: (payload) => Array.isArray(payload.value) },
  )
  .optional()
  .describe(
    "Artifacts whose versions are set per environment in `.tfvars` or HCL files, promoted like modules. Default: none.",
  );

/** The schema of `.github/promoter.yml`. */
export const configSchema = z
  .strictObject({
    environments: environmentsSchema,
    exclude: z
      .array(glob)
      .max(MAX_ITEMS.globs, atMost(MAX_ITEMS.globs, "globs"))
      .default([])
      .describe(
        "Globs of files that belong to no environment, e.g. `**/examples/**`. Default `[]`.",
      ),
    updates: updatesSchema.prefault({}),
    groups: groupsSchema,
    dashboard: dashboardSchema,
    artifacts: artifactsSchema,
    allowSkipping: z
      .boolean()
      .default(false)
      .describe(
        "Let `/promote` move an environment to a version that the environment before it does not run. Default `false`: production only ever receives what ran upstream.",
      ),
    labels: z
      .array(label)
      .max(MAX_ITEMS.labels, atMost(MAX_ITEMS.labels, "labels"))
      .superRefine(
        (labels, ctx) => {
          // GitHub labels ignore letter case: "Deps" and "deps" are one label.
          const seen = new Map<string, number>();
          labels.forEach((name: unknown, index) => {
            if (typeof name !== "string") return;
            const first = seen.get(name.toLowerCase());
            if (first === undefined) {
              seen.set(name.toLowerCase(), index);
              return;
            }
            ctx.addIssue({
              code: "custom",
              path: [index],
              input: name,
              message: `${quoted(name)} is listed twice (labels[${first}]: ${quoted(String(labels[first]))}): GitHub labels ignore letter case`,
            });
          });
        },
        { when: (payload) => Array.isArray(payload.value) },
      )
      .default([])
      .describe(
        "Extra labels for every pull request Promoter opens, besides `promoter:<environment>`, e.g. `[dependencies]`: at most 25, of at most 50 characters, none starting with `promoter:` (Promoter's own labels) or containing a comma. Default `[]`.",
      ),
  })
  .meta({
    title: "Promoter configuration",
    description:
      "The configuration of Promoter, in `.github/promoter.yml`: the chain of environments that new versions of Terraform, OpenTofu and Terragrunt modules are promoted through, and how new versions are found.",
  });

/** A valid configuration, with every default applied. */
export type Config = z.output<typeof configSchema>;
/** One artifact of {@link Config.artifacts}. */
export type Artifact = z.output<typeof artifactSchema>;
/** One environment of {@link Config.environments}. */
export type Environment = z.output<typeof environmentSchema>;

/** The JSON Schema of the file as a user writes it (defaulted fields are optional). */
export function configJsonSchema(): Record<string, unknown> {
  // draft-07: the newest draft that editors (yaml-language-server, JetBrains) fully support.
  const schema = z.toJSONSchema(configSchema, { io: "input", target: "draft-07" });
  const { $schema, title, description, ...rest } = schema;
  return { $schema, title, description, ...rest };
}
