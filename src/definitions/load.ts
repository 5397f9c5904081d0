import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { ValidationError } from '../domain/index.js';
import { parseDefinitions, type DesiredFeatureGroup } from './definition.js';

const MODULES = ['.js', '.mjs', '.cjs', '.ts', '.mts'];

/**
 * Reads definitions from YAML, JSON, or a module whose default export (or `featureGroups`
 * export) is what `defineFeatureGroups` returns. TypeScript modules load when the runtime
 * strips types (Node.js 22.18 and later do by default) or when floe runs under tsx; otherwise
 * the error says how to compile them. Floe does not bundle a TypeScript loader: a feature
 * definition module is a few lines that `tsc` compiles, and a loader would add esbuild to
 * every install.
 */
export async function loadDefinitions(path: string): Promise<DesiredFeatureGroup[]> {
  const ext = extname(path).toLowerCase();
  return parseDefinitions(MODULES.includes(ext) ? await importModule(path, ext) : await readDocument(path, ext));
}

async function readDocument(path: string, ext: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ValidationError(`${path}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { field: 'file' });
  }
  try {
    return ext === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ValidationError(`${path}: not valid ${ext === '.json' ? 'JSON' : 'YAML'}: ${(error as Error).message}`, { field: 'file' });
  }
}

async function importModule(path: string, ext: string): Promise<unknown> {
  let module: { default?: unknown; featureGroups?: unknown };
  try {
    module = (await import(pathToFileURL(resolve(path)).href)) as typeof module;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_UNKNOWN_FILE_EXTENSION' && (ext === '.ts' || ext === '.mts')) {
      throw new ValidationError(
        `${path}: this Node.js (${process.version}) cannot load TypeScript; compile it to .js or .mjs (npx tsc), use Node.js 22.18 or later, or run floe through tsx (npx tsx node_modules/floe/dist/cli/main.js plan -f ${path})`,
        { field: 'file' },
      );
    }
    if (code === 'ERR_MODULE_NOT_FOUND' && (error as Error).message.includes(resolve(path))) {
      throw new ValidationError(`${path}: cannot read the file (ENOENT)`, { field: 'file' });
    }
    throw new ValidationError(`${path}: cannot load the module: ${(error as Error).message}`, { field: 'file', cause: error });
  }
  const value = module.default ?? module.featureGroups;
  if (value === undefined) {
    throw new ValidationError(`${path}: export the definitions as the default export (export default defineFeatureGroups([...]))`, { field: 'file' });
  }
  return value;
}
