/**
 * Glob matching whose cost is bounded by the glob's size times the text's length, whatever the glob
 * and the text: a glob is compiled into a nondeterministic automaton that reads the text once, keeping
 * the set of states it can be in (Thompson's construction), instead of a regular expression that
 * backtracks (picomatch's `*a*a*a*a*a*a*a*a*a*a*a*a*b/**` ran for minutes on 40 `a`s).
 *
 * The syntax is picomatch's with `dot: true`, for the repo-relative paths and dependency ids it matches:
 * - `*` matches any characters but `/`, `?` one character but `/`, dotfiles included;
 * - `**` as a whole segment matches any number of segments: `a/**\/b` matches `a/b` and `a/x/y/b`;
 *   a trailing `/**` also matches the folder itself (`dev/**` matches `dev`), except after a `*`
 *   (`dev-*\/**` does not match `dev-x`), as in picomatch; `**` inside a segment is `*`;
 * - `[abc]`, `[a-z]`, `[^a]` and `[!a]` (not `a`), `[[:alpha:]]` and the other POSIX classes;
 *   a class never matches `/`;
 * - `{a,b}` alternatives, nested, expanded before matching (so `{dev/**,stage/**}` works);
 * - `\` escapes the next character; a leading `./` is ignored.
 * Unlike picomatch, `[!a]` is a negation (picomatch reads it as `!` or `a`). Extglobs (`+(a|b)`),
 * negated globs (`!a`) and ranges (`{1..3}`) are not supported: {@link globProblem} refuses them.
 */

/** A glob longer than this is refused: real ones are a few dozen characters. */
export const MAX_GLOB_LENGTH = 256;
/** At most this many wildcards (`*`, `**`, `?`, `[...]`) in one glob. */
export const MAX_GLOB_WILDCARDS = 32;
/** At most this many alternatives once the braces of a glob are expanded. */
export const MAX_GLOB_ALTERNATIVES = 64;

type Node =
  /** `afterStar`: a `/` that follows a `*` in the glob's text (see the trailing `/**`). */
  | { kind: "char"; code: number; afterStar?: boolean }
  | { kind: "one" }
  /** `globstar`: one of two stars that make a `**` on their own (between `/`, `{`, `,`, `}` or the ends). */
  | { kind: "star"; globstar?: boolean }
  | { kind: "class"; test: (code: number) => boolean }
  | { kind: "braces"; options: Node[][] };

type Token = Exclude<Node, { kind: "braces" }>;

const SLASH = 0x2f;

/**
 * Why a glob cannot be used, or `undefined` when it can: too long, too many wildcards or
 * alternatives, or syntax that is not supported (see the module's description).
 */
export function globProblem(glob: string): string | undefined {
  if (glob.length > MAX_GLOB_LENGTH) return `must be at most ${MAX_GLOB_LENGTH} characters long`;
  if (glob.startsWith("!")) {
    return "a leading ! (negation) is not supported: list what to leave out in an `exclude`";
  }
  const special = unsupportedSyntax(glob);
  if (special) return special;
  const parsed = parse(glob);
  const wildcards = countWildcards(parsed);
  if (wildcards > MAX_GLOB_WILDCARDS) {
    return `has ${wildcards} wildcards: at most ${MAX_GLOB_WILDCARDS} are allowed`;
  }
  const alternatives = countAlternatives(parsed);
  if (alternatives > MAX_GLOB_ALTERNATIVES) {
    return `expands to ${alternatives > 1e6 ? "more than a million" : alternatives} alternatives: at most ${MAX_GLOB_ALTERNATIVES} are allowed`;
  }
  return undefined;
}

/**
 * A glob of names (check runs, commit statuses) as a glob of this module: names often hold `(`, `)`
 * and `|` (`terragrunt apply (dev)`), which are then themselves, not extglob syntax.
 */
export function nameGlob(glob: string): string {
  return glob.replace(/\\.|[()|]/g, (c) => (c.length === 1 ? `\\${c}` : c));
}

/** A glob that {@link globProblem} refuses. */
export class GlobError extends Error {
  constructor(
    readonly glob: string,
    problem: string,
  ) {
    super(`glob ${JSON.stringify(glob)}: ${problem}`);
    this.name = "GlobError";
  }
}

/**
 * Compiles globs into one function that tells whether a text (a path or a dependency id) matches any
 * of them. Each call costs at most O(size of the globs × length of the text). Throws a
 * {@link GlobError} for a glob that {@link globProblem} refuses.
 */
export function compileGlobs(globs: readonly string[]): (text: string) => boolean {
  if (globs.length === 0) return () => false;
  const program = new Program();
  for (const glob of globs) {
    const problem = globProblem(glob);
    if (problem) throw new GlobError(glob, problem);
    for (const alternative of expand(parse(picomatchFastPath(glob.replace(/^(?:\.\/)+/, ""))))) {
      program.starts.push(program.emitAlternative(alternative));
    }
  }
  return (text) => program.matches(text);
}

/**
 * picomatch reads `*.*` and `**\/*.*` (and those followed by `.ext`) as files with an extension: at
 * least one character after the dot. The same glob with a `?` there says so to the automaton.
 */
function picomatchFastPath(glob: string): string {
  return /^(?:\*\*\/)?\*\.\*(?:\.\w+)*$/.test(glob) ? glob.replace("*.*", "*.?*") : glob;
}

/** Parentheses and `|` outside classes, which picomatch reads as extglobs; brace ranges. */
function unsupportedSyntax(glob: string): string | undefined {
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === "\\") {
      i++;
    } else if (c === "[") {
      const end = classEnd(glob, i);
      if (end !== undefined) i = end;
    } else if (c === "(" || c === ")" || c === "|") {
      return `${JSON.stringify(c)} is not supported (extglobs such as +(a|b) are not): use {a,b} for alternatives, or \\${c} for the character itself`;
    } else if (c === "{") {
      const end = braceEnd(glob, i);
      if (
        end !== undefined &&
        /^(?:-?\d+|[A-Za-z])\.\.(?:-?\d+|[A-Za-z])(?:\.\.-?\d+)?$/.test(glob.slice(i + 1, end))
      ) {
        return `ranges such as ${glob.slice(i, end + 1)} are not supported: list the values, e.g. {1,2,3}`;
      }
    }
  }
  return undefined;
}

function parse(glob: string): Node[] {
  return parseSequence(glob, 0, glob.length);
}

/** The nodes of `glob[from, to)`. */
function parseSequence(glob: string, from: number, to: number): Node[] {
  const nodes: Node[] = [];
  for (let i = from; i < to; i++) {
    const c = glob.charCodeAt(i);
    if (c === 0x5c /* \ */) {
      nodes.push({ kind: "char", code: i + 1 < to ? glob.charCodeAt(++i) : c });
    } else if (c === 0x2a /* * */) {
      const pair = glob[i + 1] === "*" && glob[i + 2] !== "*" && glob[i - 1] !== "*";
      const globstar =
        pair && isBoundary(glob, i - 1, from, to) && isBoundary(glob, i + 2, from, to);
      nodes.push(
        { kind: "star", globstar },
        ...(pair ? [{ kind: "star", globstar } as const] : []),
      );
      if (pair) i++;
    } else if (c === 0x3f /* ? */) {
      nodes.push({ kind: "one" });
    } else if (c === 0x5b /* [ */) {
      const end = classEnd(glob, i, to);
      if (end === undefined) {
        nodes.push({ kind: "char", code: c });
      } else {
        nodes.push({ kind: "class", test: classTest(glob.slice(i + 1, end)) });
        i = end;
      }
    } else if (c === 0x7b /* { */) {
      const end = braceEnd(glob, i, to);
      const commas = end === undefined ? [] : topLevelCommas(glob, i + 1, end);
      if (end === undefined || commas.length === 0) {
        nodes.push({ kind: "char", code: c });
      } else {
        const bounds = [i, ...commas, end];
        const options = bounds.slice(1).map((b, k) => parseSequence(glob, (bounds[k] ?? i) + 1, b));
        nodes.push({ kind: "braces", options });
        i = end;
      }
    } else if (c === SLASH && nodes[nodes.length - 1]?.kind === "star") {
      nodes.push({ kind: "char", code: c, afterStar: true });
    } else {
      nodes.push({ kind: "char", code: c });
    }
  }
  return nodes;
}

/** Whether `glob[at]` separates segments or alternatives, or lies outside `glob[from, to)`. */
function isBoundary(glob: string, at: number, from: number, to: number): boolean {
  return at < from || at >= to || "/{,}".includes(glob[at] ?? "/");
}

/** The index of the `]` closing the class that opens at `start`, if it closes before `to` and before a `/`. */
function classEnd(glob: string, start: number, to = glob.length): number | undefined {
  let i = start + 1;
  if (glob[i] === "!" || glob[i] === "^") i++;
  if (glob[i] === "]") i++; // A `]` first in the class is the character itself.
  for (; i < to; i++) {
    const c = glob[i];
    if (c === "/") return undefined;
    if (c === "\\") i++;
    else if (c === "[" && glob[i + 1] === ":") {
      const close = glob.indexOf(":]", i + 2);
      if (close !== -1 && close < to) i = close + 1;
    } else if (c === "]") return i;
  }
  return undefined;
}

/** The index of the `}` closing the brace that opens at `start`, if it closes before `to`. */
function braceEnd(glob: string, start: number, to = glob.length): number | undefined {
  let depth = 0;
  for (let i = start; i < to; i++) {
    const c = glob[i];
    if (c === "\\") i++;
    else if (c === "[") i = classEnd(glob, i, to) ?? i;
    else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) return i;
  }
  return undefined;
}

/** The commas of `glob[from, to)` outside nested braces, classes and escapes. */
function topLevelCommas(glob: string, from: number, to: number): number[] {
  const commas: number[] = [];
  for (let i = from; i < to; i++) {
    const c = glob[i];
    if (c === "\\") i++;
    else if (c === "[") i = classEnd(glob, i, to) ?? i;
    else if (c === "{") i = braceEnd(glob, i, to) ?? i;
    else if (c === ",") commas.push(i);
  }
  return commas;
}

const inRange = (code: number, low: string, high: string): boolean =>
  code >= low.charCodeAt(0) && code <= high.charCodeAt(0);
const isDigit = (c: number) => inRange(c, "0", "9");
const isUpper = (c: number) => inRange(c, "A", "Z");
const isLower = (c: number) => inRange(c, "a", "z");
const isAlpha = (c: number) => isUpper(c) || isLower(c);
const isGraph = (c: number) => c > 0x20 && c < 0x7f;

/** The POSIX character classes, `[[:alpha:]]` and the others, over ASCII as picomatch has them. */
const POSIX_CLASSES: Record<string, (code: number) => boolean> = {
  alnum: (c) => isAlpha(c) || isDigit(c),
  alpha: isAlpha,
  ascii: (c) => c < 0x80,
  blank: (c) => c === 0x20 || c === 0x09,
  cntrl: (c) => c < 0x20 || c === 0x7f,
  digit: isDigit,
  graph: isGraph,
  lower: isLower,
  print: (c) => isGraph(c) || c === 0x20,
  punct: (c) => isGraph(c) && !isAlpha(c) && !isDigit(c),
  space: (c) => c === 0x20 || (c >= 0x09 && c <= 0x0d),
  upper: isUpper,
  word: (c) => isAlpha(c) || isDigit(c) || c === 0x5f,
  xdigit: (c) => isDigit(c) || inRange(c, "a", "f") || inRange(c, "A", "F"),
};

/** The test of a class from its text between `[` and `]`. */
function classTest(body: string): (code: number) => boolean {
  const negated = body.startsWith("!") || body.startsWith("^");
  const ranges: [number, number][] = [];
  const named: ((code: number) => boolean)[] = [];
  const chars: number[] = [];
  let i = negated ? 1 : 0;
  const next = (): number | undefined => {
    if (i >= body.length) return undefined;
    if (body[i] === "\\" && i + 1 < body.length) i++;
    return body.charCodeAt(i++);
  };
  while (i < body.length) {
    if (body.startsWith("[:", i)) {
      const close = body.indexOf(":]", i + 2);
      const posix = close === -1 ? undefined : POSIX_CLASSES[body.slice(i + 2, close)];
      if (posix) {
        named.push(posix);
        i = close + 2;
        continue;
      }
    }
    const low = next();
    if (low === undefined) break;
    if (body[i] === "-" && i + 1 < body.length) {
      i++;
      const high = next() ?? low;
      if (low <= high) ranges.push([low, high]);
      continue;
    }
    chars.push(low);
  }
  const inClass = (code: number): boolean =>
    chars.includes(code) ||
    ranges.some(([low, high]) => code >= low && code <= high) ||
    named.some((test) => test(code));
  return (code) => code !== SLASH && inClass(code) !== negated;
}

/** The wildcards of the glob's text: a run of `*` counts once. */
function countWildcards(nodes: readonly Node[]): number {
  let count = 0;
  nodes.forEach((node, i) => {
    if (node.kind === "braces") count += node.options.reduce((n, o) => n + countWildcards(o), 0);
    else if (node.kind !== "char" && !(node.kind === "star" && nodes[i - 1]?.kind === "star"))
      count++;
  });
  return count;
}

/** How many alternatives the braces expand to, without expanding them (capped, to stay a safe number). */
function countAlternatives(nodes: readonly Node[]): number {
  let count = 1;
  for (const node of nodes) {
    if (node.kind !== "braces") continue;
    const sum = node.options.reduce((n, o) => n + countAlternatives(o), 0);
    count = Math.min(count * sum, Number.MAX_SAFE_INTEGER);
  }
  return count;
}

/** Every sequence of tokens the braces of `nodes` stand for. */
function expand(nodes: readonly Node[]): Token[][] {
  let alternatives: Token[][] = [[]];
  for (const node of nodes) {
    if (node.kind !== "braces") {
      for (const alternative of alternatives) alternative.push(node);
      continue;
    }
    const options = node.options.flatMap(expand);
    alternatives = alternatives.flatMap((prefix) => options.map((o) => [...prefix, ...o]));
  }
  return alternatives;
}

/** A segment of a glob: its tokens, or a `**` segment (`tokens` undefined). */
interface Segment {
  tokens: Token[] | undefined;
  /** The `/` before it follows a `*` in the glob's text. */
  afterStar: boolean;
}

/** The segments of a sequence of tokens, split at `/`. */
function segmentsOf(tokens: readonly Token[]): Segment[] {
  const segments: { tokens: Token[]; afterStar: boolean }[] = [{ tokens: [], afterStar: false }];
  for (const token of tokens) {
    if (token.kind === "char" && token.code === SLASH) {
      segments.push({ tokens: [], afterStar: token.afterStar === true });
    } else {
      segments[segments.length - 1]?.tokens.push(token);
    }
  }
  const result: Segment[] = [];
  for (const { tokens: segment, afterStar } of segments) {
    const globstar = segment.length === 2 && segment.every((t) => t.kind === "star" && t.globstar);
    // `**/**` is `**`.
    if (globstar && result.length > 0 && result[result.length - 1]?.tokens === undefined) continue;
    // `***` is `*`: one loop instead of three that would each hold a state.
    const loops = segment.filter((t, i) => t.kind !== "star" || segment[i - 1]?.kind !== "star");
    result.push({ tokens: globstar ? undefined : loops, afterStar });
  }
  return result;
}

const CHAR = 0;
const NOT_SLASH = 1;
const CLASS = 2;
const ANY = 3;
const SPLIT = 4;
const JUMP = 5;
const MATCH = 6;

/** How many sets of states {@link Program} remembers; past that it forgets them all and starts over. */
const MAX_CACHED_SETS = 4096;
/** How many states those sets may hold together (4 bytes each). */
const MAX_CACHED_STATES = 1 << 20;

/** A set of states of the automaton, and where each character read from it leads (learnt as it goes). */
interface StateSet {
  states: Int32Array;
  accepts: boolean;
  /** Where each ASCII character leads (the characters of nearly every path), and every other one. */
  ascii: (StateSet | undefined)[];
  other: Map<number, StateSet>;
}

/**
 * The instructions of the automaton of every alternative of every glob, and its simulation. Each step
 * from a set of states on a character is computed once and remembered (a lazy DFA, as RE2 does), so
 * a text costs one lookup per character once the sets it goes through are known, and at most
 * O(instructions) per character when they are not.
 */
class Program {
  readonly starts: number[] = [];
  private readonly op: number[] = [];
  private readonly arg: number[] = [];
  private readonly alt: number[] = [];
  private readonly classes: ((code: number) => boolean)[] = [];
  private closures: Int32Array[] | undefined;
  private start: StateSet | undefined;
  private readonly known = new Map<string, StateSet>();
  private knownStates = 0;
  private marks = new Uint32Array(0);
  private generation = 0;

  /** Emits one alternative and returns the index of its first instruction. */
  emitAlternative(tokens: readonly Token[]): number {
    const start = this.op.length;
    const segments = segmentsOf(tokens);
    const last = segments.length - 1;
    segments.forEach(({ tokens: segment, afterStar }, i) => {
      if (segment !== undefined) {
        if (i > 0 && segments[i - 1]?.tokens !== undefined) this.emit(CHAR, SLASH);
        for (const token of segment) this.emitToken(token);
      } else if (last === 0) {
        this.emit(ANY); // `**` alone: any non-empty text.
        this.emitLoop(ANY);
      } else if (i < last) {
        // `**/` at the start or in the middle: nothing, or anything that ends with `/`.
        if (i > 0) this.emit(CHAR, SLASH);
        const split = this.emit(SPLIT);
        this.emitLoop(ANY);
        this.emit(CHAR, SLASH);
        this.alt[split] = this.op.length;
      } else {
        // A trailing `/**`: `/` and anything, or (unless a `*` precedes it) nothing.
        const split = afterStar ? undefined : this.emit(SPLIT);
        this.emit(CHAR, SLASH);
        this.emitLoop(ANY);
        if (split !== undefined) this.alt[split] = this.op.length;
      }
    });
    this.emit(MATCH);
    return start;
  }

  /** Whether the text takes the automaton from a start to a match. */
  matches(text: string): boolean {
    if (text === "") return false;
    let set = this.startSet();
    for (let i = 0; i < text.length; i++) {
      if (set.states.length === 0) return false;
      const code = text.charCodeAt(i);
      set = (code < 128 ? set.ascii[code] : set.other.get(code)) ?? this.step(set, code);
    }
    return set.accepts;
  }

  private startSet(): StateSet {
    if (this.start) return this.start;
    this.nextGeneration();
    const states: number[] = [];
    for (const pc of this.starts) this.addClosure(states, pc);
    this.start = this.intern(states);
    return this.start;
  }

  /** The set of states `set` reaches on `code`, remembered in the set. */
  private step(set: StateSet, code: number): StateSet {
    this.nextGeneration();
    const states: number[] = [];
    for (const pc of set.states) {
      const arg = this.arg[pc] ?? 0;
      let moves: boolean;
      switch (this.op[pc]) {
        case CHAR:
          moves = code === arg;
          break;
        case NOT_SLASH:
          moves = code !== SLASH;
          break;
        case CLASS:
          moves = this.classes[arg]?.(code) === true;
          break;
        case ANY:
          moves = true;
          break;
        default:
          moves = false;
      }
      if (moves) this.addClosure(states, pc + 1);
    }
    if (this.known.size >= MAX_CACHED_SETS || this.knownStates >= MAX_CACHED_STATES) {
      // Bounded memory: forget every set (the start set too) and learn them again.
      this.known.clear();
      this.knownStates = 0;
      this.start = undefined;
    }
    const next = this.intern(states);
    if (code < 128) set.ascii[code] = next;
    else set.other.set(code, next);
    return next;
  }

  /** The one set of these states (the same states give the same set, whatever their order). */
  private intern(states: number[]): StateSet {
    states.sort((a, b) => a - b);
    const key = states.join(",");
    let set = this.known.get(key);
    if (!set) {
      set = {
        states: Int32Array.from(states),
        accepts: states.some((pc) => this.op[pc] === MATCH),
        ascii: new Array<StateSet | undefined>(128).fill(undefined),
        other: new Map(),
      };
      this.known.set(key, set);
      this.knownStates += states.length;
    }
    return set;
  }

  /** Adds the states that read a character (or match) reached from `pc` without reading one. */
  private addClosure(states: number[], pc: number): void {
    for (const at of this.closureOf(pc)) {
      if (this.marks[at] === this.generation) continue;
      this.marks[at] = this.generation;
      states.push(at);
    }
  }

  /** The closure of each instruction, computed once, after the last alternative was emitted. */
  private closureOf(pc: number): Int32Array {
    if (!this.closures) {
      const size = this.op.length;
      this.marks = new Uint32Array(size);
      const closures: Int32Array[] = [];
      const seen = new Uint32Array(size);
      for (let from = 0; from < size; from++) {
        const found: number[] = [];
        const stack = [from];
        while (stack.length > 0) {
          const at = stack.pop() ?? 0;
          if (seen[at] === from + 1) continue;
          seen[at] = from + 1;
          const op = this.op[at];
          if (op === SPLIT) stack.push(this.alt[at] ?? 0, at + 1);
          else if (op === JUMP) stack.push(this.alt[at] ?? 0);
          else found.push(at);
        }
        closures.push(Int32Array.from(found));
      }
      this.closures = closures;
    }
    return this.closures[pc] ?? new Int32Array(0);
  }

  private emitToken(token: Token): void {
    if (token.kind === "char") this.emit(CHAR, token.code);
    else if (token.kind === "one") this.emit(NOT_SLASH);
    else if (token.kind === "class") this.emit(CLASS, this.classes.push(token.test) - 1);
    else this.emitLoop(NOT_SLASH);
  }

  /** Zero or more characters that `op` matches. */
  private emitLoop(op: typeof NOT_SLASH | typeof ANY): void {
    const split = this.emit(SPLIT);
    this.emit(op);
    this.emit(JUMP, 0, split);
    this.alt[split] = this.op.length;
  }

  private emit(op: number, arg = 0, alt = 0): number {
    this.op.push(op);
    this.arg.push(arg);
    this.alt.push(alt);
    return this.op.length - 1;
  }

  private nextGeneration(): void {
    if (++this.generation === 0xffffffff) {
      this.marks.fill(0);
      this.generation = 1;
    }
  }
}
