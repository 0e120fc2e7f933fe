import { randomUUID } from 'node:crypto';
import { type ChangeEvent, jsonEqual, METADATA_KINDS, type MetadataKind } from '@usermeta/contract';
import type { Queryable } from '../db/queryable.js';
import { type StoredMetadata, toUserMetadata } from '../metadata/metadata-rules.js';
import { deleteUserEvents, insertEvent, type Subscription } from './events.repository.js';

/** Who made a change and in which request; carried in every event's `data`. */
export type ChangeContext = { actor: string; requestId: string };

/** For changes made in-process, outside any request (tests, scripts). */
export const INTERNAL_CONTEXT: ChangeContext = Object.freeze({ actor: 'internal', requestId: 'internal' });

/**
 * Hands a recorded event to the webhook endpoints that subscribed to its type, in the same
 * transaction (their deliveries commit with the change).
 */
export type EventSubscriber = (q: Queryable, event: ChangeEvent, subscriptions: Subscription[]) => Promise<void>;

/** The kinds whose JSON differs (members in another order are the same JSON, as in sameMetadata). */
export function changedKinds(before: StoredMetadata, after: StoredMetadata): MetadataKind[] {
  return METADATA_KINDS.filter((kind) => !jsonEqual(before[kind], after[kind]));
}

/** A metadata change as its event tells it: the user, the version it made, before and after. */
export type MetadataChangeFacts = { userId: string; version: number; before: StoredMetadata; after: StoredMetadata };

/**
 * The `user.metadata.updated` event of a change and the kinds it changed, for a caller that
 * writes it itself (the compare-and-set write, which inserts it in the same statement).
 */
export function metadataUpdatedEvent(
  change: MetadataChangeFacts,
  context: ChangeContext,
): { event: ChangeEvent; kinds: MetadataKind[] } {
  const kinds = changedKinds(change.before, change.after);
  return {
    kinds,
    event: {
      id: randomUUID(),
      type: 'user.metadata.updated',
      timestamp: new Date().toISOString(),
      data: {
        user_id: change.userId,
        version: change.version,
        changed_kinds: kinds,
        metadata: toUserMetadata(change.after) ?? {},
        previous_metadata: toUserMetadata(change.before) ?? {},
        request_id: context.requestId,
        actor: context.actor,
      },
    },
  };
}

/**
 * Writes change events on the caller's transaction handle, so that a change and its event
 * commit (or roll back) together, and lets the subscriber (webhook fan-out) add its rows and
 * jobs on the same handle.
 */
export class EventRecorder {
  constructor(private readonly subscriber: EventSubscriber = async () => {}) {}

  async userCreated(q: Queryable, userId: string, context: ChangeContext): Promise<void> {
    await this.record(q, userId, [], {
      id: randomUUID(),
      type: 'user.created',
      timestamp: new Date().toISOString(),
      data: { user_id: userId, request_id: context.requestId, actor: context.actor },
    });
  }

  /** Also deletes the user's earlier events: deleting a user deletes its history. */
  async userDeleted(q: Queryable, userId: string, context: ChangeContext): Promise<void> {
    await deleteUserEvents(q, userId);
    await this.record(q, userId, [], {
      id: randomUUID(),
      type: 'user.deleted',
      timestamp: new Date().toISOString(),
      data: { user_id: userId, request_id: context.requestId, actor: context.actor },
    });
  }

  async metadataUpdated(q: Queryable, change: MetadataChangeFacts, context: ChangeContext): Promise<void> {
    const { event, kinds } = metadataUpdatedEvent(change, context);
    await this.record(q, change.userId, kinds, event);
  }

  private async record(q: Queryable, userId: string, kinds: MetadataKind[], event: ChangeEvent): Promise<void> {
    const subscriptions = await insertEvent(q, event, userId, kinds);
    if (subscriptions.length > 0) await this.subscriber(q, event, subscriptions);
  }
}
