/**
 * Bundles the service into dist/main.js (with its two worker threads beside it): one file to load
 * instead of hundreds of modules is what brings an empty start-up under a second (see BENCHMARKS.md).
 * `npm run build` runs it after tsc, which emits everything else (the CLI, the modules the bench loads).
 * Usage: node scripts/bundle.mjs [out-dir]   (default: dist)
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.resolve(process.argv[2] ?? path.join(root, 'dist'));

// Chunk names carry a content hash: those of an earlier build would pile up.
rmSync(path.join(outdir, 'chunks'), { recursive: true, force: true });

await build({
  absWorkingDir: root,
  // The workers sit next to main.js, where startWorkerModule looks for them.
  entryPoints: {
    main: 'src/main.ts',
    'index-worker': 'src/retrieval/index-worker.ts',
    'checkpoint-worker': 'src/storage/checkpoint-worker.ts',
  },
  outdir,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  minifyWhitespace: true,
  minifySyntax: true,
  // A native addon, and packages that read files next to their own code.
  external: ['better-sqlite3', '@fastify/swagger', '@fastify/swagger-ui'],
  // Bundled CommonJS packages call require() for Node's built-ins.
  banner: {
    js: "import { createRequire as createBundleRequire } from 'node:module'; const require = createBundleRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
