/** PostgreSQL's foreign_key_violation: a row referred to was deleted while a write checked it. */
export function isForeignKeyViolation(error: unknown): boolean {
  return (error as { code?: string } | undefined)?.code === '23503';
}
