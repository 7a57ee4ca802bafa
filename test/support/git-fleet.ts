// A fleet repository in a temporary Git repository, for tests and benchmarks of plan and
// anything else that reads revisions: copy a fleet, commit it, then edit the working tree.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { runCli } from '../../src/cli/program.js';
import { writeTree } from './fleet-files.js';

/** exampleFleet is the example fleet repository of the project (six clusters, three environments). */
export const exampleFleet = new URL('../../examples/fleet', import.meta.url).pathname;

/** GitFleet is a fleet repository in a temporary Git repository on branch main. */
export interface GitFleet {
  dir: string;
  /** git runs a git command in the repository with a fixed author and returns its trimmed output. */
  git(...args: string[]): string;
  write(path: string, text: string): void;
  read(path: string): string;
  /** replace changes the one occurrence of `from` in a file; it throws when there is not exactly one. */
  replace(path: string, from: string, to: string): void;
  /** commit stages everything and commits it, returning the commit id. */
  commit(message: string): string;
  remove(): void;
}

/** gitFleet copies a fleet (the example one by default) into a new repository and commits it on main. */
export function gitFleet(source: string = exampleFleet): GitFleet {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-gitfleet-'));
  cpSync(source, dir, { recursive: true });
  const env = { ...process.env, GIT_AUTHOR_NAME: 'Flotilla Test', GIT_AUTHOR_EMAIL: 'test@flotilla.invalid', GIT_COMMITTER_NAME: 'Flotilla Test', GIT_COMMITTER_EMAIL: 'test@flotilla.invalid' };
  const fleet: GitFleet = {
    dir,
    git: (...args) => execFileSync('git', args, { cwd: dir, encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] }).trim(),
    write: (path, text) => writeTree(dir, { [path]: text }),
    read: (path) => readFileSync(join(dir, path), 'utf8'),
    replace(path, from, to) {
      const text = fleet.read(path);
      const count = text.split(from).length - 1;
      if (count !== 1) throw new Error(`${path}: expected one "${from}", found ${count}`);
      fleet.write(path, text.replace(from, to));
    },
    commit(message) {
      fleet.git('add', '-A');
      fleet.git('commit', '-q', '--no-verify', '-m', message);
      return fleet.git('rev-parse', 'HEAD');
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
  fleet.git('init', '-q', '-b', 'main');
  fleet.git('config', 'commit.gpgsign', 'false');
  fleet.commit('the fleet');
  return fleet;
}

/** BareFleet is a fleet's work repository and the bare repository it pushes to (its `origin`). */
export interface BareFleet {
  work: GitFleet;
  /** The bare repository: what a hub or an agent follows. */
  bare: string;
  remove(): void;
}

/** bareFleet commits files (relative path → text) on main in a new repository with a bare `origin`. */
export function bareFleet(files: Record<string, string>): BareFleet {
  const source = mkdtempSync(join(tmpdir(), 'flotilla-fleet-src-'));
  writeTree(source, files);
  const work = gitFleet(source);
  rmSync(source, { recursive: true, force: true });
  const bare = join(mkdtempSync(join(tmpdir(), 'flotilla-fleet-bare-')), 'fleet.git');
  execFileSync('git', ['clone', '--quiet', '--bare', work.dir, bare]);
  work.git('remote', 'add', 'origin', bare);
  return { work, bare, remove: () => (work.remove(), rmSync(dirname(bare), { recursive: true, force: true })) };
}

/** CliRun is what one in-process run of the CLI printed and its exit status. */
export interface CliRun {
  status: number;
  stdout: string;
  stderr: string;
}

/** runFlotilla runs the CLI in-process (the same code path as the command) and captures its output. */
export async function runFlotilla(args: string[]): Promise<CliRun> {
  const capture = () => {
    const chunks: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        chunks.push(String(chunk));
        done();
      },
    });
    return { stream, text: () => chunks.join('') };
  };
  const out = capture();
  const err = capture();
  const status = await runCli(args, { stdout: out.stream, stderr: err.stream });
  return { status, stdout: out.text(), stderr: err.text() };
}
