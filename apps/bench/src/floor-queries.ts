/**
 * The SQL of the two floors (the node:http baseline and bare Express), shared so that both do
 * exactly the same database work. The PATCH is a shallow jsonb `||` merge in one statement, not
 * RFC 7386 (nested objects are replaced): less work than the real server's locked merge.
 */
export const KINDS = ['public_metadata', 'private_metadata', 'unsafe_metadata'] as const;

export const GET_QUERY = {
  name: 'floor_get',
  text: `select m.public_metadata, m.private_metadata, m.unsafe_metadata
         from users u left join user_metadata m on m.user_id = u.id where u.id = $1`,
};

export const PATCH_QUERY = {
  name: 'floor_patch',
  text: `insert into user_metadata as m (user_id, public_metadata, private_metadata, unsafe_metadata)
         values ($1, $2, $3, $4)
         on conflict (user_id) do update set
           public_metadata = coalesce(m.public_metadata, '{}') || coalesce(excluded.public_metadata, '{}'),
           private_metadata = coalesce(m.private_metadata, '{}') || coalesce(excluded.private_metadata, '{}'),
           unsafe_metadata = coalesce(m.unsafe_metadata, '{}') || coalesce(excluded.unsafe_metadata, '{}')
         returning public_metadata, private_metadata, unsafe_metadata`,
};
