/**
 * Keys of the plugin's config that the plugin does not know (a typo, a key at the wrong level), each
 * with the known key it most likely stands for. Only key names and paths: a value is never read
 * into a message, since an unknown key may hold a secret.
 */

/** `true`: a value the validator checks as a whole; an object: its known keys; `[shape]`: a list of such entries. */
export type KeyShape = true | { readonly [key: string]: KeyShape } | readonly [KeyShape];

export interface UnknownKey {
  /** Where the key is: 'contentSecurity', 'profile.avatarSize', 'apps[1].secret'. */
  path: string;
  /** The object holding it, list indexes as []: '' (the top level), 'profile', 'apps[]'. */
  parent: string;
  /** The known key nearest to it ('profile.contentSecurity', 'apps[1].appSecret'), or null when none is close. */
  suggestion: string | null;
}

const isListShape = (shape: KeyShape): shape is readonly [KeyShape] => Array.isArray(shape);
const isPlainObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const join = (parent: string, key: string) => (parent ? `${parent}.${key}` : key);
/** 'apps[1].secret' → 'apps[].secret'. */
const withoutIndexes = (path: string) => path.replace(/\[\d+\]/g, '[]');
const lastSegment = (path: string) => path.slice(path.lastIndexOf('.') + 1);

/** Every known path of `shape`, objects and lists included, in declaration order: 'apps', 'apps[].appId', ... */
export function knownPaths(shape: KeyShape, parent = ''): string[] {
  if (shape === true) return [];
  if (isListShape(shape)) return knownPaths(shape[0], `${parent}[]`);
  return Object.entries(shape).flatMap(([key, inner]) => [join(parent, key), ...knownPaths(inner, join(parent, key))]);
}

/** Levenshtein distance: the fewest single-character insertions, deletions and substitutions from `a` to `b`. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/**
 * The known path nearest to the unknown `path`: by edit distance (case-insensitive) between the key
 * names and between the full paths, whichever is smaller, and close enough to be a slip (at most a
 * third of the longer string). Ties go to a key of the same object, then to the shorter path. A
 * suggestion inside a list takes the index of `path` when `path` is in that list.
 */
export function nearestKnownPath(path: string, known: string[]): string | null {
  const normalized = withoutIndexes(path).toLowerCase();
  const name = lastSegment(normalized);
  const parent = normalized.slice(0, normalized.length - name.length);
  const close = (a: string, b: string) => {
    const distance = editDistance(a, b);
    return distance <= Math.max(1, Math.floor(Math.max(a.length, b.length) / 3)) ? distance : Infinity;
  };
  let best: { candidate: string; rank: [number, number, number] } | null = null;
  for (const candidate of known) {
    const lower = candidate.toLowerCase();
    const distance = Math.min(close(name, lastSegment(lower)), close(normalized, lower));
    if (distance === Infinity) continue;
    const sameParent = lower.slice(0, lower.length - lastSegment(lower).length) === parent ? 0 : 1;
    const rank: [number, number, number] = [distance, sameParent, candidate.length];
    if (!best || rankLess(rank, best.rank)) best = { candidate, rank };
  }
  if (!best) return null;
  const index = /^([^.]*)\[(\d+)\]/.exec(path);
  return index && best.candidate.startsWith(`${index[1]}[]`) ? best.candidate.replace('[]', `[${index[2]}]`) : best.candidate;
}

/** Ranks compared element by element (the first difference decides). */
function rankLess(a: readonly number[], b: readonly number[]): boolean {
  const i = a.findIndex((value, k) => value !== b[k]);
  return i !== -1 && a[i] < b[i];
}

/**
 * The keys of `config` that `shape` does not know, at every level of the objects and lists it
 * describes (an unknown key's own contents are not looked into), each with its suggestion.
 */
export function findUnknownKeys(config: Record<string, unknown>, shape: KeyShape): UnknownKey[] {
  const known = knownPaths(shape);
  const found: UnknownKey[] = [];
  const walk = (value: unknown, inner: KeyShape, path: string) => {
    if (inner === true) return;
    if (isListShape(inner)) {
      if (Array.isArray(value)) value.forEach((entry, index) => walk(entry, inner[0], `${path}[${index}]`));
      return;
    }
    if (!isPlainObject(value)) return;
    for (const [key, child] of Object.entries(value)) {
      const childPath = join(path, key);
      // Own keys only: 'constructor' or '__proto__' are unknown keys like any other.
      if (Object.prototype.hasOwnProperty.call(inner, key)) walk(child, inner[key], childPath);
      else found.push({ path: childPath, parent: withoutIndexes(path), suggestion: nearestKnownPath(childPath, known) });
    }
  };
  walk(config, shape, '');
  return found;
}

/** "unknown key 'contentSecurity' in the plugin's config (did you mean 'profile.contentSecurity'?)" */
export function unknownKeyMessage({ path, suggestion }: UnknownKey): string {
  return `unknown key '${path}' in the plugin's config${suggestion ? ` (did you mean '${suggestion}'?)` : ''}`;
}
