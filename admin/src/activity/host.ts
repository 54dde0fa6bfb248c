// What the activity panel takes from the admin it runs in: Strapi 4's (../v4/activity-host.tsx) or Strapi 5's
// (../v5/activity-host.tsx). Everything else of the panel is the same on both majors.
import type { ComponentType } from 'react';
import type { ActivityFetch } from './api';

export interface SelectProps {
  label: string;
  value: string;
  options: Array<{ value: string; label: string }>;
  onChange(value: string): void;
  testId?: string;
}

export interface ActivityHost {
  /** The admin's fetch client, with the admin JWT. */
  useActivityFetch(): ActivityFetch;
  /** A labelled single select of the Design System (the label is a prop on Design System 1, a Field on 2). */
  Select: ComponentType<SelectProps>;
}
