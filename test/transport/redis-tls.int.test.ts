/**
 * Redis over TLS end to end: a TLS-only `redis-server` (Debian's build links OpenSSL; `--port 0
 * --tls-port N`) with a throwaway CA and server certificate made by `openssl`, a real `dspex start`
 * node whose config says `rediss://…`, and `dspex submit --wait` served through it. The CA reaches
 * both processes through `NODE_EXTRA_CA_CERTS` (Node's own trust store extension): ioredis turns
 * `rediss://` into a TLS connection verified against the system CAs plus that file.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  cleanEnv,
  projectDir,
  runDspex,
  startDaemonProcess,
  type DaemonProcess,
} from '../cli/cli-process.js';
import { startOpenAIFixture, type LMFixture } from '../fixtures/index.js';
import { freePort } from '../helpers/redis-server.js';

interface Certificates {
  ca: string;
  cert: string;
  key: string;
}

/** A CA and a server certificate for 127.0.0.1 / localhost signed by it, written into `dir`. */
function makeCertificates(dir: string): Certificates {
  const openssl = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  };
  const rsa = ['-newkey', 'rsa:2048', '-nodes'];
  openssl(
    'req',
    '-x509',
    ...rsa,
    '-days',
    '2',
    '-subj',
    '/CN=dspex test CA',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
  );
  openssl('req', ...rsa, '-subj', '/CN=127.0.0.1', '-keyout', 'server.key', '-out', 'server.csr');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    'san.ext',
    '-out',
    'server.pem',
  );
  return { ca: join(dir, 'ca.pem'), cert: join(dir, 'server.pem'), key: join(dir, 'server.key') };
}

/** PING over TLS with the test CA: true once the server answers PONG. */
function tlsPing(port: number, ca: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, ca, servername: 'localhost' }, () =>
      socket.write('PING\r\n'),
    );
    socket.setTimeout(1_000);
    socket.on('data', (d: Buffer) => {
      socket.destroy();
      resolve(d.toString().includes('PONG'));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

describe('Redis over TLS (rediss://) with a real node and CLI', () => {
  let redis: ChildProcess;
  let daemon: DaemonProcess;
  let fixture: LMFixture;
  let env: NodeJS.ProcessEnv;
  let url: string;
  let cwd: string;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dspex-tls-'));
    const certs = makeCertificates(dir);
    const port = await freePort();
    // TLS only: the plain port is off, so nothing can reach this server without TLS.
    redis = spawn(
      'redis-server',
      [
        '--port',
        '0',
        '--tls-port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--tls-cert-file',
        certs.cert,
        '--tls-key-file',
        certs.key,
        '--tls-ca-cert-file',
        certs.ca,
        '--tls-auth-clients',
        'no',
        '--save',
        '',
        '--appendonly',
        'no',
      ],
      { stdio: 'ignore' },
    );
    const ca = readFileSync(certs.ca, 'utf8');
    await vi.waitFor(
      async () => {
        if (!(await tlsPing(port, ca))) throw new Error(`no TLS PONG from redis-server on ${port}`);
      },
      { timeout: 15_000, interval: 100 },
    );
    url = `rediss://127.0.0.1:${port}`;
    fixture = await startOpenAIFixture();
    env = cleanEnv({
      OPENAI_BASE_URL: fixture.url,
      OPENAI_API_KEY: 'test-key',
      NODE_EXTRA_CA_CERTS: certs.ca,
    });
    cwd = projectDir({
      redis: { url, prefix: 'tls' },
      node: { id: 'tls-node' },
      admin: { port: 0 },
      shutdown: { drainTimeoutMs: 5_000 },
    });
    daemon = startDaemonProcess(cwd, env);
    await daemon.waitForOutput('dspex daemon started', 90_000);
  }, 150_000);

  afterAll(async () => {
    daemon?.kill();
    redis?.kill('SIGKILL');
    await fixture?.close();
  });

  it('a job submitted over rediss:// is served by the node and its answer comes back', async () => {
    expect(daemon.stdout()).toContain(`mode      redis ${url}`);
    const res = await runDspex(
      ['submit', 'qa', '--input', '{"question": "over TLS?"}', '--wait', '--timeout', '60000'],
      { cwd, env },
    );
    expect(res.stderr).toContain('queued on dspex-run');
    expect(res.code).toBe(0);
    const result = JSON.parse(res.stdout) as { outputs: { answer: string } };
    expect(result.outputs.answer).toMatch(/^answer-[0-9a-f]+$/);
  }, 90_000);

  it('without the CA the CLI refuses the server certificate (TLS is really verified)', async () => {
    const { NODE_EXTRA_CA_CERTS: _ca, ...noCa } = env;
    const res = await runDspex(['submit', 'qa', '--input', '{"question": "x"}'], {
      cwd,
      env: noCa,
      timeoutMs: 60_000,
    });
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(
      /is unreachable \(.*(certificate|self.signed|unable to verify).*\)/i,
    );
    expect(res.stderr).toContain('NODE_EXTRA_CA_CERTS');
  }, 90_000);
});
