/** The URL the admin panel talks to its Strapi server at (Strapi sets window.strapi.backendURL). */
export function backendUrl(): string {
  const url = window.strapi?.backendURL;
  return (url || window.location.origin).replace(/\/+$/, '');
}

declare global {
  interface Window {
    /** Set by the Strapi admin panel. */
    strapi?: { backendURL?: string };
  }
}
