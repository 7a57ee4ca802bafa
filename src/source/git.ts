import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FlotillaError, fail, ok, type Result } from '../core/index.js';

// The Git source of the hub and the agent: a clone kept up to date with the `git` command. The
// revision is always a full commit id. Credentials are read from the environment or from files
// at each fetch and reach git only through its child environment: an askpass program answers
// git's username and password prompts for https, and GIT_SSH_COMMAND names the key for ssh.
// They are never put in the command line (visible in `ps`), the clone's config, a log line or an
// error; a URL that carries userinfo is split, the userinfo used as the credentials and the URL
// shown with it redacted. A fetch that fails keeps the last good revision and reports why.

/** SecretRef says where a credential comes from: an environment variable or a file (never Git). */
export interface SecretRef {
  env?: string;
  file?: string;
}

/** GitCredentials are the credentials of a Git source; every field is optional. */
export interface GitCredentials {
  /** The https user name as a plain value (not a secret). */
  username?: string;
  /** The https user name from the environment or a file. */
  usernameFrom?: SecretRef;
  /** The https password or token. */
  passwordFrom?: SecretRef;
  /** A private key file for ssh URLs. */
  sshKeyFile?: string;
  /** A known_hosts file for ssh URLs; without it the host key is accepted on first use. */
  knownHostsFile?: string;
}

/** GitSourceOptions configure a Git source; url and dir are required. */
export interface GitSourceOptions {
  /** An https, ssh (`ssh://` or `user@host:path`), file:// URL or a local path. */
  url: string;
  /** The branch to follow. @default the remote's default branch */
  branch?: string;
  /** Where the clone lives (created when missing). */
  dir: string;
  credentials?: GitCredentials;
  /** How often poll() fetches. @default 60000 */
  intervalMs?: number;
  /** Time allowed for one git command. @default 120000 */
  timeoutMs?: number;
  /** The environment credentials are read from. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** The git program. @default 'git' */
  git?: string;
  /** Called with each new revision (a commit id different from the last good one). */
  onRevision?: (revision: GitRevision) => void;
  /** Called with each failed fetch; the last good revision stays. */
  onError?: (error: FlotillaError) => void;
}

/** GitRevision is one fetched revision. */
export interface GitRevision {
  /** The full commit id. */
  commit: string;
  branch: string;
  /** The clone, to open with gitRevisionFs(dir, commit). */
  dir: string;
}

/** redactUrl replaces the userinfo of a URL (`https://user:token@host/…`) with `***`. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1***@');
}

/** splitUserinfo takes the userinfo out of an https URL: the URL to give git and the credentials it held. */
export function splitUserinfo(url: string): { url: string; username?: string; password?: string } {
  const match = /^(https?:\/\/)([^/@]*)@(.*)$/i.exec(url);
  if (!match) return { url };
  const [user, password] = match[2]!.split(':', 2) as [string, string | undefined];
  return { url: match[1]! + match[3]!, username: decodeURIComponent(user), ...(password !== undefined ? { password: decodeURIComponent(password) } : {}) };
}

function readSecret(ref: SecretRef | undefined, env: NodeJS.ProcessEnv, what: string): string | undefined {
  if (!ref) return undefined;
  if (ref.env !== undefined) {
    const value = env[ref.env];
    if (value === undefined) throw new FlotillaError('GIT_FETCH_FAILED', `the ${what} of the Git source comes from the environment variable ${ref.env}, which is not set`, { hint: `Set ${ref.env}, or point the source at a file.` });
    return value;
  }
  if (ref.file !== undefined) {
    try {
      return readFileSync(ref.file, 'utf8').replace(/\r?\n$/, '');
    } catch (error) {
      throw new FlotillaError('GIT_FETCH_FAILED', `the ${what} of the Git source comes from ${ref.file}, which cannot be read: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, { file: ref.file });
    }
  }
  return undefined;
}

const askpassScript = `#!/bin/sh
case "$1" in
  [Uu]sername*) printf '%s\\n' "$FLOTILLA_GIT_USERNAME" ;;
  *) printf '%s\\n' "$FLOTILLA_GIT_PASSWORD" ;;
esac
`;

interface GitRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** GitSource keeps a clone of one branch up to date (see above). */
export class GitSource {
  readonly dir: string;
  private readonly options: GitSourceOptions;
  private readonly remote: { url: string; username?: string; password?: string };
  private branch?: string;
  private last?: GitRevision;
  private error?: FlotillaError;
  private fetching?: Promise<Result<GitRevision>>;
  private timer?: NodeJS.Timeout;
  private polling = false;
  private askpassDir?: string;

  constructor(options: GitSourceOptions) {
    this.options = options;
    this.dir = resolve(options.dir);
    this.remote = splitUserinfo(options.url);
    this.branch = options.branch;
  }

  /** revision is the last good revision, if any fetch has succeeded. */
  get revision(): GitRevision | undefined {
    return this.last;
  }

  /** lastError is the failure of the latest fetch, undefined after a success. */
  get lastError(): FlotillaError | undefined {
    return this.error;
  }

  /** displayUrl is the URL as it may be shown: userinfo redacted. */
  get displayUrl(): string {
    return redactUrl(this.options.url);
  }

  /**
   * fetch clones (the first time) or fetches the branch and answers its commit. Concurrent calls
   * share one fetch. On failure the last good revision stays and the error is answered.
   */
  fetch(): Promise<Result<GitRevision>> {
    this.fetching ??= this.fetchOnce().finally(() => (this.fetching = undefined));
    return this.fetching;
  }

  /** poll fetches now and then every intervalMs until stop(). */
  poll(): void {
    if (this.polling) return;
    this.polling = true;
    const tick = () => {
      void this.fetch().finally(() => {
        if (!this.polling) return;
        this.timer = setTimeout(tick, this.options.intervalMs ?? 60_000);
        this.timer.unref?.();
      });
    };
    tick();
  }

  /** trigger fetches at once (a webhook arrived), then polling goes on from there. */
  trigger(): Promise<Result<GitRevision>> {
    if (this.timer) clearTimeout(this.timer);
    const fetched = this.fetch();
    if (this.polling) {
      void fetched.finally(() => {
        if (!this.polling) return;
        if (this.timer) clearTimeout(this.timer);
        this.timer = setTimeout(() => {
          this.polling = false;
          this.poll();
        }, this.options.intervalMs ?? 60_000);
        this.timer.unref?.();
      });
    }
    return fetched;
  }

  /** stop ends polling and removes the askpass helper. */
  stop(): void {
    this.polling = false;
    if (this.timer) clearTimeout(this.timer);
    if (this.askpassDir) rmSync(this.askpassDir, { recursive: true, force: true });
    this.askpassDir = undefined;
  }

  private async fetchOnce(): Promise<Result<GitRevision>> {
    try {
      const env = this.gitEnv();
      if (!existsSync(join(this.dir, '.git'))) {
        mkdirSync(this.dir, { recursive: true });
        await this.git(['clone', '--no-checkout', '--origin', 'origin', '--', this.remote.url, '.'], env, 'clone');
      }
      if (!this.branch) this.branch = await this.defaultBranch(env);
      const branch = this.branch;
      await this.git(['fetch', '--prune', '--no-tags', 'origin', '--', `+refs/heads/${branch}:refs/remotes/origin/${branch}`], env, `fetch branch ${branch} of`);
      const head = await this.git(['rev-parse', '--verify', '--quiet', `refs/remotes/origin/${branch}^{commit}`], env, `read branch ${branch} of`);
      const commit = head.stdout.trim();
      const revision: GitRevision = { commit, branch, dir: this.dir };
      const changed = this.last?.commit !== commit;
      this.last = revision;
      this.error = undefined;
      if (changed) this.options.onRevision?.(revision);
      return ok(revision);
    } catch (error) {
      const failure = error instanceof FlotillaError ? error : new FlotillaError('GIT_FETCH_FAILED', `Git source ${this.displayUrl}: ${this.scrub((error as Error).message)}`);
      this.error = failure;
      this.options.onError?.(failure);
      return fail(failure);
    }
  }

  private async defaultBranch(env: NodeJS.ProcessEnv): Promise<string> {
    const symbolic = await this.run(['symbolic-ref', '--quiet', '--short', 'refs/remotes/origin/HEAD'], env);
    if (symbolic.code === 0 && symbolic.stdout.trim().startsWith('origin/')) return symbolic.stdout.trim().slice('origin/'.length);
    const remote = await this.git(['ls-remote', '--symref', 'origin', 'HEAD'], env, 'read the default branch of');
    const match = /^ref: refs\/heads\/(\S+)\s+HEAD$/m.exec(remote.stdout);
    if (!match) throw new FlotillaError('GIT_FETCH_FAILED', `Git source ${this.displayUrl}: the remote names no default branch`, { hint: 'Give the branch to follow.' });
    return match[1]!;
  }

  /** gitEnv is the child environment: no prompts, credentials only through askpass and ssh settings. */
  private gitEnv(): NodeJS.ProcessEnv {
    const source = this.options.env ?? process.env;
    const creds = this.options.credentials ?? {};
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      GIT_TERMINAL_PROMPT: '0',
      GIT_CONFIG_NOSYSTEM: '1',
      LC_ALL: 'C',
    };
    const username = readSecret(creds.usernameFrom, source, 'user name') ?? creds.username ?? this.remote.username;
    const password = readSecret(creds.passwordFrom, source, 'password') ?? this.remote.password;
    if (username !== undefined || password !== undefined) {
      env.GIT_ASKPASS = this.askpass();
      env.FLOTILLA_GIT_USERNAME = username ?? 'git';
      env.FLOTILLA_GIT_PASSWORD = password ?? '';
      this.secrets = [password, username !== undefined && password !== undefined ? `${username}:${password}` : undefined].filter((s): s is string => Boolean(s));
    }
    const ssh = ['ssh', '-o', 'BatchMode=yes'];
    if (creds.sshKeyFile) ssh.push('-i', shellQuote(creds.sshKeyFile), '-o', 'IdentitiesOnly=yes');
    ssh.push('-o', creds.knownHostsFile ? `UserKnownHostsFile=${shellQuote(creds.knownHostsFile)}` : 'StrictHostKeyChecking=accept-new');
    if (creds.knownHostsFile) ssh.push('-o', 'StrictHostKeyChecking=yes');
    env.GIT_SSH_COMMAND = ssh.join(' ');
    return env;
  }

  private secrets: string[] = [];

  private askpass(): string {
    if (!this.askpassDir) {
      this.askpassDir = mkdtempSync(join(tmpdir(), 'flotilla-askpass-'));
      chmodSync(this.askpassDir, 0o700);
      writeFileSync(join(this.askpassDir, 'askpass.sh'), askpassScript, { mode: 0o700 });
    }
    return join(this.askpassDir, 'askpass.sh');
  }

  /** scrub removes anything secret from text that is about to be shown: userinfo and credential values. */
  private scrub(text: string): string {
    let out = text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/gi, '$1***@');
    for (const secret of this.secrets) out = out.split(secret).join('***');
    return out;
  }

  private run(args: string[], env: NodeJS.ProcessEnv): Promise<GitRun> {
    return new Promise((done) => {
      execFile(this.options.git ?? 'git', ['-c', 'credential.helper=', ...args], { cwd: this.dir, env, timeout: this.options.timeoutMs ?? 120_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
        const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? ((error as { code: number }).code) : (error as { killed?: boolean }).killed ? 124 : 1) : 0;
        done({ code, stdout: String(stdout), stderr: String(stderr) });
      });
    });
  }

  private async git(args: string[], env: NodeJS.ProcessEnv, doing: string): Promise<GitRun> {
    const result = await this.run(args, env);
    if (result.code !== 0) {
      const why = result.code === 124 ? 'git timed out' : this.scrub(result.stderr.trim().split('\n').filter(Boolean).slice(-3).join('; ')) || `git exited with ${result.code}`;
      throw new FlotillaError('GIT_FETCH_FAILED', `Git source ${this.displayUrl}: cannot ${doing} the repository: ${why}`, { retryable: true });
    }
    return result;
  }
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
