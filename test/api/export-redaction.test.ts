import { beforeAll, describe, expect, it } from 'vitest';
import { useTestService } from './support/service-block.js';

const QUESTION =
  'Перезвоните мне на +7 (910) 123-45-67, в офис 8 (4842) 56-78-90 или диспетчеру т.56-78-90, ' +
  'а лучше напишите ivan.petrov@mail.ru про уборку подъезда';

describe('exports with EXPORT_REDACT_PII', () => {
  const context = useTestService({ EXPORT_REDACT_PII: 'true' });

  beforeAll(async () => {
    const asked = await context.api.ask(QUESTION);
    await context.api.rate(asked.log_id, 5);
  });

  it('replace phone numbers and e-mail addresses in JSON and JSONL, and keep the stored text', async () => {
    const redacted =
      'Перезвоните мне на [телефон], в офис [телефон] или диспетчеру т.[телефон], ' +
      'а лучше напишите [email] про уборку подъезда';
    const json = await context.api.request('GET', '/api/learning/export');
    expect(json.body.data[0].messages[0]).toEqual({ role: 'user', content: redacted });
    const jsonl = await context.api.raw('GET', '/api/learning/export?format=jsonl');
    expect(JSON.parse(String(jsonl.body).trim()).messages[0].content).toBe(redacted);
    for (const number of ['123-45-67', '4842', '56-78-90']) expect(String(jsonl.body)).not.toContain(number);
    const [stored] = await context.service.services.learning.exportConversations({ minRating: 5 });
    expect(stored?.user_message).toBe(QUESTION);
  });
});
