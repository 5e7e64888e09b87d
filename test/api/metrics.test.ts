import { describe, expect, it } from 'vitest';
import { promtool } from '../helpers/promtool.js';
import { useFakeLlmService, useTestService } from './support/service-block.js';

/** The value of one sample in a Prometheus text exposition; undefined when the series is absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = Object.fromEntries(
      [...(match[3] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((label) => [label[1], label[2]]),
    );
    if (Object.entries(labels).every(([key, value]) => present[key] === value)) return Number(match[4]);
  }
  return undefined;
}

describe('GET /api/metrics, without an LLM', () => {
  const context = useTestService({ RETRAINING_THRESHOLD: '3.5' });

  it('reports quality, retrieval, index and learning figures from what happened', async () => {
    let text = (await context.api.request('GET', '/api/metrics')).body as string;
    // No rating yet: quality figures are NaN, so that no alert compares against a made-up value.
    expect(sample(text, 'vasdom_quality_average_rating')).toBeNaN();
    expect(sample(text, 'vasdom_ai_responses_total', { status: 'curated' })).toBe(0);
    expect(sample(text, 'vasdom_database_errors_total', { operation: 'write' })).toBe(0);

    const good = await context.api.ask('Когда моют окна в подъездах на улице Ленина?');
    const bad = await context.api.ask('Сколько стоит генеральная уборка подъезда?');
    await context.api.rate(good.log_id, 5);
    await context.api.rate(bad.log_id, 1);
    await context.service.services.learning.requestPass();
    await context.api.ask('когда моют окна в подъездах, улица Ленина');

    text = (await context.api.request('GET', '/api/metrics')).body as string;
    expect(sample(text, 'vasdom_quality_rated_conversations')).toBe(2);
    expect(sample(text, 'vasdom_quality_average_rating')).toBe(3);
    expect(sample(text, 'vasdom_quality_satisfaction_ratio')).toBe(0.5);
    expect(sample(text, 'vasdom_quality_negative_ratio')).toBe(0.5);
    expect(sample(text, 'vasdom_quality_retraining_threshold')).toBe(3.5);
    expect(sample(text, 'vasdom_retrieval_index_items')).toBe(1);
    expect(sample(text, 'vasdom_retrieval_index_ready')).toBe(1);
    expect(sample(text, 'vasdom_retrieval_duration_seconds_count')).toBe(3);
    expect(sample(text, 'vasdom_ai_responses_total', { status: 'retrieval' })).toBe(1);
    expect(sample(text, 'vasdom_ai_responses_total', { status: 'fallback' })).toBe(2);
    expect(sample(text, 'vasdom_learning_passes_total', { result: 'success' })).toBeGreaterThanOrEqual(1);
    expect(
      sample(text, 'vasdom_learning_pass_duration_seconds_count', { result: 'success' }),
    ).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'vasdom_learning_feedback_total', { rating: '1' })).toBe(1);
    expect(sample(text, 'vasdom_health_status', { status: 'healthy' })).toBe(1);
    expect(sample(text, 'vasdom_health_status', { status: 'unhealthy' })).toBe(0);
    expect(sample(text, 'vasdom_log_lines_dropped_total', { destination: 'console' })).toBe(0);
    expect(sample(text, 'vasdom_log_lines_dropped_total', { destination: 'file' })).toBe(0);
    // Background jobs: counted by result from registration on, timed per run.
    expect(sample(text, 'vasdom_job_runs_total', { job: 'health-database-ping', result: 'failure' })).toBe(0);
    expect(sample(text, 'vasdom_job_runs_total', { job: 'system-sample', result: 'skipped' })).toBe(0);
    expect(text).toMatch(/^# TYPE vasdom_job_duration_seconds histogram$/m);
    const memory = sample(text, 'vasdom_system_memory_used_ratio') ?? -1;
    expect(memory).toBeGreaterThan(0);
    expect(memory).toBeLessThan(1);
  });

  it('passes promtool check metrics for every series of ours', async () => {
    await context.api.ask('Сколько домов вы обслуживаете?');
    const text = (await context.api.request('GET', '/api/metrics')).body as string;
    const { output } = promtool(['check', 'metrics'], text);
    // prom-client's default process series trip promtool's naming lint; ours must not.
    const ours = output.split('\n').filter((line) => line.includes('vasdom_'));
    expect(ours).toEqual([]);
    expect(text).toMatch(/^# TYPE vasdom_requests_total counter$/m);
    expect(text).toMatch(/^# TYPE vasdom_job_runs_total counter$/m);
  });
});

describe('GET /api/metrics, with an LLM', () => {
  const llm = useFakeLlmService({ LLM_API_KEY: 'metrics-key' });

  it('times LLM calls by result and counts their tokens', async () => {
    llm.fake.respondWith({ kind: 'answer', text: 'Ответ модели.' });
    await llm.api.ask('Сколько бригад работает в компании?');
    llm.fake.respondWith({ kind: 'status', status: 503 });
    await llm.api.ask('Сколько бригад работает в Северном районе?');

    const text = (await llm.api.request('GET', '/api/metrics')).body as string;
    // The fake provider reports 120 prompt and 30 completion tokens per answer.
    expect(sample(text, 'vasdom_llm_tokens_total', { kind: 'prompt' })).toBe(120);
    expect(sample(text, 'vasdom_llm_tokens_total', { kind: 'completion' })).toBe(30);
    expect(sample(text, 'vasdom_llm_request_duration_seconds_count', { result: 'success' })).toBe(1);
    expect(sample(text, 'vasdom_llm_request_duration_seconds_count', { result: 'unavailable' })).toBe(1);
    expect(sample(text, 'vasdom_llm_failures_total', { reason: 'unavailable' })).toBe(1);
    expect(sample(text, 'vasdom_ai_responses_total', { status: 'llm' })).toBe(1);
    expect(sample(text, 'vasdom_ai_responses_total', { status: 'error' })).toBe(1);
    expect(text).not.toContain('metrics-key');
  });
});
