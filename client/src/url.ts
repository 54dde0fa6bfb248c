/** A query value: nested objects and arrays become Strapi's bracket notation (`filters[title][$eq]=x`, `sort[0]=title`). */
export type QueryValue = string | number | boolean | null | undefined | QueryValue[] | { [key: string]: QueryValue };

const ABSOLUTE = /^[a-z][a-z0-9+.-]*:\/\//i;

/** `url` as is when absolute, otherwise joined to `baseURL` with exactly one slash between them. */
export function joinURL(baseURL: string, url: string): string {
  if (ABSOLUTE.test(url)) return url;
  return `${baseURL.replace(/\/+$/, '')}/${url.replace(/^\/+/, '')}`;
}

function encodePairs(prefix: string, value: QueryValue, pairs: string[]): void {
  if (value === undefined || value === null) return;
  if (Array.isArray(value)) {
    value.forEach((item, index) => encodePairs(`${prefix}[${index}]`, item, pairs));
  } else if (typeof value === 'object') {
    Object.keys(value).forEach((key) => encodePairs(`${prefix}[${key}]`, value[key], pairs));
  } else {
    pairs.push(`${encodeURIComponent(prefix).replace(/%5B/gi, '[').replace(/%5D/gi, ']')}=${encodeURIComponent(String(value))}`);
  }
}

/** `url` with `params` appended as a query string (after any query it already has). */
export function withQuery(url: string, params: { [key: string]: QueryValue } | undefined): string {
  if (!params) return url;
  const pairs: string[] = [];
  Object.keys(params).forEach((key) => encodePairs(key, params[key], pairs));
  if (pairs.length === 0) return url;
  return `${url}${url.indexOf('?') === -1 ? '?' : '&'}${pairs.join('&')}`;
}
