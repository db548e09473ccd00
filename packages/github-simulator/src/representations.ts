/**
 * The simulator's state as GitHub's REST API writes it: every field the OpenAPI response schemas mark
 * required, with URLs on the simulator's host (GitHub Enterprise style: the API under `/api/v3`).
 */
import type { GitCommitData, GitIdentity } from "./git.js";
import {
  legacyPermission,
  type Permission,
  type SimCheckRun,
  type SimComment,
  type SimInstallation,
  type SimIssue,
  type SimLabel,
  type SimPull,
  type SimReaction,
  type SimRelease,
  type SimRepo,
  type SimUser,
  type World,
} from "./model.js";

type Json = Record<string, unknown>;

/** The permissions the simulated app has (as in app.yml). */
export const APP_PERMISSIONS: Record<string, string> = {
  checks: "write",
  contents: "write",
  deployments: "read",
  issues: "write",
  metadata: "read",
  pull_requests: "write",
  single_file: "read",
  statuses: "read",
  members: "read",
};

const APP_EVENTS = [
  "check_run",
  "create",
  "deployment_status",
  "issue_comment",
  "pull_request",
  "push",
  "release",
  "repository_dispatch",
  "status",
];

function nodeId(kind: string, id: number | string): string {
  return Buffer.from(`0${kind}${id}`).toString("base64").replace(/=+$/, "");
}

function seg(value: string): string {
  return encodeURIComponent(value);
}

export function userJson(world: World, user: SimUser): Json {
  const api = `${world.apiUrl}/users/${seg(user.login)}`;
  return {
    login: user.login,
    id: user.id,
    node_id: nodeId(user.type === "Organization" ? "O" : user.type === "Bot" ? "B" : "U", user.id),
    avatar_url: `${world.htmlUrl}/avatars/u/${user.id}?v=4`,
    gravatar_id: "",
    url: api,
    html_url:
      user.type === "Bot"
        ? `${world.htmlUrl}/apps/${seg(user.login.replace(/\[bot\]$/, ""))}`
        : `${world.htmlUrl}/${seg(user.login)}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: user.type,
    user_view_type: "public",
    site_admin: false,
  };
}

function userJsonByLogin(world: World, login: string): Json {
  return userJson(world, world.user(login));
}

/** A repository: the union of `repository`, `full-repository` and `minimal-repository`. */
export function repoJson(world: World, repo: SimRepo, viewer?: SimUser): Json {
  const api = `${world.apiUrl}/repos/${repo.fullName}`;
  const html = `${world.htmlUrl}/${repo.fullName}`;
  const host = new URL(world.htmlUrl).host;
  const openIssues = [...repo.issues.values()].filter((issue) => issue.state === "open").length;
  const role = viewer ? repo.collaborators.get(viewer.login.toLowerCase()) : undefined;
  return {
    id: repo.id,
    node_id: nodeId("R", repo.id),
    name: repo.name,
    full_name: repo.fullName,
    owner: userJson(world, repo.owner),
    private: repo.private,
    html_url: html,
    description: repo.description,
    fork: false,
    url: api,
    archive_url: `${api}/{archive_format}{/ref}`,
    assignees_url: `${api}/assignees{/user}`,
    blobs_url: `${api}/git/blobs{/sha}`,
    branches_url: `${api}/branches{/branch}`,
    collaborators_url: `${api}/collaborators{/collaborator}`,
    comments_url: `${api}/comments{/number}`,
    commits_url: `${api}/commits{/sha}`,
    compare_url: `${api}/compare/{base}...{head}`,
    contents_url: `${api}/contents/{+path}`,
    contributors_url: `${api}/contributors`,
    deployments_url: `${api}/deployments`,
    downloads_url: `${api}/downloads`,
    events_url: `${api}/events`,
    forks_url: `${api}/forks`,
    git_commits_url: `${api}/git/commits{/sha}`,
    git_refs_url: `${api}/git/refs{/sha}`,
    git_tags_url: `${api}/git/tags{/sha}`,
    git_url: `git://${host}/${repo.fullName}.git`,
    issue_comment_url: `${api}/issues/comments{/number}`,
    issue_events_url: `${api}/issues/events{/number}`,
    issues_url: `${api}/issues{/number}`,
    keys_url: `${api}/keys{/key_id}`,
    labels_url: `${api}/labels{/name}`,
    languages_url: `${api}/languages`,
    merges_url: `${api}/merges`,
    milestones_url: `${api}/milestones{/number}`,
    notifications_url: `${api}/notifications{?since,all,participating}`,
    pulls_url: `${api}/pulls{/number}`,
    releases_url: `${api}/releases{/id}`,
    ssh_url: `git@${host}:${repo.fullName}.git`,
    stargazers_url: `${api}/stargazers`,
    statuses_url: `${api}/statuses/{sha}`,
    subscribers_url: `${api}/subscribers`,
    subscription_url: `${api}/subscription`,
    tags_url: `${api}/tags`,
    teams_url: `${api}/teams`,
    trees_url: `${api}/git/trees{/sha}`,
    clone_url: `${html}.git`,
    mirror_url: null,
    hooks_url: `${api}/hooks`,
    svn_url: html,
    homepage: null,
    language: "HCL",
    forks_count: 0,
    forks: 0,
    stargazers_count: 0,
    watchers_count: 0,
    watchers: 0,
    size: repo.git.objects.size,
    default_branch: repo.defaultBranch,
    open_issues_count: openIssues,
    open_issues: openIssues,
    is_template: false,
    topics: [],
    has_issues: true,
    has_projects: false,
    has_wiki: false,
    has_pages: false,
    has_downloads: true,
    has_discussions: false,
    archived: false,
    disabled: false,
    visibility: repo.private ? "private" : "public",
    pushed_at: repo.pushedAt,
    created_at: repo.createdAt,
    updated_at: repo.updatedAt,
    permissions: {
      admin: role === "admin",
      maintain: role === "admin" || role === "maintain",
      push: role === "admin" || role === "maintain" || role === "write",
      triage: role !== undefined && role !== "read",
      pull: true,
    },
    allow_rebase_merge: true,
    allow_squash_merge: true,
    allow_merge_commit: true,
    allow_auto_merge: false,
    delete_branch_on_merge: false,
    allow_forking: true,
    web_commit_signoff_required: false,
    subscribers_count: 0,
    network_count: 0,
    license: null,
  };
}

export function appJson(world: World): Json {
  const created = "2024-01-01T00:00:00Z";
  return {
    id: world.appId,
    slug: world.appSlug,
    node_id: nodeId("A", world.appId),
    client_id: `Iv1.${world.appId.toString(16).padStart(16, "0")}`,
    owner: userJson(world, world.user("promoter-org", "Organization")),
    name: world.appName,
    description: "Keeps module versions current and promotes them through environments.",
    external_url: `${world.htmlUrl}/apps/${world.appSlug}`,
    html_url: `${world.htmlUrl}/apps/${world.appSlug}`,
    created_at: created,
    updated_at: created,
    permissions: APP_PERMISSIONS,
    events: APP_EVENTS,
    installations_count: world.installations.size,
  };
}

/** Another GitHub App (a CI system) whose check runs the simulator reports, by slug. */
function otherAppJson(world: World, slug: string): Json {
  const id = 900_000 + [...slug].reduce((sum, c) => sum + c.charCodeAt(0), 0);
  return {
    ...appJson(world),
    id,
    slug,
    node_id: nodeId("A", id),
    client_id: `Iv1.${id.toString(16).padStart(16, "0")}`,
    name: slug,
    external_url: `${world.htmlUrl}/apps/${slug}`,
    html_url: `${world.htmlUrl}/apps/${slug}`,
  };
}

export function installationJson(world: World, installation: SimInstallation): Json {
  return {
    id: installation.id,
    // `GET /app/installations` describes the account as allOf [simple-user, enterprise] (a union
    // written as an intersection): the enterprise fields keep such answers valid.
    account: {
      ...userJson(world, installation.account),
      name: installation.account.login,
      slug: installation.account.login.toLowerCase(),
      description: null,
      website_url: null,
      created_at: installation.createdAt,
      updated_at: installation.createdAt,
    },
    repository_selection: "selected",
    access_tokens_url: `${world.apiUrl}/app/installations/${installation.id}/access_tokens`,
    repositories_url: `${world.apiUrl}/installation/repositories`,
    html_url: `${world.htmlUrl}/organizations/${seg(installation.account.login)}/settings/installations/${installation.id}`,
    app_id: world.appId,
    app_slug: world.appSlug,
    target_id: installation.account.id,
    target_type: installation.account.type === "Organization" ? "Organization" : "User",
    permissions: APP_PERMISSIONS,
    events: APP_EVENTS,
    created_at: installation.createdAt,
    updated_at: installation.createdAt,
    single_file_name: ".github/promoter.yml",
    has_multiple_single_files: false,
    single_file_paths: [],
    suspended_by: null,
    suspended_at: null,
  };
}

export function refJson(world: World, repo: SimRepo, ref: string, sha: string): Json {
  const object = repo.git.get(sha);
  return {
    ref,
    node_id: nodeId("REF", `${repo.id}:${ref}`),
    url: `${world.apiUrl}/repos/${repo.fullName}/git/${ref.split("/").map(seg).join("/")}`,
    object: {
      type: object?.type ?? "commit",
      sha,
      url: `${world.apiUrl}/repos/${repo.fullName}/git/${object?.type ?? "commit"}s/${sha}`,
    },
  };
}

function identityJson(identity: GitIdentity): Json {
  return { name: identity.name, email: identity.email, date: identity.date };
}

function verificationJson(world: World, repo: SimRepo, sha: string, commit: GitCommitData): Json {
  const verified = repo.commitMeta.get(sha)?.verified ?? false;
  return verified
    ? {
        verified: true,
        reason: "valid",
        signature: "-----BEGIN PGP SIGNATURE-----\n\nsimulated\n-----END PGP SIGNATURE-----\n",
        payload: `tree ${commit.tree}\n`,
        verified_at: commit.committer.date,
      }
    : { verified: false, reason: "unsigned", signature: null, payload: null, verified_at: null };
}

/** `git-commit`: `GET|POST /git/commits`. */
export function gitCommitJson(world: World, repo: SimRepo, sha: string): Json {
  const commit = repo.git.commit(sha);
  if (!commit) throw new Error(`no commit ${sha}`);
  const api = `${world.apiUrl}/repos/${repo.fullName}`;
  return {
    sha,
    node_id: nodeId("C", sha),
    url: `${api}/git/commits/${sha}`,
    html_url: `${world.htmlUrl}/${repo.fullName}/commit/${sha}`,
    author: identityJson(commit.author),
    committer: identityJson(commit.committer),
    tree: { sha: commit.tree, url: `${api}/git/trees/${commit.tree}` },
    message: commit.message,
    parents: commit.parents.map((parent) => ({
      sha: parent,
      url: `${api}/git/commits/${parent}`,
      html_url: `${world.htmlUrl}/${repo.fullName}/commit/${parent}`,
    })),
    verification: verificationJson(world, repo, sha, commit),
  };
}

/** `commit` (as listed by compare and the commits API). */
export function commitJson(world: World, repo: SimRepo, sha: string): Json {
  const commit = repo.git.commit(sha);
  if (!commit) throw new Error(`no commit ${sha}`);
  const api = `${world.apiUrl}/repos/${repo.fullName}`;
  const meta = repo.commitMeta.get(sha);
  const account = (login: string | undefined, identity: GitIdentity): Json | null => {
    const user = login !== undefined ? world.user(login) : world.userByEmail(identity.email);
    return user ? userJson(world, user) : null;
  };
  return {
    url: `${api}/commits/${sha}`,
    sha,
    node_id: nodeId("C", sha),
    html_url: `${world.htmlUrl}/${repo.fullName}/commit/${sha}`,
    comments_url: `${api}/commits/${sha}/comments`,
    commit: {
      url: `${api}/git/commits/${sha}`,
      author: identityJson(commit.author),
      committer: identityJson(commit.committer),
      message: commit.message,
      comment_count: 0,
      tree: { sha: commit.tree, url: `${api}/git/trees/${commit.tree}` },
      verification: verificationJson(world, repo, sha, commit),
    },
    author: account(meta?.authorLogin, commit.author),
    committer: account(meta?.committerLogin, commit.committer),
    parents: commit.parents.map((parent) => ({
      sha: parent,
      url: `${api}/commits/${parent}`,
      html_url: `${world.htmlUrl}/${repo.fullName}/commit/${parent}`,
    })),
  };
}

export function treeJson(world: World, repo: SimRepo, treeSha: string, recursive: boolean): Json {
  const api = `${world.apiUrl}/repos/${repo.fullName}/git`;
  return {
    sha: treeSha,
    url: `${api}/trees/${treeSha}`,
    tree: repo.git.list(treeSha, recursive).map((entry) => ({
      path: entry.path,
      mode: entry.mode,
      type: entry.type,
      sha: entry.sha,
      ...(entry.size === undefined ? {} : { size: entry.size }),
      url: `${api}/${entry.type === "tree" ? "trees" : entry.type === "blob" ? "blobs" : "commits"}/${entry.sha}`,
    })),
    truncated: false,
  };
}

export function blobJson(world: World, repo: SimRepo, sha: string, content: Buffer): Json {
  const base64 = content.toString("base64");
  return {
    sha,
    node_id: nodeId("BL", sha),
    url: `${world.apiUrl}/repos/${repo.fullName}/git/blobs/${sha}`,
    size: content.length,
    // GitHub wraps the base64 text at 60 characters.
    content: base64.replace(/(.{60})/g, "$1\n") + (base64.length > 0 ? "\n" : ""),
    encoding: "base64",
  };
}

export function tagJson(world: World, repo: SimRepo, name: string, sha: string): Json {
  const api = `${world.apiUrl}/repos/${repo.fullName}`;
  return {
    name,
    commit: { sha, url: `${api}/commits/${sha}` },
    zipball_url: `${api}/zipball/refs/tags/${seg(name)}`,
    tarball_url: `${api}/tarball/refs/tags/${seg(name)}`,
    node_id: nodeId("TAG", `${repo.id}:${name}`),
  };
}

export function releaseJson(world: World, repo: SimRepo, release: SimRelease): Json {
  const api = `${world.apiUrl}/repos/${repo.fullName}`;
  return {
    url: `${api}/releases/${release.id}`,
    html_url: `${world.htmlUrl}/${repo.fullName}/releases/tag/${seg(release.tagName)}`,
    assets_url: `${api}/releases/${release.id}/assets`,
    upload_url: `${world.htmlUrl}/api/uploads/repos/${repo.fullName}/releases/${release.id}/assets{?name,label}`,
    tarball_url: `${api}/tarball/${seg(release.tagName)}`,
    zipball_url: `${api}/zipball/${seg(release.tagName)}`,
    id: release.id,
    node_id: nodeId("RE", release.id),
    tag_name: release.tagName,
    target_commitish: release.targetCommitish,
    name: release.name,
    body: release.body,
    draft: release.draft,
    prerelease: release.prerelease,
    immutable: false,
    created_at: release.createdAt,
    published_at: release.publishedAt,
    updated_at: release.publishedAt ?? release.createdAt,
    author: userJsonByLogin(world, release.author),
    assets: [],
  };
}

export function labelJson(world: World, repo: SimRepo, label: SimLabel): Json {
  return {
    id: label.id,
    node_id: nodeId("LA", label.id),
    url: `${world.apiUrl}/repos/${repo.fullName}/labels/${seg(label.name)}`,
    name: label.name,
    description: label.description,
    color: label.color,
    default: label.default,
  };
}

/** An issue's labels (pull request schemas want `description` as a string, "" when none). */
function issueLabels(world: World, repo: SimRepo, issue: SimIssue): Json[] {
  return issue.labels.map((name) => {
    const label = labelJson(world, repo, world.label(repo, name));
    return { ...label, description: label.description ?? "" };
  });
}

/** How GitHub relates a user to a repository in `author_association`. */
function authorAssociation(repo: SimRepo, login: string): string {
  if (login.toLowerCase() === repo.owner.login.toLowerCase()) return "OWNER";
  if (repo.collaborators.has(login.toLowerCase())) return "COLLABORATOR";
  return "NONE";
}

function reactionRollup(world: World, url: string, reactions: { content: string }[]): Json {
  const count = (content: string): number => reactions.filter((r) => r.content === content).length;
  return {
    url,
    total_count: reactions.length,
    "+1": count("+1"),
    "-1": count("-1"),
    laugh: count("laugh"),
    confused: count("confused"),
    heart: count("heart"),
    hooray: count("hooray"),
    eyes: count("eyes"),
    rocket: count("rocket"),
  };
}

/**
 * Lines added and deleted between two blobs (a multiset comparison of lines: exact for the one-line
 * version bumps the app writes, an approximation of `git diff --stat` otherwise).
 */
export function lineStats(
  repo: SimRepo,
  beforeSha: string | undefined,
  afterSha: string | undefined,
): { additions: number; deletions: number } {
  const lines = (sha: string | undefined): string[] => {
    const blob = sha === undefined ? undefined : repo.git.blob(sha);
    if (blob === undefined || blob.length === 0) return [];
    return blob.toString("utf8").replace(/\n$/, "").split("\n");
  };
  const before = new Map<string, number>();
  for (const line of lines(beforeSha)) before.set(line, (before.get(line) ?? 0) + 1);
  let additions = 0;
  for (const line of lines(afterSha)) {
    const left = before.get(line) ?? 0;
    if (left > 0) before.set(line, left - 1);
    else additions++;
  }
  const deletions = [...before.values()].reduce((sum, n) => sum + n, 0);
  return { additions, deletions };
}

/** `pull-request` (single) — also a superset of `pull-request-simple` (lists). */
export function pullJson(world: World, repo: SimRepo, pull: SimPull): Json {
  const api = `${world.apiUrl}/repos/${repo.fullName}`;
  const html = `${world.htmlUrl}/${repo.fullName}`;
  const headSha = world.pullHeadSha(repo, pull);
  const baseSha = world.branchSha(repo, pull.pull.baseRef) ?? headSha;
  const mergeBase = repo.git.mergeBase(baseSha, headSha);
  const commits = repo.git.commitsBetween(mergeBase ?? baseSha, headSha).length;
  const diff = world.diff(repo, mergeBase, headSha);
  const stats = diff.entries
    .map((entry) => lineStats(repo, entry.before?.sha, entry.after?.sha))
    .reduce(
      (a, b) => ({ additions: a.additions + b.additions, deletions: a.deletions + b.deletions }),
      {
        additions: 0,
        deletions: 0,
      },
    );
  let mergeable: boolean | null = null;
  let mergeableState = "unknown";
  if (pull.state === "open") {
    try {
      world.mergeTree(repo, pull);
      mergeable = true;
      mergeableState = "clean";
    } catch {
      mergeable = false;
      mergeableState = "dirty";
    }
  }
  const side = (ref: string, sha: string): Json => ({
    label: `${repo.owner.login}:${ref}`,
    ref,
    sha,
    user: userJson(world, repo.owner),
    repo: repoJson(world, repo),
  });
  const comments = repo.comments.filter((c) => c.issueNumber === pull.number).length;
  return {
    url: `${api}/pulls/${pull.number}`,
    id: pull.pull.id,
    node_id: nodeId("PR", pull.pull.id),
    html_url: `${html}/pull/${pull.number}`,
    diff_url: `${html}/pull/${pull.number}.diff`,
    patch_url: `${html}/pull/${pull.number}.patch`,
    issue_url: `${api}/issues/${pull.number}`,
    commits_url: `${api}/pulls/${pull.number}/commits`,
    review_comments_url: `${api}/pulls/${pull.number}/comments`,
    review_comment_url: `${api}/pulls/comments{/number}`,
    comments_url: `${api}/issues/${pull.number}/comments`,
    statuses_url: `${api}/statuses/${headSha}`,
    number: pull.number,
    state: pull.state,
    locked: false,
    title: pull.title,
    user: userJsonByLogin(world, pull.user),
    body: pull.body,
    labels: issueLabels(world, repo, pull),
    milestone: null,
    active_lock_reason: null,
    created_at: pull.createdAt,
    updated_at: pull.updatedAt,
    closed_at: pull.closedAt,
    merged_at: pull.pull.mergedAt,
    merge_commit_sha: pull.pull.mergeCommitSha,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: side(pull.pull.headRef, headSha),
    base: side(pull.pull.baseRef, baseSha),
    _links: {
      self: { href: `${api}/pulls/${pull.number}` },
      html: { href: `${html}/pull/${pull.number}` },
      issue: { href: `${api}/issues/${pull.number}` },
      comments: { href: `${api}/issues/${pull.number}/comments` },
      review_comments: { href: `${api}/pulls/${pull.number}/comments` },
      review_comment: { href: `${api}/pulls/comments{/number}` },
      commits: { href: `${api}/pulls/${pull.number}/commits` },
      statuses: { href: `${api}/statuses/${headSha}` },
    },
    author_association: authorAssociation(repo, pull.user),
    auto_merge: null,
    draft: pull.pull.draft,
    merged: pull.pull.merged,
    mergeable,
    rebaseable: mergeable,
    mergeable_state: mergeableState,
    merged_by: pull.pull.mergedBy === null ? null : userJsonByLogin(world, pull.pull.mergedBy),
    comments,
    review_comments: 0,
    maintainer_can_modify: false,
    commits,
    additions: stats.additions,
    deletions: stats.deletions,
    changed_files: diff.entries.length,
  };
}

/** `issue` (with `pull_request` for a pull request), as in `issue_comment` payloads. */
export function issueJson(world: World, repo: SimRepo, issue: SimIssue): Json {
  const api = `${world.apiUrl}/repos/${repo.fullName}`;
  const html = `${world.htmlUrl}/${repo.fullName}`;
  return {
    url: `${api}/issues/${issue.number}`,
    repository_url: api,
    labels_url: `${api}/issues/${issue.number}/labels{/name}`,
    comments_url: `${api}/issues/${issue.number}/comments`,
    events_url: `${api}/issues/${issue.number}/events`,
    html_url: `${html}/${issue.pull ? "pull" : "issues"}/${issue.number}`,
    id: issue.id,
    node_id: nodeId("I", issue.id),
    number: issue.number,
    title: issue.title,
    user: userJsonByLogin(world, issue.user),
    labels: issueLabels(world, repo, issue),
    state: issue.state,
    locked: false,
    assignee: null,
    assignees: [],
    milestone: null,
    comments: repo.comments.filter((c) => c.issueNumber === issue.number).length,
    created_at: issue.createdAt,
    updated_at: issue.updatedAt,
    closed_at: issue.closedAt,
    author_association: authorAssociation(repo, issue.user),
    active_lock_reason: null,
    body: issue.body,
    reactions: reactionRollup(world, `${api}/issues/${issue.number}/reactions`, []),
    timeline_url: `${api}/issues/${issue.number}/timeline`,
    performed_via_github_app: null,
    state_reason: issue.state === "closed" ? "completed" : null,
    ...(issue.pull
      ? {
          draft: issue.pull.draft,
          pull_request: {
            url: `${api}/pulls/${issue.number}`,
            html_url: `${html}/pull/${issue.number}`,
            diff_url: `${html}/pull/${issue.number}.diff`,
            patch_url: `${html}/pull/${issue.number}.patch`,
            merged_at: issue.pull.mergedAt,
          },
        }
      : {}),
  };
}

export function commentJson(world: World, repo: SimRepo, comment: SimComment): Json {
  const api = `${world.apiUrl}/repos/${repo.fullName}`;
  const issue = repo.issues.get(comment.issueNumber);
  const user = world.user(comment.user);
  return {
    id: comment.id,
    node_id: nodeId("IC", comment.id),
    url: `${api}/issues/comments/${comment.id}`,
    html_url: `${world.htmlUrl}/${repo.fullName}/${issue?.pull ? "pull" : "issues"}/${comment.issueNumber}#issuecomment-${comment.id}`,
    body: comment.body,
    user: userJson(world, user),
    created_at: comment.createdAt,
    updated_at: comment.updatedAt,
    issue_url: `${api}/issues/${comment.issueNumber}`,
    author_association: user.type === "Bot" ? "NONE" : authorAssociation(repo, user.login),
    performed_via_github_app: user === world.appUser ? appJson(world) : null,
    reactions: reactionRollup(
      world,
      `${api}/issues/comments/${comment.id}/reactions`,
      repo.reactions.filter((r) => r.commentId === comment.id),
    ),
  };
}

export function reactionJson(world: World, reaction: SimReaction): Json {
  return {
    id: reaction.id,
    node_id: nodeId("REA", reaction.id),
    user: userJsonByLogin(world, reaction.user),
    content: reaction.content,
    created_at: reaction.createdAt,
  };
}

export function permissionJson(world: World, user: SimUser, role: Permission | "none"): Json {
  return {
    permission: legacyPermission(role),
    role_name: role,
    user: {
      ...userJson(world, user),
      permissions: {
        admin: role === "admin",
        maintain: role === "admin" || role === "maintain",
        push: ["admin", "maintain", "write"].includes(role),
        triage: ["admin", "maintain", "write", "triage"].includes(role),
        pull: role !== "none",
      },
      role_name: role,
    },
  };
}

export function checkRunJson(world: World, repo: SimRepo, run: SimCheckRun): Json {
  const api = `${world.apiUrl}/repos/${repo.fullName}`;
  return {
    id: run.id,
    head_sha: run.headSha,
    node_id: nodeId("CR", run.id),
    external_id: run.externalId,
    url: `${api}/check-runs/${run.id}`,
    html_url: `${world.htmlUrl}/${repo.fullName}/runs/${run.id}`,
    details_url: run.detailsUrl,
    status: run.status,
    conclusion: run.conclusion,
    started_at: run.startedAt,
    completed_at: run.completedAt,
    output: {
      title: run.output.title,
      summary: run.output.summary,
      text: run.output.text,
      annotations_count: 0,
      annotations_url: `${api}/check-runs/${run.id}/annotations`,
    },
    name: run.name,
    check_suite: { id: run.id + 1_000_000 },
    app: run.app === undefined ? appJson(world) : otherAppJson(world, run.app),
    pull_requests: [],
  };
}
