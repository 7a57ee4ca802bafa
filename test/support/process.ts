import type { ChildProcessWithoutNullStreams } from 'node:child_process';

/**
 * waitForLine resolves with the first match of `pattern` in a child's stdout, and rejects when
 * the child exits first or nothing matches within the time limit. `what` names the process in
 * the failure message ("the hub", "the agent").
 */
export function waitForLine(child: ChildProcessWithoutNullStreams, pattern: RegExp, what: string, timeoutMs = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms; stdout so far: ${out}`)), timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = pattern.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[0]);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code} before printing ${pattern}`));
    });
  });
}
