import type { Random } from './prng.js';
import { SENTENCE_PARTS } from './vocabulary.js';

/** Wikitext building blocks; each returns text only and draws from the Random it is given. */

export function sentence(random: Random): string {
  const { subjects, verbs, endings } = SENTENCE_PARTS;
  return `${random.pick(subjects)} ${random.pick(verbs)} ${random.pick(endings)}`;
}

export function paragraph(random: Random, sentences = random.int(2, 5)): string {
  return Array.from({ length: sentences }, () => sentence(random)).join(' ');
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September',
  'October', 'November', 'December'];

/** A talk-page signature as MediaWiki expands ~~~~ (written out: imports do not expand it). */
export function signature(user: string, timestamp: string): string {
  const when = new Date(timestamp);
  const time = `${String(when.getUTCHours()).padStart(2, '0')}:${String(when.getUTCMinutes()).padStart(2, '0')}`;
  const date = `${when.getUTCDate()} ${MONTHS[when.getUTCMonth()]} ${when.getUTCFullYear()}`;
  if (/^\d+\.\d+\.\d+\.\d+$/.test(user)) return `[[Special:Contributions/${user}|${user}]] ${time}, ${date} (UTC)`;
  return `[[User:${user}|${user}]] ([[User talk:${user}|talk]]) ${time}, ${date} (UTC)`;
}

export interface ArticleDecorations {
  infobox?: { template: string; name: string; region: string };
  links: string[];
  files: string[];
  categories: string[];
  templates: string[];
}

/** Header (infobox, templates) and footer (links, categories) that stay on every revision. */
export function articleFrame(decorations: ArticleDecorations): { header: string; footer: string } {
  const header: string[] = [];
  if (decorations.infobox) {
    const { template, name, region } = decorations.infobox;
    header.push(`{{${template}\n| name = ${name}\n| region = ${region}\n}}`);
  }
  for (const template of decorations.templates) header.push(`{{${template}}}`);
  for (const file of decorations.files) header.push(`[[File:${file}|thumb|${file.replace(/\.[a-z]+$/, '')}]]`);
  const footer: string[] = [];
  if (decorations.links.length > 0) {
    footer.push('== See also ==', ...decorations.links.map((link) => `* [[${link}]]`));
  }
  footer.push(...decorations.categories.map((category) => `[[Category:${category}]]`));
  return { header: header.join('\n'), footer: footer.join('\n') };
}

/** The text of a Scribunto module: Lua that returns a table of functions. */
export function moduleText(name: string, revision: number): string {
  const bodies: Record<string, string> = {
    Greeting: `function p.hello(frame)
\tlocal who = frame.args[1] or 'world'
\treturn 'Hello, ' .. who .. '!'
end`,
    Arithmetic: `function p.sum(frame)
\tlocal total = 0
\tfor _, value in ipairs(frame.args) do
\t\ttotal = total + (tonumber(value) or 0)
\tend
\treturn total
end`,
  };
  const body =
    bodies[name] ??
    `function p.upper(frame)
\treturn mw.ustring.upper(frame.args[1] or '')
end`;
  return `-- Module:${name}, revision ${revision + 1}\nlocal p = {}\n\n${body}\n\nreturn p\n`;
}

/** A template body; 'Greeting' calls Module:Greeting when Scribunto is there. */
export function templateText(name: string, scribunto: boolean, revision: number): string {
  const note = `<noinclude>\nTemplate documentation, version ${revision + 1}.\n[[Category:Templates]]\n</noinclude>`;
  switch (name) {
    case 'Infobox place':
      return `{| class="infobox"\n! colspan="2" | {{{name|{{PAGENAME}}}}}\n|-\n| Region || {{{region|Unknown}}}\n|}${note}`;
    case 'Citation needed':
      return `<sup>[''citation needed'']</sup>${note}`;
    case 'Greeting':
      return `${scribunto ? '{{#invoke:Greeting|hello|{{{1|world}}}}}' : 'Hello, {{{1|world}}}!'}${note}`;
    default:
      return `<div class="notice">This page is part of the ${name} series.</div>${note}`;
  }
}
