// Running `flotilla demo` as a process, for the demo and README end-to-end tests: start it through
// bash as a person types it, wait for its `listening on` line and tokens, ask its hub for clusters.
import { spawn, type ChildProcess } from 'node:child_process';

/** DemoProcess is a running `flotilla demo` with what it printed so far. */
export interface DemoProcess {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** startDemoProcess runs a command line that starts the demo (through bash) and collects its output. */
export function startDemoProcess(commandLine: string, cwd: string, env: NodeJS.ProcessEnv = {}): DemoProcess {
  const child = spawn('bash', ['-c', `exec ${commandLine}`], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0', ...env } });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** waitFor polls until check returns a value (not undefined) or the time is up. */
export async function waitFor<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs: number, describe: () => string = () => ''): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${describe()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** demoListening waits for the `listening on` line and the admin token; they are printed once the hub serves. */
export async function demoListening(demo: DemoProcess, timeoutMs: number): Promise<{ url: string; admin: string; viewer: string; operator: string }> {
  return waitFor(
    'the demo to print `listening on` and its tokens',
    () => {
      const text = demo.stdout();
      const url = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(text)?.[1];
      const admin = /^admin token: ([0-9a-f]+)$/m.exec(text)?.[1];
      const operator = /^operator token: ([0-9a-f]+)$/m.exec(text)?.[1];
      const viewer = /^viewer token: ([0-9a-f]+)$/m.exec(text)?.[1];
      if (demo.child.exitCode !== null) throw new Error(`the demo exited with ${demo.child.exitCode}\nstdout:\n${text}\nstderr:\n${demo.stderr()}`);
      return url && admin && operator && viewer ? { url, admin, operator, viewer } : undefined;
    },
    timeoutMs,
    () => `stdout:\n${demo.stdout()}\nstderr:\n${demo.stderr()}`,
  );
}

/** demoClusters asks the hub for its clusters once all six are known. */
export async function demoClusters(url: string, token: string, timeoutMs: number): Promise<string[]> {
  return waitFor(
    'the hub to list six clusters',
    async () => {
      const response = await fetch(`${url}/api/v1/clusters`, { headers: { authorization: `Bearer ${token}` } });
      if (response.status !== 200) return undefined;
      const body = (await response.json()) as { clusters: Array<{ name: string }> };
      return body.clusters.length === 6 ? body.clusters.map((c) => c.name).sort() : undefined;
    },
    timeoutMs,
  );
}

/** quiet returns what a command printed, or its error output while the object does not exist yet. */
export function quiet(run: () => string): string {
  try {
    return run();
  } catch (error) {
    return String((error as { stderr?: string }).stderr ?? error);
  }
}

/** exampleClusterNames are the six clusters of examples/fleet, sorted. */
export const exampleClusterNames = ['dev-eu-west', 'dev-us-east', 'prod-eu-west', 'prod-us-east', 'staging-eu-west', 'staging-us-east'];
