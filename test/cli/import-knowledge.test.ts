import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FAQ_LINES, REGULATIONS, SNOW_QUESTION, SNOW_TEXT } from '../api/support/knowledge-documents.js';
import { runCli } from '../helpers/run-cli.js';
import { startTestService, type TestService, temporaryDirectory } from '../helpers/test-service.js';

describe('vasdom import-knowledge', () => {
  const dataDir = temporaryDirectory('vasdom-cli-data-');
  const documents = temporaryDirectory('vasdom-cli-documents-');
  let service: TestService | undefined;

  afterAll(async () => {
    await service?.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(documents, { recursive: true, force: true });
  });

  it('imports every document under a directory, reports each file, and fails if one does', async () => {
    mkdirSync(path.join(documents, 'brigades'));
    mkdirSync(path.join(documents, '.drafts'));
    writeFileSync(path.join(documents, 'regulations.md'), REGULATIONS);
    writeFileSync(path.join(documents, 'faq.jsonl'), FAQ_LINES);
    writeFileSync(
      path.join(documents, 'brigades', 'notice.txt'),
      'Бригадир проверяет каждый подъезд после уборки.',
    );
    writeFileSync(path.join(documents, 'broken.jsonl'), `${FAQ_LINES}\n{"question": "Без ответа"}`);
    writeFileSync(path.join(documents, 'photo.png'), 'not a document');
    writeFileSync(path.join(documents, '.drafts', 'draft.md'), '# Черновик\n\nНе импортировать.');

    const first = await runCli(['import-knowledge', documents], { DATA_DIR: dataDir });
    expect(first.code, first.stderr).toBe(1);
    const lines = first.stdout.trim().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^brigades\/notice\.txt: imported as «notice» with 1 chunk/);
    expect(lines[1]).toMatch(/^broken\.jsonl: error: .*строка 3: нужно поле "answer"/);
    expect(lines[2]).toMatch(/^faq\.jsonl: imported as «faq» with 2 chunks/);
    expect(lines[3]).toMatch(/^regulations\.md: imported as «Регламент уборки подъездов» with 4 chunks/);
    expect(lines[4]).toBe('Imported 3, already imported 0, failed 1');

    writeFileSync(
      path.join(documents, 'broken.jsonl'),
      `{"question": "Работаете ли вы в праздники?", "answer": "Да."}`,
    );
    // A running service picks up what the command imports.
    service = await startTestService({}, dataDir);
    expect(service.services.knowledge.indexedChunks).toBe(7);
    const second = await runCli(['import-knowledge', documents], { DATA_DIR: dataDir });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain('broken.jsonl: imported as «broken» with 1 chunk');
    expect(second.stdout).toMatch(/^regulations\.md: already imported as «Регламент уборки подъездов»/m);
    expect(second.stdout.trim().split('\n').at(-1)).toBe('Imported 1, already imported 3, failed 0');
    expect(await service.services.knowledge.refresh()).toMatchObject({ documents: 4, chunks: 8 });

    const listed = (await service.request('GET', '/api/knowledge/documents')).body;
    expect(listed.map((document: { source_name: string }) => document.source_name).sort()).toEqual([
      'brigades/notice.txt',
      'broken.jsonl',
      'faq.jsonl',
      'regulations.md',
    ]);
    const found = await service.request(
      'GET',
      `/api/retrieval/search?q=${encodeURIComponent(SNOW_QUESTION)}`,
    );
    expect(found.body[0]).toMatchObject({ kind: 'knowledge', answer: SNOW_TEXT });
  });

  it('takes a single file with a title and a format', async () => {
    const file = path.join(documents, 'rules.markdown');
    writeFileSync(file, 'Инвентарь хранится в подвале.\n\nКлючи — у бригадира.');
    const imported = await runCli(['import-knowledge', file, '--title', 'Правила', '--format', 'text'], {
      DATA_DIR: dataDir,
    });
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(/^rules\.markdown: imported as «Правила» with 1 chunk/);
    const unknown = path.join(documents, 'notes.rtf');
    writeFileSync(unknown, 'Заметки.');
    const refused = await runCli(['import-knowledge', unknown], { DATA_DIR: dataDir });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('notes.rtf: error: unknown format: name it with --format');
  });

  it('explains a wrong use and exits with 2', async () => {
    for (const args of [
      ['import-knowledge'],
      ['import-knowledge', path.join(documents, 'missing')],
      ['import-knowledge', documents, '--title', 'Один заголовок на всё'],
      ['import-knowledge', documents, '--format', 'pdf'],
    ]) {
      const result = await runCli(args, { DATA_DIR: dataDir });
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain('import-knowledge PATH');
    }
  });
});
