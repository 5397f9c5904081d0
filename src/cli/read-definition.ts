import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ValidationError } from '../domain/index.js';

/** Reads a JSON or YAML document (by extension; JSON otherwise). */
export async function readDefinition(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ValidationError(`${path}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { field: 'file' });
  }
  try {
    return ['.yaml', '.yml'].includes(extname(path).toLowerCase()) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new ValidationError(`${path}: not valid ${extname(path).slice(1) || 'JSON'}: ${(error as Error).message}`, { field: 'file' });
  }
}
