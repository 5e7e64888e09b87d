import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { environmentSchema, parseConfig } from '../../src/config/config.schema.js';
import { REPO_ROOT } from '../api/support/child-service.js';
import { promtool } from '../helpers/promtool.js';

const read = (file: string) => readFileSync(path.join(REPO_ROOT, file), 'utf8');
const START_COMMAND = 'node dist/main.js';
const KNOWN_VARIABLES = new Set(Object.keys(environmentSchema.shape));

/** Instructions of the last stage of a Dockerfile (after its last FROM). */
function finalStage(dockerfile: string): string[] {
  const instructions = dockerfile
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const lastFrom = instructions.findLastIndex((line) => line.startsWith('FROM '));
  return instructions.slice(lastFrom);
}

/** `exec`-form JSON array or shell form, as one command line. */
function commandOf(instruction: string): string {
  const argument = instruction.replace(/^\w+\s+/, '');
  return argument.startsWith('[') ? (JSON.parse(argument) as string[]).join(' ') : argument;
}

interface Compose {
  services: Record<
    string,
    {
      image?: string;
      build?: unknown;
      environment?: Record<string, string>;
      command?: string[];
      ports?: string[];
      volumes?: string[];
    }
  >;
}

/** What docker compose would substitute with an empty environment (defaults; required ones as placeholders). */
function substitute(value: string): string {
  return value.replace(
    /\$\{(\w+)(?::?-([^}]*)|:\?[^}]*)?\}/g,
    (_match, _name, fallback?: string) => fallback ?? 'set-at-deploy',
  );
}

describe('deployment files', () => {
  const compose = parse(read('docker-compose.yml')) as Compose;
  const app = compose.services.audiobot;

  it('start the service with one command everywhere', () => {
    const stage = finalStage(read('Dockerfile'));
    expect(commandOf(stage.find((line) => line.startsWith('CMD ')) ?? '')).toBe(START_COMMAND);
    expect(read('Procfile').trim()).toBe(`web: ${START_COMMAND}`);
    const render = parse(read('render.yaml')) as {
      services: { startCommand: string; healthCheckPath: string }[];
    };
    expect(render.services[0]?.startCommand).toBe(START_COMMAND);
    expect(app?.command?.join(' ')).toBe(START_COMMAND);
    const packageJson = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    expect(packageJson.scripts.start).toBe(START_COMMAND);
    expect(render.services[0]?.healthCheckPath).toBe('/api/health/ready');
  });

  it('build a multi-stage image that runs unprivileged with a health check', () => {
    const dockerfile = read('Dockerfile');
    const stages = dockerfile.match(/^FROM /gm) ?? [];
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const stage = finalStage(dockerfile);
    expect(stage[0]).toMatch(/^FROM node:20\b/);
    const user = stage.find((line) => line.startsWith('USER '));
    expect(user).toBeDefined();
    expect(user).not.toMatch(/USER\s+(root|0)\b/);
    // The user is set before the command runs, and the health check asks the readiness route.
    expect(stage.indexOf(user as string)).toBeLessThan(stage.findIndex((line) => line.startsWith('CMD ')));
    expect(stage.find((line) => line.startsWith('HEALTHCHECK '))).toContain('/api/health/ready');
    expect(stage.find((line) => line.startsWith('EXPOSE '))).toBe('EXPOSE 8001');
    // What the image runs from is copied into it.
    for (const needed of ['dist', 'node_modules', 'resources', 'package.json']) {
      expect(
        stage.some((line) => line.startsWith('COPY') && line.includes(needed)),
        needed,
      ).toBe(true);
    }
  });

  it('set only variables the service knows, with values its configuration accepts', () => {
    const environment = Object.fromEntries(
      Object.entries(app?.environment ?? {}).map(([name, value]) => [name, substitute(String(value))]),
    );
    for (const name of Object.keys(environment)) expect(KNOWN_VARIABLES, name).toContain(name);
    const config = parseConfig(environment);
    expect(config.http.port).toBe(8001);
    expect(app?.ports).toContain(`${config.http.port}:${config.http.port}`);
    expect(app?.volumes).toContain(`audiobot-data:${environment.DATA_DIR}`);

    const render = parse(read('render.yaml')) as {
      services: { envVars: { key: string; value?: string; sync?: boolean }[]; disk: { mountPath: string } }[];
    };
    const renderVariables = render.services[0]?.envVars ?? [];
    for (const { key } of renderVariables) {
      if (key !== 'NODE_VERSION') expect(KNOWN_VARIABLES, key).toContain(key);
    }
    const renderEnvironment = Object.fromEntries(
      renderVariables
        .filter((variable) => variable.value !== undefined && variable.key !== 'NODE_VERSION')
        .map((variable) => [variable.key, variable.value as string]),
    );
    expect(parseConfig(renderEnvironment).dataDir).toBe(render.services[0]?.disk.mountPath);
  });

  it('wire Prometheus to the service and its alert rules, and Grafana to Prometheus and the dashboard', () => {
    const prometheus = parse(read('deploy/prometheus/prometheus.yml')) as {
      rule_files: string[];
      scrape_configs: { job_name: string; metrics_path: string; static_configs: { targets: string[] }[] }[];
    };
    const job = prometheus.scrape_configs[0];
    expect(job?.metrics_path).toBe('/api/metrics');
    expect(job?.static_configs[0]?.targets).toEqual(['audiobot:8001']);
    // The alert rules' `up` alert names this job.
    expect(read('deploy/prometheus/alerts.yml')).toContain(`job="${job?.job_name}"`);
    const { status, output } = promtool([
      'check',
      'config',
      path.join(REPO_ROOT, 'deploy/prometheus/prometheus.yml'),
    ]);
    expect(output).toContain('is valid prometheus config file syntax');
    expect(status).toBe(0);

    const mounts = compose.services.prometheus?.volumes ?? [];
    expect(mounts).toContain('./deploy/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro');
    expect(mounts).toContain('./deploy/prometheus/alerts.yml:/etc/prometheus/alerts.yml:ro');

    const datasource = parse(read('deploy/grafana/provisioning/datasources/prometheus.yml')) as {
      datasources: { uid: string; url: string }[];
    };
    expect(datasource.datasources[0]?.url).toBe('http://prometheus:9090');
    const provider = parse(read('deploy/grafana/provisioning/dashboards/vasdom.yml')) as {
      providers: { options: { path: string } }[];
    };
    expect(compose.services.grafana?.volumes).toContain(
      `./deploy/grafana/dashboards:${provider.providers[0]?.options.path}:ro`,
    );
  });

  it('hold no secret: required secrets come from the environment', () => {
    const files = ['Dockerfile', 'Procfile', 'render.yaml', 'docker-compose.yml', '.env.example'];
    const deployDir = path.join(REPO_ROOT, 'deploy');
    const walk = (directory: string): string[] =>
      readdirSync(directory).flatMap((entry) => {
        const full = path.join(directory, entry);
        return statSync(full).isDirectory() ? walk(full) : [path.relative(REPO_ROOT, full)];
      });
    for (const file of [...files, ...walk(deployDir)]) {
      const text = read(file);
      expect(text, file).not.toMatch(/\bsk-[A-Za-z0-9_-]{10,}/);
      expect(text, file).not.toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY-----/);
      for (const match of text.matchAll(
        /^\s*-?\s*(\w*(?:PASSWORD|SECRET|API_KEY|TOKEN)\w*)\s*[:=]\s*(.+)$/gim,
      )) {
        const value = (match[2] as string).trim().replace(/^["']|["']$/g, '');
        expect(value === '' || value.startsWith('${'), `${file}: ${match[1]} is not a literal`).toBe(true);
      }
    }
    const render = parse(read('render.yaml')) as {
      services: { envVars: { key: string; value?: string; sync?: boolean }[] }[];
    };
    const key = render.services[0]?.envVars.find((variable) => variable.key === 'LLM_API_KEY');
    expect(key).toEqual({ key: 'LLM_API_KEY', sync: false });
  });
});

describe('deploy/grafana/dashboards/vasdom-audiobot.json', () => {
  const dashboard = JSON.parse(read('deploy/grafana/dashboards/vasdom-audiobot.json')) as {
    uid: string;
    panels: { type: string; title: string; targets?: { expr: string; datasource: { uid: string } }[] }[];
  };
  const targets = dashboard.panels.flatMap((panel) =>
    (panel.targets ?? []).map((target) => ({ panel: panel.title, ...target })),
  );

  it('covers traffic, latency, answer outcomes, ratings and quality', () => {
    const expressions = targets.map((target) => target.expr).join('\n');
    for (const series of [
      'vasdom_requests_total',
      'vasdom_request_duration_seconds_bucket',
      'vasdom_ai_responses_total',
      'vasdom_learning_feedback_total',
      'vasdom_quality_average_rating',
      'vasdom_quality_satisfaction_ratio',
      'vasdom_quality_negative_ratio',
    ]) {
      expect(expressions).toContain(series);
    }
    for (const target of targets) expect(target.datasource.uid, target.panel).toBe('prometheus');
  });

  it('queries only series the service exports, in valid PromQL', () => {
    const metricsSource = read('src/observability/metrics.ts');
    for (const target of targets) {
      for (const name of target.expr.match(/\bvasdom_[a-z_]+/g) ?? []) {
        expect(metricsSource, `${target.panel}: ${name}`).toContain(
          `'${name.replace(/_(bucket|count|sum)$/, '')}'`,
        );
      }
    }
    // promtool parses each query as a recording rule (Grafana's variables replaced by what they stand for).
    const directory = mkdtempSync(path.join(os.tmpdir(), 'vasdom-dashboard-'));
    try {
      const rules = targets.map((target, index) => ({
        record: `dashboard:query_${index}`,
        expr: target.expr.replaceAll('$__rate_interval', '5m').replaceAll('$instance', '.*'),
      }));
      const file = path.join(directory, 'queries.yml');
      writeFileSync(file, JSON.stringify({ groups: [{ name: 'dashboard', rules }] }));
      const { status, output } = promtool(['check', 'rules', file]);
      expect(output).toContain(`SUCCESS: ${rules.length} rules found`);
      expect(status).toBe(0);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
