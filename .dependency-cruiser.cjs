/**
 * The layering check (`npm run lint:layers`, part of `npm test`): the capability folders of src/ in layers,
 * lowest first. A folder may import from its own layer's folders and from lower layers, never from a higher
 * one, so that no two folders depend on each other. Files directly under src/ (the composition root, the
 * app, the entry) and cli/ sit above everything. Imports of types count too: they couple as much.
 *
 * Violations that existed when the check was introduced are listed in .dependency-cruiser-known-violations.json
 * and tolerated until they are removed (issue 16); the list may only shrink. Regenerate it with
 * `npx depcruise src --config .dependency-cruiser.cjs --output-type baseline --output-to .dependency-cruiser-known-violations.json`.
 */
const LAYERS = [
  ['platform'],
  ['config'],
  ['storage'],
  ['providers'],
  ['http'],
  ['observability'],
  ['conversations'],
  ['retrieval'],
  ['knowledge'],
  ['curated'],
  ['learning'],
  ['company'],
  ['chat'],
  ['access'],
  ['cli'],
];

const higherThan = (index) => LAYERS.slice(index + 1).flat();

module.exports = {
  forbidden: [
    ...LAYERS.flatMap((folders, index) =>
      index === LAYERS.length - 1
        ? []
        : folders.map((folder) => ({
            name: `layer-${folder}`,
            severity: 'error',
            comment: `src/${folder}/ may not import from a higher layer (${higherThan(index).join(', ')}, or src/*.ts)`,
            from: { path: `^src/${folder}/` },
            to: { path: [`^src/(${higherThan(index).join('|')})/`, '^src/[^/]+\\.ts$'] },
          })),
    ),
    {
      name: 'migrations-import-no-live-code',
      severity: 'error',
      comment:
        'a released migration must not change when live code does: it imports only Kysely and its siblings',
      from: { path: '^src/storage/migrations/' },
      to: { path: '^src/', pathNot: '^src/storage/migrations/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'modules that import each other, through any path',
      from: { path: '^src/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.test\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
