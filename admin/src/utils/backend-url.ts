/** The URL the admin panel talks to its Strapi server at (Strapi sets window.strapi.backendURL). */
export function backendUrl(): string {
  const url = (window as unknown as { strapi?: { backendURL?: string } }).strapi?.backendURL;
  return (url || window.location.origin).replace(/\/+$/, '');
}
