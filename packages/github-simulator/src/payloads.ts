/**
 * Webhook payloads: GitHub's example for the event (from `@octokit/webhooks-examples`) with the
 * simulator's real repository, installation, sender and subject laid over it.
 */
import type {
  CommitResult,
  SimCheckRun,
  SimComment,
  SimInstallation,
  SimIssue,
  SimPull,
  SimRelease,
  SimRepo,
  SimUser,
  World,
} from "./model.js";
import {
  checkRunJson,
  commentJson,
  installationJson,
  issueJson,
  pullJson,
  releaseJson,
  repoJson,
  userJson,
} from "./representations.js";
import { examplePayload } from "./webhooks.js";

type Json = Record<string, unknown>;

function unixSeconds(iso: string): number {
  return Math.floor(Date.parse(iso) / 1000);
}

/** The example for `event`/`action`, with repository, sender, installation and organization set. */
function basePayload(
  world: World,
  event: string,
  action: string | undefined,
  repo: SimRepo,
  sender: SimUser,
): Json {
  const payload = examplePayload(event, action);
  const repository = {
    ...((payload.repository as Json | undefined) ?? {}),
    ...repoJson(world, repo),
  };
  delete repository.permissions;
  if (event === "push") {
    // Push payloads carry the repository's dates as Unix timestamps, and the owner's name/email.
    repository.created_at = unixSeconds(repo.createdAt);
    repository.pushed_at = unixSeconds(repo.pushedAt);
    repository.master_branch = repo.defaultBranch;
    repository.stargazers = 0;
    repository.owner = { ...userJson(world, repo.owner), name: repo.owner.login, email: null };
  }
  payload.repository = repository;
  payload.sender = userJson(world, sender);
  if (repo.installationId !== undefined)
    payload.installation = {
      id: repo.installationId,
      node_id: Buffer.from(`0II${repo.installationId}`).toString("base64").replace(/=+$/, ""),
    };
  else delete payload.installation;
  if (repo.owner.type === "Organization") {
    const owner = userJson(world, repo.owner);
    payload.organization = {
      login: repo.owner.login,
      id: repo.owner.id,
      node_id: owner.node_id,
      url: `${world.apiUrl}/orgs/${repo.owner.login}`,
      repos_url: `${world.apiUrl}/orgs/${repo.owner.login}/repos`,
      events_url: `${world.apiUrl}/orgs/${repo.owner.login}/events`,
      hooks_url: `${world.apiUrl}/orgs/${repo.owner.login}/hooks`,
      issues_url: `${world.apiUrl}/orgs/${repo.owner.login}/issues`,
      members_url: `${world.apiUrl}/orgs/${repo.owner.login}/members{/member}`,
      public_members_url: `${world.apiUrl}/orgs/${repo.owner.login}/public_members{/member}`,
      avatar_url: owner.avatar_url,
      description: null,
    };
  } else delete payload.organization;
  delete payload.enterprise;
  return payload;
}

export function pullRequestPayload(
  world: World,
  repo: SimRepo,
  pull: SimPull,
  action: string,
  sender: SimUser,
  extra: Json = {},
): Json {
  const payload = basePayload(world, "pull_request", action, repo, sender);
  const example = (payload.pull_request as Json | undefined) ?? {};
  payload.number = pull.number;
  payload.pull_request = { ...example, ...pullJson(world, repo, pull) };
  delete payload.changes;
  delete payload.label;
  return { ...payload, ...extra };
}

export function issueCommentPayload(
  world: World,
  repo: SimRepo,
  issue: SimIssue,
  comment: SimComment,
  sender: SimUser,
): Json {
  const payload = basePayload(world, "issue_comment", "created", repo, sender);
  const exampleIssue = { ...((payload.issue as Json | undefined) ?? {}) };
  delete exampleIssue.pull_request;
  delete exampleIssue.draft;
  payload.issue = { ...exampleIssue, ...issueJson(world, repo, issue) };
  payload.comment = {
    ...(payload.comment ?? {}),
    ...commentJson(world, repo, comment),
  };
  return payload;
}

export function pushPayload(
  world: World,
  repo: SimRepo,
  options: {
    ref: string;
    before: string | null;
    after: string | null;
    commits: CommitResult[];
    pusher: SimUser;
    forced?: boolean;
  },
): Json {
  const payload = basePayload(world, "push", undefined, repo, options.pusher);
  const zero = "0".repeat(40);
  const html = `${world.htmlUrl}/${repo.fullName}`;
  const commits = options.commits.map((result) => {
    const commit = repo.git.commit(result.sha);
    if (!commit) throw new Error(`no commit ${result.sha}`);
    const meta = repo.commitMeta.get(result.sha);
    return {
      id: result.sha,
      tree_id: commit.tree,
      distinct: true,
      message: commit.message,
      timestamp: commit.committer.date,
      url: `${html}/commit/${result.sha}`,
      author: {
        name: commit.author.name,
        email: commit.author.email,
        ...(meta?.authorLogin ? { username: meta.authorLogin } : {}),
      },
      committer: {
        name: commit.committer.name,
        email: commit.committer.email,
        ...(meta?.committerLogin ? { username: meta.committerLogin } : {}),
      },
      added: result.added,
      removed: result.removed,
      modified: result.modified,
    };
  });
  const before = options.before ?? zero;
  const after = options.after ?? zero;
  return {
    ...payload,
    ref: options.ref,
    before,
    after,
    created: options.before === null,
    deleted: options.after === null,
    forced: options.forced ?? false,
    base_ref: null,
    compare: `${html}/compare/${before.slice(0, 12)}...${after.slice(0, 12)}`,
    commits,
    head_commit: commits.at(-1) ?? null,
    pusher: { name: options.pusher.login, email: options.pusher.email },
  };
}

export function createPayload(
  world: World,
  repo: SimRepo,
  ref: string,
  refType: "tag" | "branch",
  sender: SimUser,
): Json {
  return {
    ...basePayload(world, "create", undefined, repo, sender),
    ref,
    ref_type: refType,
    master_branch: repo.defaultBranch,
    description: repo.description,
    pusher_type: sender.type === "Bot" ? "bot" : "user",
  };
}

export function deletePayload(
  world: World,
  repo: SimRepo,
  ref: string,
  refType: "tag" | "branch",
  sender: SimUser,
): Json {
  return {
    ...basePayload(world, "delete", undefined, repo, sender),
    ref,
    ref_type: refType,
    pusher_type: sender.type === "Bot" ? "bot" : "user",
  };
}

export function releasePayload(
  world: World,
  repo: SimRepo,
  release: SimRelease,
  action: string,
  sender: SimUser,
): Json {
  const payload = basePayload(world, "release", action, repo, sender);
  payload.release = {
    ...(payload.release ?? {}),
    ...releaseJson(world, repo, release),
  };
  delete payload.changes;
  return payload;
}

export function repositoryDispatchPayload(
  world: World,
  repo: SimRepo,
  type: string,
  clientPayload: Json,
  sender: SimUser,
): Json {
  return {
    ...basePayload(world, "repository_dispatch", undefined, repo, sender),
    action: type,
    branch: repo.defaultBranch,
    client_payload: clientPayload,
  };
}

export function installationPayload(
  world: World,
  installation: SimInstallation,
  action: "created" | "deleted",
  sender: SimUser,
): Json {
  const payload = examplePayload("installation", action);
  payload.installation = {
    ...(payload.installation ?? {}),
    ...installationJson(world, installation),
  };
  payload.repositories = [...installation.repositories].flatMap((key) => {
    const repo = world.repo(key);
    return repo
      ? [
          {
            id: repo.id,
            node_id: repoJson(world, repo).node_id,
            name: repo.name,
            full_name: repo.fullName,
            private: repo.private,
          },
        ]
      : [];
  });
  payload.sender = userJson(world, sender);
  delete payload.requester;
  return payload;
}

export function checkRunPayload(
  world: World,
  repo: SimRepo,
  run: SimCheckRun,
  action: string,
  sender: SimUser,
): Json {
  const payload = basePayload(world, "check_run", action, repo, sender);
  const example = (payload.check_run ?? {}) as Json;
  const json = checkRunJson(world, repo, run);
  payload.check_run = {
    ...example,
    ...json,
    check_suite: {
      ...((example.check_suite as Json | undefined) ?? {}),
      ...(json.check_suite as Json),
      head_branch: repo.defaultBranch,
      head_sha: run.headSha,
      status: run.status,
      conclusion: run.conclusion,
      app: json.app,
      pull_requests: [],
    },
  };
  delete payload.requested_action;
  return payload;
}
