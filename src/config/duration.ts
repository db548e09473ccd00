/** Durations of the config (`soak`, `minimumReleaseAge`): a whole number and a unit, `30s`, `10m`, `24h`, `3d`. */

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** A duration as the config writes it. */
const DURATION_PATTERN = /^([0-9]{1,6})(s|m|h|d)$/;

/** A year: longer waits are surely a typo. */
const MAX_DURATION_MS = 366 * UNIT_MS.d;

/** The milliseconds of a duration, or undefined when it is not one (or longer than a year). */
export function durationMs(text: string): number | undefined {
  const match = DURATION_PATTERN.exec(text);
  if (!match?.[1] || !match[2]) return undefined;
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  return ms <= MAX_DURATION_MS ? ms : undefined;
}

/** A duration in words for people: `3d`, `24h`, `1h 30m`, `45s`. */
export function formatDuration(ms: number): string {
  const parts: string[] = [];
  let rest = Math.max(0, Math.round(ms / 1000)) * 1000;
  for (const [unit, size] of [
    ["d", UNIT_MS.d],
    ["h", UNIT_MS.h],
    ["m", UNIT_MS.m],
    ["s", UNIT_MS.s],
  ] as const) {
    const count = Math.floor(rest / size);
    if (count > 0 && parts.length < 2) parts.push(`${count}${unit}`);
    rest -= count * size;
  }
  return parts.join(" ") || "0s";
}
