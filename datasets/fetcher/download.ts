/**
 * One file over HTTP(S) into `dest`, resumable and checksummed.
 *
 * Bytes go to `dest.part`. A dropped connection is retried with `Range: bytes=<part size>-`
 * (appending on 206, starting over on a 200 that ignored the range); the `.part` survives the
 * process, so running the command again resumes too. Only a file whose md5 matches is renamed to
 * `dest`; a mismatch deletes the part. No connection at all (refused, DNS, connect timeout) is an
 * OfflineError at once, without retries: offline should fail fast.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import { pipeline } from 'stream/promises';
import { Transform } from 'stream';
import { ChecksumError, DownloadError, OfflineError } from '../errors';

export interface DownloadOptions {
  /** Expected md5, lowercase hex. */
  md5: string;
  /** Give up connecting after this long (default 10 s). */
  connectTimeoutMs?: number;
  /** Give up when no byte arrives for this long (default 60 s). */
  idleTimeoutMs?: number;
  /** Resume attempts after a dropped connection (default 5). */
  retries?: number;
  /** Called as bytes arrive: bytes on disk so far, and the total when known. */
  onProgress?(done: number, total: number | undefined): void;
  /** One-line notes (resuming, restarting). */
  log?(line: string): void;
  /** Appended to an OfflineError's message: what to do without a network. */
  offlineHint?: string;
}

export interface DownloadResult {
  bytes: number;
  /** Bytes that were already in `.part` when the first request went out. */
  resumedFrom: number;
  /** HTTP requests made, redirects not counted. */
  requests: number;
}

/** A failure worth retrying with a Range request (connection dropped, stalled, 5xx). */
class Interrupted extends Error {}

const OFFLINE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ENETDOWN',
  'EHOSTDOWN',
  'ECONNRESET',
  'EPIPE',
]);

function sizeOf(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

/** md5 of a file, streamed. */
export async function md5File(file: string): Promise<string> {
  const hash = crypto.createHash('md5');
  await pipeline(fs.createReadStream(file), hash);
  return hash.digest('hex');
}

function mb(n: number): string {
  return (n / 1e6).toFixed(1) + ' MB';
}

interface Attempt {
  complete: boolean;
  total?: number;
}

/** One GET from `start`, following redirects; appends to `part`. */
function requestOnce(url: string, part: string, start: number, opts: DownloadOptions, redirects = 5): Promise<Attempt> {
  const connectMs = opts.connectTimeoutMs ?? 10_000;
  const idleMs = opts.idleTimeoutMs ?? 60_000;
  return new Promise<Attempt>((resolve, reject) => {
    let connected = false;
    let responded = false;
    let settled = false;
    const fail = (e: Error) => {
      if (!settled) {
        settled = true;
        reject(e);
      }
    };
    const done = (a: Attempt | Promise<Attempt>) => {
      if (!settled) {
        settled = true;
        resolve(a);
      }
    };
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      fail(new DownloadError(url, `not a valid URL: ${url}`));
      return;
    }
    const mod = parsed.protocol === 'https:' ? https : parsed.protocol === 'http:' ? http : null;
    if (!mod) {
      fail(new DownloadError(url, `unsupported URL scheme ${parsed.protocol} in ${url}: use http or https`));
      return;
    }
    const headers: Record<string, string> = { 'User-Agent': 'ts231n-datasets', 'Accept-Encoding': 'identity' };
    if (start > 0) headers.Range = `bytes=${start}-`;
    const req = mod.get(parsed, { headers, agent: false });
    const connectTimer = setTimeout(
      () => req.destroy(Object.assign(new Error('connect timeout'), { code: 'ETIMEDOUT' })),
      connectMs,
    );
    req.on('socket', (s) => {
      s.once(parsed.protocol === 'https:' ? 'secureConnect' : 'connect', () => {
        connected = true;
        clearTimeout(connectTimer);
        req.setTimeout(idleMs, () => req.destroy(new Interrupted(`no data for ${Math.round(idleMs / 1000)} s`)));
      });
    });
    req.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(connectTimer);
      if (responded) return; // the body's pipeline reports it, once the file is closed
      if (e instanceof Interrupted) return fail(e);
      if (!connected && OFFLINE_CODES.has(e.code ?? ''))
        return fail(new OfflineError(url, e.code!, opts.offlineHint ?? 'check the network and run the command again'));
      if (!connected) return fail(new DownloadError(url, `cannot download ${url}: ${e.message}`));
      fail(new Interrupted(e.code ?? e.message));
    });
    req.on('response', (res) => {
      clearTimeout(connectTimer);
      connected = true;
      responded = true;
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location) {
        res.resume();
        if (redirects === 0) return fail(new DownloadError(url, `too many redirects from ${url}`));
        return done(requestOnce(new URL(res.headers.location, url).href, part, start, opts, redirects - 1));
      }
      if (status === 416 && start > 0) {
        // Nothing after `start`: the part is already whole (the checksum decides).
        res.resume();
        return done({ complete: true, total: start });
      }
      let offset = start;
      let total: number | undefined;
      const length = Number(res.headers['content-length']);
      if (status === 206) {
        const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(String(res.headers['content-range'] ?? ''));
        if (!m || Number(m[1]) !== start) {
          res.resume();
          fs.rmSync(part, { force: true });
          opts.log?.('the server answered a different range; starting over');
          return done(requestOnce(url, part, 0, opts, redirects));
        }
        total = m[3] === '*' ? undefined : Number(m[3]);
      } else if (status === 200) {
        if (start > 0) opts.log?.('the server does not resume downloads; starting over');
        offset = 0;
        total = Number.isFinite(length) ? length : undefined;
      } else {
        res.resume();
        const e = `HTTP ${status} ${res.statusMessage ?? ''}`.trim();
        return fail(
          status >= 500
            ? new Interrupted(e)
            : new DownloadError(url, `${url} answered ${e}: check the URL (or TS231N_*_URL)`),
        );
      }
      let have = offset;
      opts.onProgress?.(have, total);
      const counter = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          have += chunk.length;
          opts.onProgress?.(have, total);
          cb(null, chunk);
        },
      });
      const out = fs.createWriteStream(part, { flags: offset > 0 ? 'a' : 'w' });
      // Settle only once the file is closed, so the next attempt sees every byte that was written.
      const afterClose = (f: () => void) => (out.closed ? f() : out.once('close', f));
      pipeline(res, counter, out).then(
        () =>
          afterClose(() => {
            const expected = status === 206 ? total : Number.isFinite(length) ? length : undefined;
            if (expected !== undefined && have < expected)
              return fail(new Interrupted(`connection closed at ${mb(have)} of ${mb(expected)}`));
            done({ complete: true, total: have });
          }),
        (e: NodeJS.ErrnoException) =>
          afterClose(() =>
            fail(
              new Interrupted(
                `connection dropped at ${mb(have)}${total ? ` of ${mb(total)}` : ''} (${e.code ?? e.message})`,
              ),
            ),
          ),
      );
    });
  });
}

/**
 * Downloads `url` to `dest` through `dest.part`, resuming after drops, and checks the md5.
 * Throws OfflineError (no connection), ChecksumError (wrong bytes; part deleted) or
 * DownloadError (HTTP error, or still interrupted after the retries; the part is kept to resume).
 */
export async function download(url: string, dest: string, opts: DownloadOptions): Promise<DownloadResult> {
  const part = dest + '.part';
  const retries = opts.retries ?? 5;
  const resumedFrom = sizeOf(part);
  if (resumedFrom > 0) opts.log?.(`resuming ${dest} from ${mb(resumedFrom)}`);
  let requests = 0;
  for (let attempt = 0; ; attempt++) {
    requests++;
    try {
      await requestOnce(url, part, sizeOf(part), opts);
      break;
    } catch (e) {
      if (!(e instanceof Interrupted)) throw e;
      if (attempt >= retries) {
        throw new DownloadError(
          url,
          `download of ${url} was interrupted ${attempt + 1} times (last: ${e.message}); ${mb(sizeOf(part))} are kept in ${part}, run the command again to resume`,
        );
      }
      opts.log?.(`${e.message}; resuming (${attempt + 1}/${retries})`);
      await new Promise((r) => setTimeout(r, Math.min(200 * 2 ** attempt, 5000)));
    }
  }
  const actual = await md5File(part);
  if (actual !== opts.md5.toLowerCase()) {
    fs.rmSync(part, { force: true });
    throw new ChecksumError(url, dest, opts.md5, actual);
  }
  fs.renameSync(part, dest);
  return { bytes: sizeOf(dest), resumedFrom, requests };
}
