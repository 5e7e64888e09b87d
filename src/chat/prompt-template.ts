import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../config/config.schema.js';
import { resourcePath } from '../platform/project-root.js';

export const DEFAULT_PROMPT_TEMPLATE_PATH = resourcePath('prompts', 'system-prompt.md');

const SECTIONS = ['system', 'examples', 'knowledge'] as const;
type Section = (typeof SECTIONS)[number];

/**
 * The system prompt's template, read from a file (resources/prompts/system-prompt.md by default): its
 * sections by name, and a version that names the file, its declared version and a hash of its content,
 * stored with every conversation.
 */
export class PromptTemplate {
  private constructor(
    readonly version: string,
    private readonly sections: Record<Section, string>,
  ) {}

  /** Reads and checks a template; the error names PROMPT_TEMPLATE_PATH and what is wrong. */
  static load(file = DEFAULT_PROMPT_TEMPLATE_PATH): PromptTemplate {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new ConfigError([`PROMPT_TEMPLATE_PATH: cannot read ${file}: ${(error as Error).message}`]);
    }
    return PromptTemplate.parse(text, path.basename(file, path.extname(file)), file);
  }

  static parse(text: string, name: string, source = name): PromptTemplate {
    const withoutComments = text.replace(/<!--[\s\S]*?-->/g, '');
    const sections: Partial<Record<Section, string>> = {};
    for (const part of withoutComments.split(/^## +/m).slice(1)) {
      const newline = part.indexOf('\n');
      const heading = part.slice(0, newline === -1 ? undefined : newline).trim();
      if (!(SECTIONS as readonly string[]).includes(heading)) {
        throw new ConfigError([`PROMPT_TEMPLATE_PATH: ${source} has an unknown section "## ${heading}"`]);
      }
      sections[heading as Section] = newline === -1 ? '' : part.slice(newline + 1).trim();
    }
    const missing = SECTIONS.filter((section) => !sections[section]);
    if (missing.length > 0) {
      throw new ConfigError([
        `PROMPT_TEMPLATE_PATH: ${source} lacks the section(s) ${missing.map((section) => `"## ${section}"`).join(', ')}`,
      ]);
    }
    const declared = /<!--\s*version:\s*([\w.-]+)\s*-->/.exec(text)?.[1];
    const hash = createHash('sha256').update(text).digest('hex').slice(0, 8);
    return new PromptTemplate(
      `${name}@${declared ?? 'unversioned'}#${hash}`,
      sections as Record<Section, string>,
    );
  }

  /** The system prompt with its parts filled in; the optional sections only when they have items. */
  render(values: {
    companyName: string;
    companyFacts: string;
    examples: string[];
    knowledge: string[];
  }): string {
    const optional = (section: 'examples' | 'knowledge', items: string[]) =>
      items.length === 0 ? '' : `\n${fill(this.sections[section], { items: items.join('\n') })}`;
    return fill(this.sections.system, {
      company_name: values.companyName,
      company_facts: values.companyFacts,
      examples: optional('examples', values.examples),
      knowledge: optional('knowledge', values.knowledge),
    })
      .replace(/\n{3,}/g, '\n\n')
      .trim();
  }
}

/** Replaces {{name}} by its value; in one pass, so that values holding braces stay as they are. */
function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => values[name] ?? whole);
}
