import { describe, expect, it } from 'vitest';
import { parsePlan, PlanError } from '../core/plan.js';
import { isSystemPlanText, parseSystemPlan, systemOptions } from './plan.js';

const PLAN = `kind: system
name: wiki-move
platform: mediawiki
source: { host: local, configFile: /srv/old/LocalSettings.php }
target: { host: local, configFile: /etc/mediawiki/LocalSettings.php }
`;

describe('system plans', () => {
  it('are told apart from item plans, and parsed with the options\' defaults', () => {
    expect(isSystemPlanText(PLAN)).toBe(true);
    expect(isSystemPlanText('name: x\nsource: a\ntarget: b\n')).toBe(false);
    expect(isSystemPlanText(': not yaml [')).toBe(false);
    const plan = parseSystemPlan(PLAN);
    expect(plan.target.host).toBe('local');
    expect(systemOptions(plan)).toEqual({ settings: 'basic', secretKeys: false, logs: false, sourceAfter: 'maintenance' });
  });

  it('the item plan parser refuses one with a message that says where it goes', () => {
    expect(() => parsePlan(PLAN, 'move.yaml')).toThrow(/system migration plan \(kind: system\): save it with `ferry system plan <file>`/);
  });

  it('name each wrong field', () => {
    const bad = PLAN.replace('/srv/old/LocalSettings.php', 'relative/LocalSettings.php').replace('platform: mediawiki', 'platform: drupal') + 'options: { sourceAfter: gone, colour: red }\n';
    try {
      parseSystemPlan(bad, 'bad.yaml');
      throw new Error('expected a PlanError');
    } catch (error) {
      expect(error).toBeInstanceOf(PlanError);
      const paths = (error as PlanError).problems.map((p) => p.path);
      expect(paths).toEqual(expect.arrayContaining(['platform', 'source.configFile', 'options.sourceAfter', 'options']));
      expect((error as PlanError).message).toMatch(/unknown field\(s\) "colour"/);
    }
  });

  it('an SSH host is described without any secret; a password is only ever an environment variable name', () => {
    const plan = parseSystemPlan(PLAN.replace('source: { host: local,', 'source: { host: { ssh: { host: old.example.org, user: ferry, passwordEnv: OLD_PW } },'));
    expect(plan.source.host).toMatchObject({ ssh: { host: 'old.example.org', user: 'ferry', port: 22, passwordEnv: 'OLD_PW' } });
    expect(() => parseSystemPlan(PLAN.replace('source: { host: local,', 'source: { host: { ssh: { host: h, user: u, password: secret } },'))).toThrow(/unknown field/);
  });
});
