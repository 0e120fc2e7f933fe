import { METADATA_KINDS, type MetadataKind, type UserMetadata, type UserMetadataPatch } from '@usermeta/contract';

/**
 * What a key limited to some metadata kinds may see and change (api.md, "API keys and
 * scopes"). Each function takes anything with `kinds` (a Principal, or a stored webhook made
 * by one): undefined kinds means every kind, and then every function is a no-op.
 */
export type KindLimited = { readonly kinds: readonly MetadataKind[] | undefined };

/** The kinds it may read and change, in the order public, private, unsafe. */
export function allowedKinds(holder: KindLimited): readonly MetadataKind[] {
  return holder.kinds ?? METADATA_KINDS;
}

/**
 * Metadata as the holder may see it: other kinds left out, as if absent; undefined when
 * nothing is left (answer 204, or leave `metadata` out). Returns the same object when nothing
 * is hidden, so unlimited keys pay nothing.
 */
export function visibleKinds(holder: KindLimited, metadata: UserMetadata | undefined): UserMetadata | undefined {
  const kinds = holder.kinds;
  if (kinds === undefined || metadata === undefined) return metadata;
  const visible: UserMetadata = {};
  let any = false;
  for (const kind of METADATA_KINDS) {
    const value = metadata[kind];
    if (value !== undefined && kinds.includes(kind)) {
      visible[kind] = value;
      any = true;
    }
  }
  return any ? visible : undefined;
}

/** True when the holder may filter or search on every one of these kinds (a listing's filters); false → 403. */
export function mayUseKinds(holder: KindLimited, kinds: Iterable<MetadataKind>): boolean {
  const allowed = holder.kinds;
  if (allowed === undefined) return true;
  for (const kind of kinds) if (!allowed.includes(kind)) return false;
  return true;
}

/** True when the holder sees at least one of these kinds (e.g. a change event's `changed_kinds`). */
export function seesAnyKind(holder: KindLimited, kinds: Iterable<MetadataKind>): boolean {
  const allowed = holder.kinds;
  if (allowed === undefined) return true;
  for (const kind of kinds) if (allowed.includes(kind)) return true;
  return false;
}

/**
 * True when the patch touches only kinds the holder may change. A `null` body clears every
 * kind, so it touches them all; a kind's key touches that kind unless its value is `{}`
 * (which changes nothing). false → 403, checked after the body checks and before 404.
 */
export function mayPatch(holder: KindLimited, patch: UserMetadataPatch): boolean {
  const allowed = holder.kinds;
  if (allowed === undefined) return true;
  if (patch === null) return false;
  for (const kind of METADATA_KINDS) {
    if (allowed.includes(kind)) continue;
    const value = patch[kind];
    if (value === undefined) continue;
    if (value === null || Object.keys(value).length > 0) return false;
  }
  return true;
}
