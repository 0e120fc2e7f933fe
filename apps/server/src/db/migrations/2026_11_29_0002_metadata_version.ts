import { type Kysely, sql } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new one.

/**
 * The version behind the metadata ETag.
 *
 * - `user_metadata.version`: +1 per change of the stored metadata, kept by the UPDATE that writes
 *   it. A row only exists once a patch has changed something, so every existing row gets 1; rows
 *   made from now on start at 0 and are bumped to 1 by the write in the same transaction.
 * - `users.incarnation`: a number drawn once when the user is created, never reused. A user
 *   deleted and created again with the same id gets a new one, so an ETag of the old user
 *   cannot match the new user's metadata although both start again at version 0.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('user_metadata')
    .addColumn('version', 'integer', (col) => col.notNull().defaultTo(1))
    .execute();
  await db.schema
    .alterTable('user_metadata')
    .alterColumn('version', (col) => col.setDefault(0))
    .execute();
  await sql`alter table users add column incarnation bigint not null generated always as identity`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('incarnation').execute();
  await db.schema.alterTable('user_metadata').dropColumn('version').execute();
}
