/**
 * Ferry changes a MediaWiki's configuration only through files it adds
 * beside LocalSettings.php and one marked `require` line appended to it, so
 * each change is removed exactly (the line and the file) by its undo.
 */
import { dirname, join } from 'node:path';
import type { Host } from '../host.js';

export type BlockName = 'FerrySystemSettings' | 'FerrySystemUrl' | 'FerrySystemReadOnly';

export function blockFile(configFile: string, name: BlockName): string {
  return join(dirname(configFile), `${name}.php`);
}

function marker(name: BlockName): string {
  return `# Ferry system migration (${name}): remove this line and ${name}.php to drop it`;
}

/** Writes the included file and appends the require line once (idempotent: a resumed operation calls it again). */
export async function addBlock(host: Host, configFile: string, name: BlockName, php: string): Promise<void> {
  const file = blockFile(configFile, name);
  const mode = (await host.stat(configFile))?.mode ?? 0o640;
  await host.writeFile(file, `<?php\n// Written by Ferry (system migration); removed by \`ferry undo\`.\n${php}\n`, mode);
  const config = (await host.readFile(configFile)).toString('utf8');
  if (config.includes(marker(name))) return;
  const line = `${config.endsWith('\n') ? '' : '\n'}${marker(name)}\nrequire ${phpString(file)};\n`;
  await host.writeFile(configFile, config + line, mode);
}

/** Removes the require line and the file; nothing there is not an error. */
export async function removeBlock(host: Host, configFile: string, name: BlockName): Promise<void> {
  const config = (await host.readFile(configFile)).toString('utf8');
  const mark = marker(name);
  const at = config.indexOf(mark);
  if (at >= 0) {
    const lines = config.slice(at).split('\n');
    // The marker line and the require line after it.
    const rest = lines.slice(2).join('\n');
    const before = config.slice(0, at);
    const mode = (await host.stat(configFile))?.mode ?? 0o640;
    await host.writeFile(configFile, before + rest, mode);
  }
  await host.remove(blockFile(configFile, name));
}

export function phpString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
