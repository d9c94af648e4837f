// Tests run TypeScript sources, but child processes (pool workers, a fake server for the
// bench) need JavaScript. This transpiles src/sim and src/bench (no type check, ~100 ms) into
// a temporary tree that resolves packages through a node_modules link to the project's.
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const SRC_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PROJECT_ROOT = join(SRC_ROOT, '..');

export interface TranspiledTree {
  /** Root of the output: `${root}/sim/worker.js`, `${root}/bench/main.js`, ... */
  root: string;
  cleanup(): Promise<void>;
}

async function* sources(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sources(path);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) yield path;
  }
}

export async function transpileForChildProcesses(folders: readonly string[] = ['sim', 'bench']): Promise<TranspiledTree> {
  const root = await mkdtemp(join(tmpdir(), 'ampline-sim-'));
  await writeFile(join(root, 'package.json'), '{ "type": "module" }\n');
  await symlink(join(PROJECT_ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
  for (const folder of folders) {
    for await (const file of sources(join(SRC_ROOT, folder))) {
      const output = ts.transpileModule(await readFile(file, 'utf8'), {
        fileName: file,
        compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
      });
      const target = join(root, relative(SRC_ROOT, file)).replace(/\.ts$/, '.js');
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, output.outputText);
    }
  }
  return { root, cleanup: () => rm(root, { recursive: true, force: true }) };
}
