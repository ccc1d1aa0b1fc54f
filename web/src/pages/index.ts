import type { ComponentType } from 'react';
import { JobsPage } from './jobs.js';
import { MigrationsPage } from './migrations.js';

/**
 * Every page of the dashboard: its route and, when it is in the navigation
 * bar, its label. A new page is one module and one line here.
 */
export interface PageEntry {
  path: string;
  nav?: string;
  component: ComponentType;
}

export const pages: PageEntry[] = [
  { path: '/', nav: 'Migrations', component: MigrationsPage },
  { path: '/migrations/:name/jobs', component: JobsPage },
];
