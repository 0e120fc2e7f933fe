/** The scopes an API key can hold (docs: "API keys and scopes"). Root keys hold every one. */
export const SCOPES = [
  'metadata:read',
  'metadata:write',
  'users:read',
  'users:write',
  'webhooks:manage',
  'keys:manage',
  'metrics:read',
] as const;
export type Scope = (typeof SCOPES)[number];
