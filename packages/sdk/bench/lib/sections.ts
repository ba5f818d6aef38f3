/** Finds the sections: every module in bench/sections/, in file-name order (hence the numeric prefixes). */
import { readdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchSection } from './types.js';

const dir = resolve(dirname(fileURLToPath(import.meta.url)), '../sections');

const isSection = (value: unknown): value is BenchSection => {
  const s = value as Partial<BenchSection> | null;
  return (
    typeof s === 'object' &&
    s !== null &&
    typeof s.id === 'string' &&
    /^[a-z0-9-]+$/.test(s.id) &&
    typeof s.title === 'string' &&
    typeof s.description === 'string' &&
    typeof s.cases === 'function'
  );
};

/** @param only section ids to keep; empty means all. Unknown ids are an error, not a silent no-op. */
export const loadSections = async (only: readonly string[] = []): Promise<BenchSection[]> => {
  const files = (await readdir(dir)).filter((f) => /\.(ts|js|mjs)$/.test(f) && !f.endsWith('.d.ts')).sort();
  const sections: BenchSection[] = [];
  for (const file of files) {
    const mod = (await import(pathToFileURL(resolve(dir, file)).href)) as { default?: unknown };
    if (!isSection(mod.default)) throw new Error(`bench/sections/${file} does not default-export a BenchSection`);
    sections.push(mod.default);
  }
  const ids = new Set(sections.map((s) => s.id));
  if (ids.size !== sections.length) throw new Error('two bench sections share an id');
  const unknown = only.filter((id) => !ids.has(id));
  if (unknown.length > 0)
    throw new Error(`unknown bench section(s): ${unknown.join(', ')} (have: ${[...ids].join(', ')})`);
  return only.length === 0 ? sections : sections.filter((s) => only.includes(s.id));
};
