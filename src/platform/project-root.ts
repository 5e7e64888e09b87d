import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The directory holding package.json and resources/, found by walking up from this module: the same
 * whether the code runs from src/ (tsx), from tsc's output under dist/ or from the bundle dist/main.js.
 */
export const PROJECT_ROOT = findProjectRoot(path.dirname(fileURLToPath(import.meta.url)));

function findProjectRoot(start: string): string {
  for (let directory = start; ; directory = path.dirname(directory)) {
    if (existsSync(path.join(directory, 'package.json'))) return directory;
    if (path.dirname(directory) === directory) {
      throw new Error(`No package.json in ${start} or any directory above it`);
    }
  }
}

/** A file shipped under resources/. */
export function resourcePath(...parts: string[]): string {
  return path.join(PROJECT_ROOT, 'resources', ...parts);
}
