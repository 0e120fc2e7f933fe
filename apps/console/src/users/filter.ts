import { isJsonObject, type JsonObject, type JsonValue, type MetadataKind, type UserFilter } from '@usermeta/contract';

export type MetadataFilter = UserFilter;
export type ParsedFilter = { ok: true; filter: MetadataFilter } | { ok: false; error: string };

const KIND_PREFIXES: Record<string, MetadataKind> = {
  public: 'public_metadata',
  private: 'private_metadata',
  unsafe: 'unsafe_metadata',
  public_metadata: 'public_metadata',
  private_metadata: 'private_metadata',
  unsafe_metadata: 'unsafe_metadata',
};

/** A shortcut's value: JSON when it reads as JSON (`42`, `true`, `["a"]`, `"x y"`), else the text itself. */
function shortcutValue(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return text;
  }
}

/** Puts `value` at `path` inside `target`, making the objects on the way. */
function setPath(target: JsonObject, path: string[], value: JsonValue): string | undefined {
  let node = target;
  for (const [i, key] of path.entries()) {
    if (key === '') return 'a key must not be empty';
    if (i === path.length - 1) {
      Object.defineProperty(node, key, { value, enumerable: true, writable: true, configurable: true });
      return undefined;
    }
    const next = Object.hasOwn(node, key) ? node[key] : undefined;
    if (next === undefined) {
      const child: JsonObject = {};
      Object.defineProperty(node, key, { value: child, enumerable: true, writable: true, configurable: true });
      node = child;
    } else if (isJsonObject(next)) {
      node = next;
    } else {
      return `${path.slice(0, i + 1).join('.')} is given twice`;
    }
  }
  return undefined;
}

/** Splits `a=1 b="x y"` into its terms, keeping quoted and bracketed values whole. */
function terms(text: string): string[] {
  const out: string[] = [];
  let current = '';
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i] as string;
    if (quoted) {
      current += char;
      if (char === '\\') current += text[++i] ?? '';
      else if (char === '"') quoted = false;
    } else if (char === '"') {
      quoted = true;
      current += char;
    } else if (char === '[' || char === '{') {
      depth++;
      current += char;
    } else if (char === ']' || char === '}') {
      depth--;
      current += char;
    } else if ((char === ' ' || char === ',' || char === '\n') && depth === 0) {
      if (current) out.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  if (current) out.push(current);
  return out;
}

/**
 * The users-list filter box: either a JSON object (matched against the chosen kind, as the API's
 * `<kind>=<JSON>` containment filter), or `key=value` shortcuts: `role=admin plan.tier=2`
 * (dots nest), each optionally naming its kind (`private.plan=pro`, `unsafe.theme=dark`).
 * An empty box is no filter.
 */
export function parseFilter(kind: MetadataKind, text: string): ParsedFilter {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: true, filter: {} };
  if (trimmed.startsWith('{')) {
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (error) {
      return { ok: false, error: `invalid JSON: ${error instanceof Error ? error.message : String(error)}` };
    }
    if (!isJsonObject(value)) return { ok: false, error: 'the filter must be a JSON object' };
    return { ok: true, filter: Object.keys(value).length > 0 ? { [kind]: value } : {} };
  }
  const filter: MetadataFilter = {};
  for (const term of terms(trimmed)) {
    const at = term.indexOf('=');
    if (at <= 0) return { ok: false, error: `“${term}” is not key=value` };
    let path = term.slice(0, at).split('.');
    let termKind = kind;
    const prefix = KIND_PREFIXES[path[0] ?? ''];
    if (prefix && path.length > 1) {
      termKind = prefix;
      path = path.slice(1);
    }
    const target = filter[termKind] ?? {};
    filter[termKind] = target;
    const problem = setPath(target, path, shortcutValue(term.slice(at + 1)));
    if (problem) return { ok: false, error: problem };
  }
  return { ok: true, filter };
}
