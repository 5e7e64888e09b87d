import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { temporaryDirectory } from '../../test/helpers/test-service.js';
import { ConfigError } from '../config/config.schema.js';
import { PromptTemplate } from './prompt-template.js';

const TEMPLATE = [
  '<!-- version: 7 -->',
  '## system',
  'Ассистент «{{company_name}}».',
  '{{company_facts}}',
  '{{examples}}',
  '{{knowledge}}',
  '## examples',
  'Примеры:',
  '{{items}}',
  '## knowledge',
  'Документы:',
  '{{items}}',
].join('\n');

describe('PromptTemplate', () => {
  it('fills the system prompt, with the optional sections only when they have items', () => {
    const template = PromptTemplate.parse(TEMPLATE, 'custom');
    const values = { companyName: 'ВасДом', companyFacts: 'Домов: 348.' };
    expect(template.render({ ...values, examples: [], knowledge: [] })).toBe(
      'Ассистент «ВасДом».\nДомов: 348.',
    );
    expect(
      template.render({ ...values, examples: ['1. {{company_name}}'], knowledge: ['1. Регламент'] }),
    ).toBe('Ассистент «ВасДом».\nДомов: 348.\n\nПримеры:\n1. {{company_name}}\n\nДокументы:\n1. Регламент');
  });

  it('is versioned by its name, its declared version and a hash of its text', () => {
    const template = PromptTemplate.parse(TEMPLATE, 'custom');
    expect(template.version).toMatch(/^custom@7#[0-9a-f]{8}$/);
    expect(PromptTemplate.parse(`${TEMPLATE}\n`, 'custom').version).not.toBe(template.version);
    expect(PromptTemplate.parse(TEMPLATE.replace('<!-- version: 7 -->', ''), 'custom').version).toMatch(
      /^custom@unversioned#/,
    );
  });

  it('loads the built-in template', () => {
    const template = PromptTemplate.load();
    expect(template.version).toMatch(/^system-prompt@1#/);
    const prompt = template.render({
      companyName: 'ВасДом',
      companyFacts: 'Факты.',
      examples: [],
      knowledge: [],
    });
    expect(prompt).toContain('клининговой компании «ВасДом»');
    expect(prompt).not.toContain('{{');
  });

  it('names PROMPT_TEMPLATE_PATH and what is wrong with a template', () => {
    const problem = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as ConfigError).problems[0];
      }
      throw new Error('no error');
    };
    expect(problem(() => PromptTemplate.parse('## system\nТекст', 'broken'))).toMatch(
      /^PROMPT_TEMPLATE_PATH: broken lacks the section\(s\) "## examples", "## knowledge"/,
    );
    expect(problem(() => PromptTemplate.parse(`${TEMPLATE}\n## greeting\nПривет`, 'extra'))).toMatch(
      /unknown section "## greeting"/,
    );
    const missing = path.join(temporaryDirectory(), 'none.md');
    expect(problem(() => PromptTemplate.load(missing))).toMatch(/^PROMPT_TEMPLATE_PATH: cannot read/);
    const file = path.join(temporaryDirectory(), 'mine.md');
    writeFileSync(file, TEMPLATE);
    expect(PromptTemplate.load(file).version).toMatch(/^mine@7#/);
  });
});
