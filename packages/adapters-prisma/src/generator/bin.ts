#!/usr/bin/env node
/**
 * Prisma generator entry (`generator quantumapi { provider = "quantumapi-prisma-generator" }`).
 * DMMF is read here, at `prisma generate` time only; the runtime reads the emitted manifest.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import gh from '@prisma/generator-helper';
import { type DatamodelModel, fieldTypesFromDatamodel, manifestFromDatamodel, renderManifestModule } from './parse.js';

gh.generatorHandler({
  onManifest: () => ({ prettyName: 'QuantumAPI encryption manifest', defaultOutput: './quantumapi-manifest.ts' }),
  onGenerate: async (options) => {
    const out = options.generator.output?.value;
    if (!out) throw new Error('quantumapi generator: no output path');
    const models = options.dmmf.datamodel.models as readonly DatamodelModel[];
    const manifest = manifestFromDatamodel(models);
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, renderManifestModule(manifest, fieldTypesFromDatamodel(models, manifest)), 'utf8');
  },
});
