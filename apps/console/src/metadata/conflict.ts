import { METADATA_KINDS, type MetadataKind } from '@usermeta/contract';
import { applyPatch, type Metadata, type MetadataPatch } from './draft.js';
import { jsonEqual } from './merge-patch.js';

/** A save refused with 412: someone changed the metadata since it was loaded. */
export type Conflict = {
  /** What the edits started from. */
  base: Metadata;
  /** What is stored now, and its ETag. */
  theirs: Metadata;
  theirsEtag: string | undefined;
  /** The merge patch that was refused. */
  mine: MetadataPatch;
};

export type KindConflict = {
  kind: MetadataKind;
  theyChanged: boolean;
  iChanged: boolean;
};

/** Per kind, who changed it: a kind both changed is where re-applying needs a careful look. */
export function conflictKinds(conflict: Conflict): KindConflict[] {
  return METADATA_KINDS.map((kind) => ({
    kind,
    theyChanged: !jsonEqual(conflict.base[kind] ?? {}, conflict.theirs[kind] ?? {}),
    iChanged: conflict.mine[kind] !== undefined,
  })).filter((entry) => entry.theyChanged || entry.iChanged);
}

/** My patch on top of their version: what a re-applied save would store. */
export function reapplied(conflict: Conflict): Metadata {
  return applyPatch(conflict.theirs, conflict.mine);
}
