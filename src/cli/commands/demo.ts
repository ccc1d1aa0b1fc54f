import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { Ferry } from '../../app/ferry.js';
import { connectors } from '../../app/registry.js';
import { serveUntilStopped } from './serve.js';
import type { DemoPair } from '../demo-platforms.js';
import { ProgressView } from '../progress.js';
import { printRunResult } from '../summary.js';
import { parseCount } from '../validate.js';

const demoPlan = (platform: string) => `# The demo plan: everything from the source ${platform === 'wordpress' ? 'site' : 'wiki'} to the target.
name: demo
source: demo-source
target: demo-target
conflict: skip
users:
  default: create
  placeholder: Ferry placeholder
options:
  concurrency: 2
`;

/** The platforms `ferry demo` can start (the keys of demo-platforms.ts's DEMO_PLATFORMS; a test keeps them equal). */
export const DEMO_PLATFORM_NAMES: readonly string[] = ['mediawiki', 'wordpress'];

/**
 * Two real instances on 127.0.0.1, the source filled from the deterministic
 * generator, and a migration between them with live progress. Instances and
 * store persist in the demo folder, so a second demo run is a re-run that
 * creates nothing.
 */
export function demoCommand(): Command {
  const platforms = DEMO_PLATFORM_NAMES.filter((p) => connectors.has(p));
  return new Command('demo')
    .description('start two local instances, fill one with generated content and migrate it to the other')
    .addOption(new Option('--platform <platform>', 'which platform to demonstrate').choices(platforms).default('mediawiki'))
    .option('--dir <dir>', 'demo folder (instances, store, logs); default .ferry-demo (MediaWiki) or .ferry-demo-<platform>')
    .option('--pages <n>', 'how much to generate on the first run (pages for MediaWiki, posts for WordPress)')
    .option('--keep', 'keep the instances running afterwards until Ctrl-C, to look at them in a browser')
    .option('--serve', 'afterwards, keep the instances running and open the dashboard on the demo\'s data folder (until Ctrl-C)')
    .option('--port <port>', 'the dashboard\'s port with --serve', '4190')
    .addHelpText('after', '\nRun it twice: the second run finds everything unchanged and creates nothing.\nSee it in the dashboard: npm run demo -- --serve (prints the address and the setup token).\nStart over with: rm -rf .ferry-demo')
    .action(async (options: { platform: string; dir?: string; pages?: string; keep?: boolean; serve?: boolean; port: string }) => {
      const port = parseCount('--port', options.port, { min: 0, max: 65535 });
      const pages = options.pages !== undefined ? parseCount('--pages', options.pages, { min: 1, max: 100_000 }) : undefined;
      const dir = resolve(options.dir ?? (options.platform === 'mediawiki' ? '.ferry-demo' : `.ferry-demo-${options.platform}`));
      mkdirSync(dir, { recursive: true });
      const say = (line: string) => process.stdout.write(`${line}\n`);
      // Loaded here, not at the CLI's start: the generator and the test harness are a third of the CLI's own code.
      const { DEMO_PLATFORMS } = await import('../demo-platforms.js');
      const pair = await DEMO_PLATFORMS[options.platform]!(dir, pages, say);
      try {
        await migrate(pair, dir);
        if (options.serve) {
          say(`\nThe instances keep running: source ${pair.source.url}, target ${pair.target.url}.`);
          const ferry = await Ferry.open({ dataDir: join(dir, 'data') });
          try {
            await serveUntilStopped(ferry, { port, host: '127.0.0.1' });
          } finally {
            await ferry.close();
          }
        } else if (options.keep) {
          say(`\nRunning: ${pair.source.url} and ${pair.target.url}. Ctrl-C to stop them.`);
          await new Promise<void>((done) => process.once('SIGINT', () => done()));
        }
      } finally {
        await pair.source.stop();
        await pair.target.stop();
      }
    });
}

async function migrate(pair: DemoPair, dir: string): Promise<void> {
  const ferry = await Ferry.open({ dataDir: join(dir, 'data') });
  try {
    for (const [name, instance] of [['demo-source', pair.source], ['demo-target', pair.target]] as const) {
      await ferry.connections.add(name, pair.platform, { url: instance.url, username: instance.username, password: instance.password }, ferry.now());
    }
    const planFile = join(dir, 'demo-plan.yaml');
    writeFileSync(planFile, demoPlan(pair.platform));
    const migration = await ferry.draftMigration(planFile);
    process.stdout.write(`\nMigrating (plan: ${planFile})\n`);
    const view = new ProgressView(true);
    const run = await ferry.run(migration, {
      onProgress: view.handle,
      onFindings: (findings) => findings.forEach((f) => process.stderr.write(`${f.level}: ${f.message}\n`)),
    });
    view.stop();
    await printRunResult(ferry, run);
    process.stdout.write(`\nData folder: ${join(dir, 'data')} — try: ./bin/ferry.js --data-dir ${join(dir, 'data')} status demo\n`);
    if (run.status !== 'FINISHED') process.exitCode = 5;
  } finally {
    await ferry.close();
  }
}
