import { afterAll, beforeAll } from 'vitest';
import { FakeOpenAiServer } from '../../helpers/fake-openai-server.js';
import { startTestService, type TestService } from '../../helpers/test-service.js';
import { Api } from './api.js';

export interface ServiceBlock {
  service: TestService;
  api: Api;
}

/**
 * For a describe block: the service, in process over a fresh data directory, started before the block's
 * tests and closed after them. The fields are filled once the block starts.
 */
export function useTestService(
  environment: Record<string, string> | (() => Record<string, string>) = {},
): ServiceBlock {
  const block = {} as ServiceBlock;
  beforeAll(async () => {
    block.service = await startTestService(typeof environment === 'function' ? environment() : environment);
    block.api = new Api(block.service);
  });
  afterAll(async () => {
    await block.service?.close();
  });
  return block;
}

/** The same with a fake OpenAI-compatible server as its LLM, started first. */
export function useFakeLlmService(
  environment: Record<string, string> = {},
): ServiceBlock & { fake: FakeOpenAiServer } {
  const fake = new FakeOpenAiServer();
  beforeAll(async () => {
    await fake.start();
  });
  afterAll(async () => {
    await fake.stop();
  });
  return Object.assign(
    useTestService(() => ({ LLM_BASE_URL: fake.baseUrl, ...environment })),
    { fake },
  );
}
