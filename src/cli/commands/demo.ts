import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { Ferry } from '../../app/ferry.js';
import { fillWiki } from '../../generator/fill-wiki.js';
import { DEFAULT_WIKI, generateWikiContent } from '../../generator/mediawiki-content.js';
import { ensureMediaWikiPackages, startWiki, type WikiInstance } from '../../harness/mediawiki.js';
import { ProgressView } from '../progress.js';
import { printRunResult } from '../summary.js';

const DEMO_PLAN = `# The demo plan: everything from the source wiki to the target wiki.
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

/**
 * Two real wikis on 127.0.0.1, the source filled from the deterministic
 * generator, and a migration between them with live progress. The wikis
 * and the store persist in the demo folder, so a second demo run shows a
 * re-run that creates nothing.
 */
export function demoCommand(): Command {
  return new Command('demo')
    .description('start two local MediaWiki instances, fill one with generated content and migrate it to the other')
    .option('--dir <dir>', 'demo folder (wikis, store, logs)', '.ferry-demo')
    .option('--pages <n>', 'pages to generate on the first run', String(DEFAULT_WIKI.pages))
    .option('--keep', 'keep the wikis running afterwards until Ctrl-C, to look at them in a browser')
    .addHelpText('after', '\nRun it twice: the second run finds everything unchanged and creates nothing.\nStart over with: rm -rf .ferry-demo')
    .action(async (options: { dir: string; pages: string; keep?: boolean }) => {
      const dir = resolve(options.dir);
      mkdirSync(dir, { recursive: true });
      process.stdout.write('Checking the MediaWiki packages (installs them with apt-get when missing)...\n');
      await ensureMediaWikiPackages();
      const wikis: WikiInstance[] = [];
      try {
        process.stdout.write('Starting two wikis on 127.0.0.1...\n');
        const source = await startWiki({ name: 'Demo Source Wiki', baseDir: join(dir, 'wikis', 'source') });
        wikis.push(source);
        const target = await startWiki({ name: 'Demo Target Wiki', baseDir: join(dir, 'wikis', 'target') });
        wikis.push(target);
        process.stdout.write(`  source: ${source.url}\n  target: ${target.url}\n`);
        const filled = join(dir, 'wikis', 'source', '.ferry-demo-filled');
        if (!existsSync(filled)) {
          const content = generateWikiContent({ ...DEFAULT_WIKI, pages: Number(options.pages) });
          const revisions = content.pages.reduce((n, p) => n + p.revisions.length, 0);
          process.stdout.write(`Filling the source: ${content.pages.length} pages, ${revisions} revisions, ${content.users.length} users, ${content.files.length} files...\n`);
          await fillWiki(source, content, { onProgress: (m) => process.stdout.write(`  ${m}\n`) });
          writeFileSync(filled, new Date().toISOString());
        } else {
          process.stdout.write('The source was filled by an earlier demo run: migrating again (only changes are carried).\n');
        }
        const ferry = await Ferry.open({ dataDir: join(dir, 'data') });
        try {
          for (const [name, wiki] of [['demo-source', source], ['demo-target', target]] as const) {
            await ferry.connections.add(name, 'mediawiki', { url: wiki.url, username: wiki.botUser, password: wiki.botPassword }, ferry.now());
          }
          const planFile = join(dir, 'demo-plan.yaml');
          writeFileSync(planFile, DEMO_PLAN);
          const migration = await ferry.saveMigration(planFile);
          process.stdout.write(`\nMigrating (plan: ${planFile})\n`);
          const view = new ProgressView(true);
          const run = await ferry.run(migration, {
            onProgress: view.handle,
            onFindings: (findings) => findings.forEach((f) => process.stderr.write(`${f.level}: ${f.message}\n`)),
          });
          view.stop();
          await printRunResult(ferry, run);
          process.stdout.write(`\nData folder: ${join(dir, 'data')} — try: npx tsx src/cli/main.ts --data-dir ${join(dir, 'data')} status demo\n`);
          if (run.status !== 'FINISHED') process.exitCode = 5;
        } finally {
          await ferry.close();
        }
        if (options.keep) {
          process.stdout.write(`\nWikis running: ${source.url} and ${target.url}. Ctrl-C to stop them.\n`);
          await new Promise<void>((done) => process.once('SIGINT', () => done()));
        }
      } finally {
        for (const wiki of wikis) await wiki.stop();
      }
    });
}
