import type { MetadataKind } from '@usermeta/contract';

/** What each kind is for, in the words of the identity providers that use them. */
export const KIND_HELP: Record<MetadataKind, string> = {
  public_metadata: 'Readable by the user’s own apps; only admins change it.',
  private_metadata: 'For your backend only; never shown to the user.',
  unsafe_metadata: 'The user may change it themselves: treat it as untrusted input.',
};
