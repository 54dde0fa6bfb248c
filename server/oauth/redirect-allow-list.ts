/**
 * Where a browser login may send the browser back to: pages of the allow-list only, so the plugin is never an open
 * redirect. An entry is an absolute URL; a redirect matches it when it has the same origin (scheme, host, port) and
 * the same path, or, for an entry ending in `/`, a path below it. The redirect's query and fragment are its own.
 * Paths are compared as the URL parser normalises them (`..`, `%2e%2e` and `\` resolved). No Strapi in here.
 */

/** The longest redirect accepted, in characters. */
export const MAX_REDIRECT_LENGTH = 2048;

export function parseRedirect(redirect: string): URL | null {
  if (redirect.length > MAX_REDIRECT_LENGTH) return null;
  let url: URL;
  try {
    url = new URL(redirect);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  if (url.username || url.password) return null;
  return url;
}

export function isAllowedRedirect(redirect: string, allowList: readonly string[]): boolean {
  const url = parseRedirect(redirect);
  if (!url) return false;
  return allowList.some((entry) => {
    const allowed = parseRedirect(entry);
    if (!allowed || allowed.origin !== url.origin) return false;
    return allowed.pathname.endsWith('/') ? url.pathname.startsWith(allowed.pathname) : url.pathname === allowed.pathname;
  });
}

/** `redirect` with `params` set in its query (its own other parameters and fragment kept). */
export function redirectWith(redirect: string, params: Record<string, string>): string {
  const url = new URL(redirect);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return url.toString();
}
