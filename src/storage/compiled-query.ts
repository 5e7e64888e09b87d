import type { CompiledQuery } from 'kysely';

/**
 * Runs a query compiled once with other parameter values. Building and compiling a Kysely query costs
 * more than SQLite needs to run a small prepared statement, so hot paths compile their queries once.
 * `parameters` must be in the order the compiled SQL expects them.
 */
export function withParameters<Row>(
  compiled: CompiledQuery<Row>,
  parameters: readonly unknown[],
): CompiledQuery<Row> {
  if (parameters.length !== compiled.parameters.length) {
    throw new Error(`Query expects ${compiled.parameters.length} parameters, got ${parameters.length}`);
  }
  return { ...compiled, parameters };
}

/** A row whose every column is a placeholder: compiles an insert whose parameters follow `columns`. */
export function placeholderRow<Column extends string>(columns: readonly Column[]): Record<Column, null> {
  return Object.fromEntries(columns.map((column) => [column, null])) as Record<Column, null>;
}
