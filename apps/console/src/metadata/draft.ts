import {
  isJsonObject,
  type JsonObject,
  type JsonValue,
  METADATA_KINDS,
  METADATA_LIMITS,
  type MetadataKind,
} from '@usermeta/contract';
import { applyMergePatch, compactLength, createMergePatch, jsonEqual } from './merge-patch.js';

/** What the API stores per kind, at most (code points of compact JSON). */
export const KIND_LIMIT = METADATA_LIMITS.kindCharacters;

export type Metadata = Partial<Record<MetadataKind, JsonObject>>;
export type MetadataPatch = Partial<Record<MetadataKind, JsonObject | null>>;

export type ParsedKind = { ok: true; value: JsonObject } | { ok: false; error: string };

/** The editor text of a kind: pretty JSON, `{}` when absent. */
export function kindText(value: JsonObject | undefined): string {
  return JSON.stringify(value ?? {}, null, 2);
}

/** An editor's text as a kind: an empty editor is `{}` (the kind is cleared). */
export function parseKind(text: string): ParsedKind {
  if (text.trim() === '') return { ok: true, value: {} };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `invalid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (!isJsonObject(value)) return { ok: false, error: 'must be a JSON object' };
  if (deeperThan(value, METADATA_LIMITS.nesting)) {
    return { ok: false, error: `nesting too deep (more than ${METADATA_LIMITS.nesting} levels)` };
  }
  return { ok: true, value };
}

/**
 * Whether objects and arrays nest more than `limit` levels, found without recursion: text
 * pasted into an editor can nest thousands deep, and the recursive checks after this one
 * would overflow the stack and take the page down.
 */
function deeperThan(value: JsonValue, limit: number): boolean {
  const stack: Array<{ value: JsonValue; depth: number }> = [{ value, depth: 1 }];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    if (next.value === null || typeof next.value !== 'object') continue;
    if (next.depth > limit) return true;
    for (const member of Object.values(next.value)) stack.push({ value: member as JsonValue, depth: next.depth + 1 });
  }
  return false;
}

/** True when some object in the value has a `null` member: a merge patch deletes such keys. */
export function hasNullMember(value: JsonValue): boolean {
  if (Array.isArray(value)) return value.some(hasNullMember);
  if (!isJsonObject(value)) return false;
  return Object.values(value).some((member) => member === null || hasNullMember(member));
}

export type KindChange = {
  kind: MetadataKind;
  before: JsonObject | undefined;
  /** What the server will store: the patch applied to `before` (undefined = absent). */
  after: JsonObject | undefined;
  patch: JsonObject | null;
};

export type SavePlan = {
  /** The body Save sends: only the kinds that change. Empty when nothing changes. */
  patch: MetadataPatch;
  changes: KindChange[];
  /** Per kind, the code points the stored kind will take. */
  lengths: Record<MetadataKind, number>;
  /** Kinds whose edited text has `null` members, which the merge patch turns into deletions. */
  nullMembers: MetadataKind[];
};

/** The merge patch that turns the stored metadata into the edited one, and what it will store. */
export function planSave(base: Metadata, edited: Record<MetadataKind, JsonObject>): SavePlan {
  const patch: MetadataPatch = {};
  const changes: KindChange[] = [];
  const nullMembers: MetadataKind[] = [];
  const lengths = { public_metadata: 0, private_metadata: 0, unsafe_metadata: 0 };
  for (const kind of METADATA_KINDS) {
    const before = base[kind];
    const wanted = edited[kind];
    if (hasNullMember(wanted)) nullMembers.push(kind);
    let after = before;
    if (!jsonEqual(before ?? {}, wanted)) {
      const kindPatch = Object.keys(wanted).length === 0 ? null : createMergePatch(before ?? {}, wanted);
      const merged = kindPatch === null ? {} : (applyMergePatch(before, kindPatch) as JsonObject);
      after = Object.keys(merged).length === 0 ? undefined : merged;
      if (!jsonEqual(before ?? {}, after ?? {})) {
        patch[kind] = kindPatch;
        changes.push({ kind, before, after, patch: kindPatch });
      }
    }
    lengths[kind] = compactLength(after);
  }
  return { patch, changes, lengths, nullMembers };
}

/** The metadata after a patch, as the server computes it (a kind left empty is absent). */
export function applyPatch(base: Metadata, patch: MetadataPatch): Metadata {
  const next: Metadata = { ...base };
  for (const kind of METADATA_KINDS) {
    const kindPatch = patch[kind];
    if (kindPatch === undefined) continue;
    const merged = kindPatch === null ? {} : (applyMergePatch(base[kind], kindPatch) as JsonObject);
    if (Object.keys(merged).length === 0) delete next[kind];
    else next[kind] = merged;
  }
  return next;
}
