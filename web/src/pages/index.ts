import type { ComponentType } from 'react';
import type { Role } from '../session.js';
import { AccessPage } from './access.js';
import { AuditPage } from './audit.js';
import { ConnectionsPage } from './connections.js';
import { JobsPage } from './jobs.js';
import { MigrationsPage } from './migrations.js';
import { PlanEditorPage } from './plan-editor.js';
import { WizardPage } from './wizard.js';
import { SystemWizardPage } from './system-wizard.js';
import { MigrationPage } from './migration-page.js';
import { RunPage } from './run-page.js';
import { WorkersPage } from './workers.js';

/**
 * Every page of the dashboard: its route and, when it is in the navigation
 * bar, its label. A new page is one module and one line here.
 */
export interface PageEntry {
  path: string;
  nav?: string;
  /** The role the navigation link needs (the page itself says why it shows nothing to others). */
  role?: Role;
  component: ComponentType;
}

export const pages: PageEntry[] = [
  { path: '/', nav: 'Migrations', component: MigrationsPage },
  { path: '/migrations/:name/jobs', component: JobsPage },
  { path: '/connections', nav: 'Connections', component: ConnectionsPage },
  { path: '/plans/new', nav: 'New plan', component: PlanEditorPage },
  { path: '/migrations/:name/edit', component: PlanEditorPage },
  { path: '/wizard', nav: 'Wizard', component: WizardPage },
  { path: '/system/new', nav: 'System migration', role: 'admin', component: SystemWizardPage },
  { path: '/audit', nav: 'Audit', role: 'admin', component: AuditPage },
  { path: '/workers', nav: 'Workers', component: WorkersPage },
  { path: '/access', nav: 'Access', component: AccessPage },
  { path: '/migrations/:name', component: MigrationPage },
  { path: '/runs/:id', component: RunPage },
];
