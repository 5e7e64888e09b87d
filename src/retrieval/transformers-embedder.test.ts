import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { temporaryDirectory } from '../../test/helpers/test-service.js';
import { ConfigError } from '../config/config.schema.js';
import { TransformersEmbedder } from './transformers-embedder.js';

/** The problems a failed load reports. */
async function loadProblems(modelPath: string): Promise<string[]> {
  const error = await TransformersEmbedder.load(modelPath).then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).problems;
}

describe('TransformersEmbedder', () => {
  it('names a model directory that does not exist', async () => {
    const missing = path.join(temporaryDirectory(), 'no-such-model');
    expect(await loadProblems(missing)).toEqual([`EMBEDDING_MODEL_PATH: ${missing} is not a directory`]);
  });

  it('lists the files a model directory lacks', async () => {
    const directory = temporaryDirectory();
    writeFileSync(path.join(directory, 'config.json'), '{}');
    const [problem] = await loadProblems(directory);
    expect(problem).toContain('EMBEDDING_MODEL_PATH');
    expect(problem).toContain('tokenizer.json');
    expect(problem).toContain('onnx/model.onnx');
    expect(problem).not.toContain('config.json,');
  });

  it('says how to install the optional package when the files are there but the package is not', async () => {
    const directory = temporaryDirectory();
    writeFileSync(path.join(directory, 'config.json'), '{}');
    writeFileSync(path.join(directory, 'tokenizer.json'), '{}');
    mkdirSync(path.join(directory, 'onnx'));
    writeFileSync(path.join(directory, 'onnx', 'model_quantized.onnx'), 'not really a model');
    const [problem] = await loadProblems(directory);
    // The package is an optional dependency this checkout does not install.
    expect(problem).toMatch(
      /EMBEDDING_PROVIDER: transformers needs the optional package @huggingface\/transformers/,
    );
    expect(problem).toContain('npm install @huggingface/transformers');
  });
});
