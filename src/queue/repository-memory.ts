import type { Redis } from "ioredis";

/** What a check of a repository remembers for the next one, in this process. */
export interface RepositoryMemory {
  /** When it was last checked (ms since the epoch). */
  checkedAt: number;
  /** Its `updates.schedule` then. */
  schedule?: string;
  /** The commit it read (a deferred check's check run goes there). */
  headSha?: string;
  /** The module repositories its environments use, `owner/repo`, lower-case. */
  modules: Set<string>;
  /** When a check should look again before its schedule (a soak ends), ms since the epoch. */
  dueAt?: number;
}

interface StoredMemory {
  checkedAt: number;
  schedule?: string;
  headSha?: string;
  modules: string[];
  dueAt?: number;
}

/** Writes the entry unless Redis holds a newer one (another replica checked the repository since). */
const SAVE_IF_NEWER = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current then
  local ok, stored = pcall(cjson.decode, current)
  if ok and type(stored) == 'table' and tonumber(stored.checkedAt) and tonumber(stored.checkedAt) > tonumber(ARGV[3]) then
    return 0
  end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1`;

/**
 * What each check learnt of its repository (when it was checked, its schedule, the modules it uses),
 * shared by the replicas through one Redis hash. Without it, the replica that runs the scheduled tick
 * would only know the repositories it checked itself, and would find every other one due at each tick.
 * Like the in-process memory, all of it can be lost: the next tick then checks every repository once.
 */
export class RedisRepositoryMemory {
  readonly key: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.key = `${prefix}:repositories`;
  }

  /** Stores what a check learnt of one repository. */
  async save(fullName: string, memory: RepositoryMemory): Promise<void> {
    const stored: StoredMemory = {
      checkedAt: memory.checkedAt,
      ...(memory.schedule === undefined ? {} : { schedule: memory.schedule }),
      ...(memory.headSha === undefined ? {} : { headSha: memory.headSha }),
      modules: [...memory.modules].sort(),
      ...(memory.dueAt === undefined ? {} : { dueAt: memory.dueAt }),
    };
    await this.redis.eval(
      SAVE_IF_NEWER,
      1,
      this.key,
      fullName,
      JSON.stringify(stored),
      memory.checkedAt,
    );
  }

  /** Adds to `into` what Redis knows and `into` does not, or knows of a later check. Returns how many changed. */
  async load(into: Map<string, RepositoryMemory>): Promise<number> {
    const all = await this.redis.hgetall(this.key);
    let changed = 0;
    for (const [fullName, json] of Object.entries(all)) {
      const stored = parse(json);
      if (!stored) continue;
      const local = into.get(fullName);
      if (local && local.checkedAt >= stored.checkedAt) continue;
      into.set(fullName, {
        checkedAt: stored.checkedAt,
        ...(stored.schedule === undefined ? {} : { schedule: stored.schedule }),
        ...(stored.headSha === undefined ? {} : { headSha: stored.headSha }),
        modules: new Set(stored.modules),
        ...(stored.dueAt === undefined ? {} : { dueAt: stored.dueAt }),
      });
      changed++;
    }
    return changed;
  }
}

function parse(json: string): StoredMemory | undefined {
  try {
    const value = JSON.parse(json) as Partial<StoredMemory>;
    if (typeof value.checkedAt !== "number" || !Array.isArray(value.modules)) return undefined;
    return {
      checkedAt: value.checkedAt,
      ...(typeof value.schedule === "string" ? { schedule: value.schedule } : {}),
      ...(typeof value.headSha === "string" ? { headSha: value.headSha } : {}),
      modules: value.modules.filter((m): m is string => typeof m === "string"),
      ...(typeof value.dueAt === "number" ? { dueAt: value.dueAt } : {}),
    };
  } catch {
    return undefined;
  }
}
