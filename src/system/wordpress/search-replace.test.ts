import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { SEARCH_REPLACE_LIBRARY, phpLiteral } from './search-replace-php.js';

const OLD = 'http://127.0.0.1:8080';
const NEW = 'https://blog.example.org';

interface Outcome {
  values: string[];
  replacements: number;
  broken: string[];
  skipped: string[];
}

/** Runs the PHP library (no WordPress) over values built by PHP code `inputs` (an array expression). */
function run(inputs: string, pairs: Array<[string, string]> = [[OLD, NEW]]): Outcome {
  const script = `<?php
${SEARCH_REPLACE_LIBRARY}
$sr = new Ferry_Search_Replace( json_decode( ${phpLiteral(JSON.stringify(pairs))}, true ) );
$out = [];
foreach ( ${inputs} as $i => $value ) {
	$out[] = $sr->value( $value, 'value ' . $i );
}
echo json_encode( [ 'values' => $out, 'replacements' => $sr->replacements, 'broken' => $sr->broken, 'skipped' => $sr->skipped ] );
`;
  return JSON.parse(execFileSync('php', ['-d', 'display_errors=stderr'], { input: script, encoding: 'utf8' })) as Outcome;
}

/** Unserializes in PHP and prints JSON, to check the rewritten values are valid. */
function phpUnserialize(value: string): unknown {
  const script = `<?php echo json_encode( unserialize( ${phpLiteral(value)}, [ 'allowed_classes' => [ 'stdClass' ] ] ) );`;
  return JSON.parse(execFileSync('php', [], { input: script, encoding: 'utf8' })) as unknown;
}

describe('serialized-safe search-replace (PHP, as WP-CLI search-replace)', () => {
  it('replaces in plain text and in the JSON-escaped form of block attributes', () => {
    const out = run(`[ ${phpLiteral(`<a href="${OLD}/hello/">x</a> <!-- wp:image {"url":"${OLD.replace(/\//g, '\\/')}\\/wp-content\\/a.png"} -->`)} ]`);
    expect(out.values[0]).toBe(`<a href="${NEW}/hello/">x</a> <!-- wp:image {"url":"${NEW.replace(/\//g, '\\/')}\\/wp-content\\/a.png"} -->`);
    expect(out.replacements).toBe(2);
  });

  it('rewrites nested arrays and fixes string lengths that change', () => {
    const out = run(`[ serialize( [ 'title' => 'Links', 'urls' => [ '${OLD}/a', [ 'deep' => '${OLD}/b/c.png', 'n' => 3 ] ], 'other' => 'http://127.0.0.1:80808' ] ) ]`);
    const value = out.values[0] ?? '';
    expect(value).toContain(`s:${`${NEW}/a`.length}:"${NEW}/a"`);
    expect(phpUnserialize(value)).toEqual({ title: 'Links', urls: [`${NEW}/a`, { deep: `${NEW}/b/c.png`, n: 3 }], other: 'http://127.0.0.1:80808' });
    expect(out.replacements).toBe(2);
  });

  it('rewrites stdClass objects and serialized strings inside serialized values', () => {
    const out = run(`[ serialize( (object) [ 'home' => '${OLD}', 'inner' => serialize( [ 'x' => '${OLD}/x' ] ) ] ) ]`);
    const value = phpUnserialize(out.values[0] ?? '') as { home: string; inner: string };
    expect(value.home).toBe(NEW);
    expect(phpUnserialize(value.inner)).toEqual({ x: `${NEW}/x` });
  });

  it('leaves a URL that only starts like the old one (another port, a longer host) alone', () => {
    const out = run(`[ 'see http://127.0.0.1:80801/x and http://127.0.0.1:8080.example.org and ${OLD}.' ]`);
    expect(out.values[0]).toBe(`see http://127.0.0.1:80801/x and http://127.0.0.1:8080.example.org and ${NEW}.`);
  });

  it('leaves already-broken serialization as it was and reports where', () => {
    const broken = `a:1:{s:3:"url";s:5:"${OLD}/x";}`;
    const out = run(`[ 'fine ${OLD}', ${phpLiteral(broken)} ]`);
    expect(out.values[1]).toBe(broken);
    expect(out.broken).toEqual(['value 1']);
    expect(out.values[0]).toBe(`fine ${NEW}`);
  });

  it('does not unserialize other classes (their code would run) and reports them', () => {
    const value = `O:8:"WP_Thing":1:{s:3:"url";s:${OLD.length}:"${OLD}";}`;
    const out = run(`[ ${phpLiteral(value)} ]`);
    expect(out.values[0]).toBe(value);
    expect(out.skipped).toEqual(['value 0']);
  });

  it('leaves values without the URL byte for byte, also serialized ones', () => {
    const out = run(`[ 'a:1:{i:0;d:0.10000000000000001;}', 'plain' ]`);
    expect(out.values).toEqual(['a:1:{i:0;d:0.10000000000000001;}', 'plain']);
    expect(out.replacements).toBe(0);
  });
});
