/**
 * `npm run datasets`: download from a local HTTP server that serves a CIFAR-10 archive in the
 * real layout, md5 check, extraction, a second run that does nothing, resume after a dropped
 * connection, a corrupt download, and offline failing fast with one line.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as path from 'path';
import { ChecksumError, fetchDataset, hasCifar10, OfflineError, readCifar10Raw } from '../../../datasets';
import { sourceFor } from '../../../datasets/fetcher/sources';
import { cifarLabel, cifarTarGz, md5, tempDir } from '../../fixtures/datasets/generate';
import { TESTS_DIR } from '../../helpers/paths';

interface Served {
  url: string;
  requests: Array<{ range?: string }>;
  close(): Promise<void>;
}

/** Serves `body` at /cifar-10-binary.tar.gz with Range support; `dropFirstAt` cuts the first response. */
async function serve(body: Buffer, dropFirstAt?: number): Promise<Served> {
  const requests: Array<{ range?: string }> = [];
  const server = http.createServer((req, res) => {
    requests.push({ range: req.headers.range });
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = m ? Number(m[1]) : 0;
    res.writeHead(m ? 206 : 200, {
      'content-length': body.length - start,
      ...(m ? { 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` } : {}),
    });
    if (requests.length === 1 && dropFirstAt !== undefined) {
      res.write(body.subarray(0, dropFirstAt), () => setTimeout(() => res.destroy(), 50));
      return;
    }
    res.end(body.subarray(start));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/cifar-10-binary.tar.gz`,
    requests,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const quiet = { progress: false, log: () => undefined };
const cifarSource = (url: string, sum: string) =>
  sourceFor('cifar10', { TS231N_CIFAR10_URL: url, TS231N_CIFAR10_MD5: sum });

describe('npm run datasets (CIFAR-10 from a local server)', () => {
  const archive = cifarTarGz(12, 10);
  const sum = md5(archive);

  it('downloads, verifies, extracts a loadable set; a second run does nothing', async () => {
    const srv = await serve(archive);
    const root = tempDir('fetch');
    try {
      const first = await fetchDataset('cifar10', { dir: root, source: cifarSource(srv.url, sum), ...quiet });
      expect(first.skipped).toBe(false);
      expect(first.downloaded).toEqual(['cifar-10-binary.tar.gz']);
      expect(hasCifar10(first.dir)).toBe(true);
      const raw = readCifar10Raw(first.dir);
      expect(raw.train.count).toBe(60);
      expect(Array.from(raw.train.labels.subarray(0, 3))).toEqual([0, 1, 2].map(cifarLabel));
      expect(fs.existsSync(path.join(root, 'cifar-10-binary.tar.gz'))).toBe(false); // archive removed
      const second = await fetchDataset('cifar10', { dir: root, source: cifarSource(srv.url, sum), ...quiet });
      expect(second).toMatchObject({ skipped: true, downloaded: [] });
      expect(srv.requests).toHaveLength(1);
    } finally {
      await srv.close();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('resumes a dropped download with a Range request', async () => {
    const srv = await serve(archive, Math.floor(archive.length / 2));
    const root = tempDir('fetch-resume');
    try {
      const r = await fetchDataset('cifar10', {
        dir: root,
        source: cifarSource(srv.url, sum),
        ...quiet,
        idleTimeoutMs: 2000,
      });
      expect(hasCifar10(r.dir)).toBe(true);
      expect(srv.requests).toHaveLength(2);
      expect(srv.requests[1].range).toBe(`bytes=${Math.floor(archive.length / 2)}-`);
    } finally {
      await srv.close();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('a download with the wrong md5 is a ChecksumError and leaves no data behind', async () => {
    const srv = await serve(archive);
    const root = tempDir('fetch-md5');
    try {
      const wrong = '0'.repeat(32);
      await expect(
        fetchDataset('cifar10', { dir: root, source: cifarSource(srv.url, wrong), ...quiet }),
      ).rejects.toThrow(ChecksumError);
      expect(hasCifar10(path.join(root, 'cifar-10-batches-bin'))).toBe(false);
      expect(fs.readdirSync(root).filter((f) => f !== '.gitignore')).toEqual([]);
    } finally {
      await srv.close();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('offline: an OfflineError at once, without retries, that says what to do', async () => {
    const port = await closedPort();
    const root = tempDir('fetch-offline');
    try {
      const t0 = Date.now();
      const p = fetchDataset('cifar10', {
        dir: root,
        source: cifarSource(`http://127.0.0.1:${port}/cifar-10-binary.tar.gz`, sum),
        ...quiet,
      });
      await expect(p).rejects.toThrow(OfflineError);
      await expect(p).rejects.toThrow(
        /cannot reach 127\.0\.0\.1:\d+ \(ECONNREFUSED\): no network\? Copy cifar-10-binary\.tar\.gz into/,
      );
      expect(Date.now() - t0).toBeLessThan(5000);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('the CLI offline: exit code 1 and exactly one line on stderr, no stack', async () => {
    const port = await closedPort();
    const root = tempDir('fetch-cli');
    try {
      const r = spawnSync(
        process.execPath,
        [require.resolve('tsx/cli'), 'datasets/fetcher/cli.ts', 'cifar10', '--dir', root, '--quiet'],
        {
          cwd: path.resolve(TESTS_DIR, '..'),
          env: { ...process.env, TS231N_CIFAR10_URL: `http://127.0.0.1:${port}/cifar-10-binary.tar.gz` },
          encoding: 'utf8',
          timeout: 90_000,
        },
      );
      expect(r.status).toBe(1);
      const lines = r.stderr.split('\n').filter((l) => l.trim());
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^datasets: cannot reach 127\.0\.0\.1:\d+ \(ECONNREFUSED\): no network\?/);
      expect(r.stdout).toBe('');
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('the CLI names an unknown data set and exits 1', () => {
    const r = spawnSync(process.execPath, [require.resolve('tsx/cli'), 'datasets/fetcher/cli.ts', 'cifar100'], {
      cwd: path.resolve(TESTS_DIR, '..'),
      encoding: 'utf8',
      timeout: 90_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/cifar100/);
  });
});
