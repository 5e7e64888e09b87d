import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from '../api/support/child-service.js';
import { promtool } from '../helpers/promtool.js';

const PROMETHEUS_DIR = path.join(REPO_ROOT, 'deploy/prometheus');

interface RuleFile {
  groups: { name: string; rules: { alert?: string; expr: string }[] }[];
}
interface RuleTests {
  tests: { alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[];
}

describe('deploy/prometheus/alerts.yml', () => {
  const rules = parse(readFileSync(path.join(PROMETHEUS_DIR, 'alerts.yml'), 'utf8')) as RuleFile;
  const alerts = rules.groups.flatMap((group) => group.rules.flatMap((rule) => rule.alert ?? []));

  it('is valid for promtool check rules', () => {
    const { status, output } = promtool(['check', 'rules', path.join(PROMETHEUS_DIR, 'alerts.yml')]);
    expect(output).toContain(`SUCCESS: ${alerts.length} rules found`);
    expect(status).toBe(0);
  });

  it('passes its unit tests (promtool test rules)', () => {
    const { status, output } = promtool(['test', 'rules', path.join(PROMETHEUS_DIR, 'alerts.test.yml')]);
    expect(output).toContain('SUCCESS');
    expect(status).toBe(0);
  });

  it('has the prototype critical alerts and the learning-quality alerts, each seen firing in a test', () => {
    expect(alerts).toEqual(
      expect.arrayContaining([
        'VasdomNotHealthy',
        'VasdomSlowAnswers',
        'VasdomAiFailures',
        'VasdomMemoryHigh',
        'VasdomAverageRatingLow',
        'VasdomSatisfactionLow',
        'VasdomNegativeRatingsHigh',
      ]),
    );
    const tests = parse(readFileSync(path.join(PROMETHEUS_DIR, 'alerts.test.yml'), 'utf8')) as RuleTests;
    const seenFiring = new Set(
      tests.tests.flatMap((test) =>
        (test.alert_rule_test ?? [])
          .filter((check) => check.exp_alerts.length > 0)
          .map((check) => check.alertname),
      ),
    );
    for (const alert of alerts) expect(seenFiring, `a test where ${alert} fires`).toContain(alert);
  });

  it('only reads series the service exports', () => {
    const metricsSource = readFileSync(path.join(REPO_ROOT, 'src/observability/metrics.ts'), 'utf8');
    const expressions = rules.groups.flatMap((group) => group.rules.map((rule) => rule.expr)).join('\n');
    const series = new Set(expressions.match(/\bvasdom_[a-z_]+/g) ?? []);
    for (const name of series) {
      const base = name.replace(/_(bucket|count|sum)$/, '');
      expect(metricsSource, `${name} is defined in metrics.ts`).toContain(`'${base}'`);
    }
  });
});
