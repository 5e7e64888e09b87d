import { afterAll, beforeAll } from 'vitest';
import { FakeOpenAiServer } from '../../helpers/fake-openai-server.js';
import { startTestService, type TestService } from '../../helpers/test-service.js';
import { Api } from './api.js';

export interface FakeLlmService {
  fake: FakeOpenAiServer;
  service: TestService;
  api: Api;
}

/**
 * For a describe block: a fake OpenAI-compatible server and a service whose LLM it is, started before the
 * block's tests and stopped after them. The fields are filled once the block starts.
 */
export function useFakeLlmService(environment: Record<string, string> = {}): FakeLlmService {
  const context = {} as FakeLlmService;
  beforeAll(async () => {
    context.fake = await new FakeOpenAiServer().start();
    context.service = await startTestService({ LLM_BASE_URL: context.fake.baseUrl, ...environment });
    context.api = new Api(context.service);
  });
  afterAll(async () => {
    await context.service?.close();
    await context.fake?.stop();
  });
  return context;
}
