import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../config/config.schema.js';
import { denseVector, type Embedder, EmbedderError } from './embedder.js';
import type { SparseVector } from './sparse-vector.js';

/** The optional package, imported only when this embedder is configured (it adds ~900 MB). */
const PACKAGE = '@huggingface/transformers';

/** What this embedder uses of @huggingface/transformers. */
interface TransformersModule {
  env: { allowRemoteModels: boolean; allowLocalModels: boolean; localModelPath: string };
  pipeline(
    task: 'feature-extraction',
    model: string,
    options: { local_files_only: boolean; dtype: string },
  ): Promise<FeatureExtractor>;
}
type FeatureExtractor = (
  texts: string[],
  options: { pooling: 'mean'; normalize: boolean },
) => Promise<{ tolist(): number[][] }>;

/** ONNX weights a sentence-embedding export may hold, best precision first, with the dtype that loads each. */
const WEIGHTS = [
  { file: 'model.onnx', dtype: 'fp32' },
  { file: 'model_fp16.onnx', dtype: 'fp16' },
  { file: 'model_quantized.onnx', dtype: 'q8' },
  { file: 'model_int8.onnx', dtype: 'int8' },
] as const;

/**
 * A local ONNX sentence-embedding model (a Hugging Face export with config.json, tokenizer.json and
 * onnx/model*.onnx, e.g. a multilingual MiniLM or E5) run on the CPU through @huggingface/transformers:
 * mean pooling, unit length. Nothing is downloaded: the files must be in the directory. Its id names the
 * directory and the weights' size, so that another model makes stored vectors stale.
 */
export class TransformersEmbedder implements Embedder {
  readonly maxBatchSize = 32;
  readonly vectorKind = 'dense';

  private constructor(
    readonly id: string,
    private readonly extract: FeatureExtractor,
  ) {}

  /** Loads the model; a ConfigError names what is missing when the files or the package are absent. */
  static async load(modelPath: string): Promise<TransformersEmbedder> {
    const weights = findWeights(modelPath);
    let transformers: TransformersModule;
    try {
      transformers = (await import(PACKAGE)) as TransformersModule;
    } catch {
      throw new ConfigError([
        `EMBEDDING_PROVIDER: transformers needs the optional package ${PACKAGE}; install it with \`npm install ${PACKAGE}@4\``,
      ]);
    }
    transformers.env.allowRemoteModels = false;
    transformers.env.allowLocalModels = true;
    transformers.env.localModelPath = path.dirname(modelPath);
    let extract: FeatureExtractor;
    try {
      extract = await transformers.pipeline('feature-extraction', path.basename(modelPath), {
        local_files_only: true,
        dtype: weights.dtype,
      });
    } catch (error) {
      throw new ConfigError([
        `EMBEDDING_MODEL_PATH: ${modelPath} could not be loaded as a sentence-embedding model: ${(error as Error).message}`,
      ]);
    }
    return new TransformersEmbedder(`transformers:${path.basename(modelPath)}:${weights.size}`, extract);
  }

  async embed(texts: readonly string[]): Promise<SparseVector[]> {
    const vectors: SparseVector[] = [];
    for (let start = 0; start < texts.length; start += this.maxBatchSize) {
      let rows: number[][];
      try {
        rows = (
          await this.extract(texts.slice(start, start + this.maxBatchSize), {
            pooling: 'mean',
            normalize: true,
          })
        ).tolist();
      } catch (error) {
        throw new EmbedderError(`The local model failed: ${(error as Error).message}`, 'malformed');
      }
      vectors.push(...rows.map((row) => denseVector(row)));
    }
    return vectors;
  }
}

/** The model's ONNX weights, or a ConfigError listing what the directory lacks. */
function findWeights(modelPath: string): { dtype: string; size: number } {
  const missing: string[] = [];
  if (!existsSync(modelPath) || !statSync(modelPath).isDirectory()) {
    throw new ConfigError([`EMBEDDING_MODEL_PATH: ${modelPath} is not a directory`]);
  }
  for (const file of ['config.json', 'tokenizer.json']) {
    if (!existsSync(path.join(modelPath, file))) missing.push(file);
  }
  const onnxDirectory = path.join(modelPath, 'onnx');
  const present = existsSync(onnxDirectory) ? readdirSync(onnxDirectory) : [];
  const weights = WEIGHTS.find((candidate) => present.includes(candidate.file));
  if (!weights) missing.push(`onnx/${WEIGHTS.map((candidate) => candidate.file).join(' or onnx/')}`);
  if (missing.length > 0 || !weights) {
    throw new ConfigError([
      `EMBEDDING_MODEL_PATH: ${modelPath} lacks ${missing.join(', ')} (a sentence-embedding model exported to ONNX, as on the Hugging Face hub)`,
    ]);
  }
  return { dtype: weights.dtype, size: statSync(path.join(onnxDirectory, weights.file)).size };
}
