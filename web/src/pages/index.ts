import type { ComponentType } from 'react';
import { AccessPage } from './access.js';
import { AuditPage } from './audit.js';
import { ConnectionsPage } from './connections.js';
import { MigrationsPage } from './migrations.js';
import { PlanEditorPage } from './plan-editor.js';
import { WizardPage } from './wizard.js';

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
  { path: '/connections', nav: 'Connections', component: ConnectionsPage },
  { path: '/plans/new', nav: 'New plan', component: PlanEditorPage },
  { path: '/migrations/:name/edit', component: PlanEditorPage },
  { path: '/wizard', nav: 'Wizard', component: WizardPage },
  { path: '/audit', nav: 'Audit', component: AuditPage },
  { path: '/access', nav: 'Access', component: AccessPage },
];
