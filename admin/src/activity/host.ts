// What the activity panel takes from the admin it runs in that the kit does not give: Strapi 4's fetch client
// (../v4/activity-host.tsx) or Strapi 5's (../v5/activity-host.tsx), read with the response's headers.
import type { ActivityFetch } from './api';

export interface ActivityHost {
  /** The admin's fetch client, with the admin JWT. */
  useActivityFetch(): ActivityFetch;
}
