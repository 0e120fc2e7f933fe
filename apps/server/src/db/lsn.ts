/** A PostgreSQL WAL position (`pg_lsn`), as a number that compares like PostgreSQL compares them. */
export type Lsn = bigint;

const LSN_TEXT = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/;

/** `16/B374D848` → its position; undefined when the text is not one. */
export function parseLsn(text: string): Lsn | undefined {
  const match = LSN_TEXT.exec(text);
  if (!match) return undefined;
  return (BigInt(`0x${match[1]}`) << 32n) | BigInt(`0x${match[2]}`);
}

/** The position as PostgreSQL prints it. */
export function formatLsn(lsn: Lsn): string {
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;
}
