import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FlotillaError } from '../core/index.js';
import { gitRevisionFs } from './git-fs.js';
import { GitSource, redactUrl, splitUserinfo, type GitRevision } from './git.js';

const identity = { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' };

function upstream(root: string, name = 'fleet.git') {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, ...identity } }).trim();
  git('init', '-q', '-b', 'main');
  const commit = (path: string, text: string) => {
    writeFileSync(join(dir, path), text);
    git('add', '-A');
    git('commit', '-q', '-m', `write ${path}`);
    return git('rev-parse', 'HEAD');
  };
  return { dir, git, commit };
}

/** serveGit serves the repositories under root over HTTP through git's own http-backend, behind basic auth. */
async function serveGit(root: string, user: string, token: string): Promise<{ url: string; server: Server; seen: string[] }> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    const auth = req.headers.authorization ?? '';
    seen.push(auth);
    if (auth !== `Basic ${Buffer.from(`${user}:${token}`).toString('base64')}`) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"' }).end();
      return;
    }
    const url = new URL(req.url ?? '/', 'http://x');
    const cgi = spawn('git', ['http-backend'], {
      env: { ...process.env, GIT_PROJECT_ROOT: root, GIT_HTTP_EXPORT_ALL: '1', PATH_INFO: url.pathname, QUERY_STRING: url.search.slice(1), REQUEST_METHOD: req.method ?? 'GET', CONTENT_TYPE: req.headers['content-type'] ?? '', REMOTE_USER: user },
    });
    req.pipe(cgi.stdin);
    const chunks: Buffer[] = [];
    cgi.stdout.on('data', (c: Buffer) => chunks.push(c));
    cgi.on('close', () => {
      const out = Buffer.concat(chunks);
      const split = out.indexOf('\r\n\r\n');
      const head = out.subarray(0, split).toString().split('\r\n');
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of head) {
        const [key, ...rest] = line.split(':');
        if (key!.toLowerCase() === 'status') status = Number(rest.join(':').trim().split(' ')[0]);
        else if (key) headers[key] = rest.join(':').trim();
      }
      res.writeHead(status, headers).end(out.subarray(split + 4));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, seen };
}

test('redactUrl and splitUserinfo keep userinfo out of what is shown and passed to git', () => {
  assert.equal(redactUrl('https://bot:s3cret@git.example/acme/fleet.git'), 'https://***@git.example/acme/fleet.git');
  assert.equal(redactUrl('ssh://git@git.example/acme/fleet.git'), 'ssh://***@git.example/acme/fleet.git');
  assert.equal(redactUrl('git@git.example:acme/fleet.git'), 'git@git.example:acme/fleet.git');
  assert.deepEqual(splitUserinfo('https://bot:s%40cret@git.example/f.git'), { url: 'https://git.example/f.git', username: 'bot', password: 's@cret' });
  assert.deepEqual(splitUserinfo('file:///srv/f.git'), { url: 'file:///srv/f.git' });
});

test('a file:// source clones, follows the default branch, reports new commits and keeps the last good revision when a fetch fails', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'flotilla-git-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const repo = upstream(root);
  const first = repo.commit('flotilla.yaml', 'kind: Fleet\n');
  const seen: GitRevision[] = [];
  const errors: FlotillaError[] = [];
  const source = new GitSource({ url: `file://${repo.dir}`, dir: join(root, 'clone'), onRevision: (r) => seen.push(r), onError: (e) => errors.push(e) });
  t.after(() => source.stop());

  const fetched = await source.fetch();
  assert.ok(fetched.ok);
  assert.deepEqual(fetched.value, { commit: first, branch: 'main', dir: join(root, 'clone') });
  const files = gitRevisionFs(fetched.value.dir, fetched.value.commit);
  assert.ok(files.ok);
  assert.equal(Buffer.from(files.value.readFile(join(fetched.value.dir, 'flotilla.yaml'))).toString(), 'kind: Fleet\n');

  assert.ok((await source.fetch()).ok);
  assert.equal(seen.length, 1, 'an unchanged branch is not a new revision');
  const second = repo.commit('flotilla.yaml', 'kind: Fleet # two\n');
  const again = await source.trigger();
  assert.ok(again.ok);
  assert.equal(again.value.commit, second);
  assert.deepEqual(seen.map((r) => r.commit), [first, second]);

  renameSync(repo.dir, join(root, 'gone'));
  const failed = await source.fetch();
  assert.equal(failed.ok, false);
  assert.equal(!failed.ok && failed.issues[0]!.code, 'GIT_FETCH_FAILED');
  assert.match(!failed.ok ? failed.issues[0]!.message : '', /cannot fetch branch main of the repository/);
  assert.equal(source.revision?.commit, second, 'the last good revision stays');
  assert.equal(source.lastError, errors[0]);
  renameSync(join(root, 'gone'), repo.dir);
  assert.ok((await source.fetch()).ok);
  assert.equal(source.lastError, undefined);
});

test('http credentials come from the environment or a file through askpass, never argv, config or messages', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'flotilla-git-http-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const repo = upstream(root);
  const head = repo.commit('flotilla.yaml', 'kind: Fleet\n');
  const token = 'tok-3f9a1c77e2';
  const http = await serveGit(root, 'bot', token);
  t.after(() => http.server.close());

  const fromEnv = new GitSource({ url: `${http.url}/fleet.git`, dir: join(root, 'env-clone'), credentials: { username: 'bot', passwordFrom: { env: 'FLEET_TOKEN' } }, env: { FLEET_TOKEN: token } });
  const viaEnv = await fromEnv.fetch();
  fromEnv.stop();
  assert.ok(viaEnv.ok, viaEnv.ok ? '' : viaEnv.issues[0]!.message);
  assert.equal(viaEnv.value.commit, head);
  assert.doesNotMatch(readFileSync(join(root, 'env-clone', '.git', 'config'), 'utf8'), new RegExp(token));

  writeFileSync(join(root, 'token'), token + '\n');
  const fromFile = new GitSource({ url: `${http.url}/fleet.git`, dir: join(root, 'file-clone'), credentials: { username: 'bot', passwordFrom: { file: join(root, 'token') } } });
  const viaFile = await fromFile.fetch();
  fromFile.stop();
  assert.ok(viaFile.ok);

  // Userinfo in the URL works, is never stored in the clone and is redacted when shown.
  const inUrl = new GitSource({ url: `http://bot:${token}@${http.url.slice('http://'.length)}/fleet.git`, dir: join(root, 'url-clone') });
  assert.ok((await inUrl.fetch()).ok);
  inUrl.stop();
  assert.doesNotMatch(readFileSync(join(root, 'url-clone', '.git', 'config'), 'utf8'), new RegExp(token));
  assert.equal(inUrl.displayUrl, `http://***@${http.url.slice('http://'.length)}/fleet.git`);

  // A wrong token fails without showing either token; the askpass helper is gone after stop().
  const wrong = new GitSource({ url: `http://bot:wrong-${token}@${http.url.slice('http://'.length)}/fleet.git`, dir: join(root, 'wrong-clone') });
  const refused = await wrong.fetch();
  wrong.stop();
  assert.equal(refused.ok, false);
  const message = !refused.ok ? refused.issues[0]!.message : '';
  assert.match(message, /^Git source http:\/\/\*\*\*@127\.0\.0\.1:\d+\/fleet\.git: cannot clone the repository: /);
  assert.doesNotMatch(message, /tok-3f9a1c77e2/);
  assert.ok(http.seen.some((a) => a.startsWith('Basic ')), 'git answered the server with basic auth');

  const missing = new GitSource({ url: `${http.url}/fleet.git`, dir: join(root, 'missing'), credentials: { passwordFrom: { env: 'NOT_SET_ANYWHERE' } }, env: {} });
  const unset = await missing.fetch();
  assert.equal(!unset.ok && unset.issues[0]!.message, 'the password of the Git source comes from the environment variable NOT_SET_ANYWHERE, which is not set');
  assert.equal(existsSync(join(root, 'missing', '.git')), false);
});
