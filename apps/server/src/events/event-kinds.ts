import {
  type ChangeEvent,
  METADATA_KINDS,
  type MetadataKind,
  type UserMetadata,
  type UserMetadataUpdatedEvent,
} from '@usermeta/contract';

/** The kinds a key may see; undefined = all three. */
export type VisibleKinds = readonly MetadataKind[] | undefined;

function visibleMetadata(metadata: UserMetadata, kinds: readonly MetadataKind[]): UserMetadata {
  const out: UserMetadata = {};
  for (const kind of METADATA_KINDS) {
    const value = metadata[kind];
    if (value !== undefined && kinds.includes(kind)) out[kind] = value;
  }
  return out;
}

/**
 * A metadata event as a kind-limited key sees it: other kinds left out as if absent, or
 * undefined when the change touched only kinds it may not see.
 */
export function metadataEventFor(
  event: UserMetadataUpdatedEvent,
  kinds: VisibleKinds,
): UserMetadataUpdatedEvent | undefined {
  if (kinds === undefined) return event;
  const changed = event.data.changed_kinds.filter((kind) => kinds.includes(kind));
  if (changed.length === 0) return undefined;
  return {
    ...event,
    data: {
      ...event.data,
      changed_kinds: changed,
      metadata: visibleMetadata(event.data.metadata, kinds),
      previous_metadata: visibleMetadata(event.data.previous_metadata, kinds),
    },
  };
}

/** Any event as a key limited to `kinds` sees it; undefined when it should not see it at all. */
export function eventFor(event: ChangeEvent, kinds: VisibleKinds): ChangeEvent | undefined {
  return event.type === 'user.metadata.updated' ? metadataEventFor(event, kinds) : event;
}
