const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `5s`, `250ms`, `2h`, `90d` → milliseconds; undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text.trim());
  if (!match?.[1] || !match[2]) return undefined;
  return Math.round(Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS]);
}

/** `5s,5m,30m` → milliseconds each; undefined when any part is not a duration. An empty list is allowed. */
export function parseDurationList(text: string): number[] | undefined {
  if (text.trim() === '') return [];
  const parts = text.split(',').map(parseDuration);
  return parts.every((p): p is number => p !== undefined) ? parts : undefined;
}
