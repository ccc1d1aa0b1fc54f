import { stringify } from 'yaml';
import { z } from 'zod';
import { checkAndSaveSystemPlan, discoverInstallation, publicInfo } from '../app/system-inspect.js';
import { hostConfigSchema } from '../system/host-config.js';
import type { ServerContext } from './context.js';
import { route, type Route } from './route-table.js';

/** An installation as the wizard's Source info shows it: licence keys by name, never their values nor the database password. */
const info = z.object({
  platform: z.string(), version: z.string(), url: z.string(), hostName: z.string(), domain: z.string(), addresses: z.array(z.string()),
  configFile: z.string(),
  database: z.object({ engine: z.string(), location: z.string(), name: z.string(), user: z.string().optional(), tablePrefix: z.string().optional(), sizeBytes: z.number(), replicated: z.boolean() }),
  uploadsDir: z.string(), uploadsBytes: z.number(),
  licenceKeys: z.array(z.string()).describe('the names of the secret settings present ($wgSecretKey, AUTH_KEY...), never their values'),
  serverRole: z.enum(['standalone', 'replicated']), inMaintenance: z.boolean(),
  highAvailability: z.string().optional().describe('the high-availability warning with the DNS changes to make, when the database is replicated'),
});
const finding = z.object({ level: z.enum(['error', 'warning']), message: z.string() });

/**
 * The system migration wizard's routes (issue 9): discover an installation,
 * and check + save a `kind: system` plan the way `ferry system plan` does.
 * Both are admin only: they read configuration files on hosts Ferry reaches
 * and a system run replaces the target's whole data. Running, stopping and
 * undoing a saved one go through the runs routes (operator), as for item
 * migrations: the target is snapshotted first, so a run can be undone.
 */
export function systemRoutes(ctx: ServerContext): Route[] {
  const { ferry } = ctx;
  return [
    route({
      method: 'POST', url: '/api/system/discover', tag: 'system', access: 'admin', response: info,
      summary: 'Discovers one installation on a host (this machine or SSH): platform, version, host name, domain, addresses, database engine and size, uploads size, the licence keys present (names only) and the server role. Reads, writes nothing',
      body: z.object({
        platform: z.enum(['mediawiki', 'wordpress']),
        host: hostConfigSchema.default('local').describe('"local", or { ssh: { host, port, user, key, hostKey... } } as in a system plan'),
        configFile: z.string().min(1).regex(/^\//, 'an absolute path on that host').describe('MediaWiki: LocalSettings.php; WordPress: wp-config.php'),
        codeDir: z.string().min(1).regex(/^\//, 'an absolute path on that host').optional(),
        env: z.record(z.string(), z.string()).optional(),
      }),
      async handler({ body, caller }) {
        const found = await discoverInstallation(body);
        await ctx.audit(caller, 'system.discover', body.configFile, typeof body.host === 'string' ? 'local' : `${body.host.ssh.user}@${body.host.ssh.host}`);
        return publicInfo(found);
      },
    }),
    route({
      method: 'POST', url: '/api/system/migrations', tag: 'system', access: 'admin', status: 201,
      response: z.object({ name: z.string(), saved: z.boolean(), planYaml: z.string(), source: info, target: info, findings: z.array(finding) }),
      summary: 'Checks a system migration plan (the fields of a `kind: system` plan, docs/system-migration.md): discovers both installations and makes the pre-checks, then saves it as `ferry system plan` does. `save: false` only checks. Writes nothing to either installation',
      body: z.object({
        plan: z.record(z.string(), z.unknown()).describe('the plan\'s fields: kind: system, name, platform, source, target, options'),
        save: z.boolean().default(true),
      }),
      async handler({ body, caller, reply }) {
        // The YAML a plan file would hold, validated by the plan's own parser (its messages name the field).
        const yaml = stringify(body.plan);
        const checked = await checkAndSaveSystemPlan(ferry, yaml, { save: body.save });
        if (body.save) await ctx.audit(caller, 'migration.save', checked.plan.name, 'system migration');
        void reply.status(body.save ? 201 : 200);
        return { name: checked.plan.name, saved: body.save, planYaml: yaml, source: publicInfo(checked.source, checked.target), target: publicInfo(checked.target, checked.source), findings: checked.findings };
      },
    }),
  ];
}
