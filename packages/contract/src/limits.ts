/** What one kind of metadata may hold (api.md): the server enforces it, the console checks it as you type. */
export const METADATA_LIMITS = {
  /** Characters (code points) of a kind's compact JSON. */
  kindCharacters: 3000,
  /** Levels of objects and arrays, the kind itself being the first. */
  nesting: 64,
} as const;
