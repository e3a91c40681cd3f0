/**
 * The Jupyter protocol layer without sockets or compiler: message framing and HMAC, the
 * connection file, history queries, code-point cursors, and the kernel's request queue over a
 * stub engine (tests/fixtures/jupyter/stubEngine.ts).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseConnection, readConnectionFile, endpoint } from '../../../kernel/jupyter/connection';
import { ConnectionFileError, WireError } from '../../../kernel/jupyter/errors';
import { History, globToRegExp } from '../../../kernel/jupyter/history';
import { Kernel, type KernelIo, type Request } from '../../../kernel/jupyter/kernel';
import { kernelInfo } from '../../../kernel/jupyter/kernelInfo';
import type { EngineLike, ExecuteHooks, ExecuteReply } from '../../../kernel/jupyter/types';
import {
  DELIMITER,
  decode,
  encode,
  newHeader,
  sign,
  type Header,
  type Json,
  type Message,
} from '../../../kernel/jupyter/wire';
import { StubEngine } from '../../fixtures/jupyter/stubEngine';
import { TESTS_DIR } from '../../helpers/paths';

const conn = {
  transport: 'tcp',
  ip: '127.0.0.1',
  key: 'secret',
  signature_scheme: 'hmac-sha256',
  shell_port: 1,
  iopub_port: 2,
  stdin_port: 3,
  control_port: 4,
  hb_port: 5,
  kernel_name: 'ts231n',
};

describe('wire: framing and HMAC-SHA256', () => {
  const msg = (): Message => ({
    identities: [Buffer.from('client-id')],
    header: newHeader('execute_request', 'sess'),
    parent_header: {},
    metadata: {},
    content: { code: '1 + 1', silent: false },
    buffers: [Buffer.from([1, 2, 3])],
  });

  test('encode then decode gives the message back, identities and buffers included', () => {
    const m = msg();
    const frames = encode(m, 'secret');
    expect(frames[1].equals(DELIMITER)).toBe(true);
    const back = decode(frames, 'secret');
    expect(back.header).toEqual(m.header);
    expect(back.content).toEqual(m.content);
    expect(back.identities.map(String)).toEqual(['client-id']);
    expect([...back.buffers[0]]).toEqual([1, 2, 3]);
  });

  test('the signature is hex HMAC-SHA256 of header, parent, metadata, content (as Python computes it)', () => {
    const frames = encode(msg(), 'secret');
    const body = frames.slice(3, 7);
    // Reference value from Python: hmac.new(b'secret', digestmod=hashlib.sha256) over the same frames.
    const crypto = require('crypto') as typeof import('crypto');
    const h = crypto.createHmac('sha256', 'secret');
    body.forEach((b) => h.update(b));
    expect(frames[2].toString()).toBe(h.digest('hex'));
    expect(sign('secret', body)).toHaveLength(64);
  });

  test('a tampered message or a wrong key is rejected with WireError', () => {
    const frames = encode(msg(), 'secret');
    const tampered = [...frames];
    tampered[6] = Buffer.from(JSON.stringify({ code: 'process.exit()' }));
    expect(() => decode(tampered, 'secret')).toThrow(WireError);
    expect(() => decode(frames, 'other key')).toThrow(/bad HMAC signature/);
  });

  test('missing delimiter, short messages and non-JSON frames are WireErrors', () => {
    expect(() => decode([Buffer.from('x')], 'k')).toThrow(/delimiter/);
    expect(() => decode([DELIMITER, Buffer.from('sig')], 'k')).toThrow(/frames after the delimiter/);
    const bad = [DELIMITER, Buffer.from(''), Buffer.from('{'), Buffer.from('{}'), Buffer.from('{}'), Buffer.from('{}')];
    expect(() => decode(bad, '')).toThrow(/header is not JSON/);
  });

  test('an empty key turns signing off (allowed by the spec)', () => {
    const frames = encode(msg(), '');
    expect(frames[2].toString()).toBe('');
    expect(decode(frames, '').content.code).toBe('1 + 1');
  });
});

describe('connection file', () => {
  test('parses what jupyter_client writes', () => {
    const c = parseConnection(JSON.stringify(conn));
    expect(c.ports).toEqual({ shell: 1, control: 4, stdin: 3, iopub: 2, hb: 5 });
    expect(endpoint(c, 'iopub')).toBe('tcp://127.0.0.1:2');
    expect(endpoint({ ...c, transport: 'ipc', ip: '/tmp/k' }, 'hb')).toBe('ipc:///tmp/k-5');
  });

  test.each([
    ['not JSON', '{', /not JSON/],
    ['a missing port', JSON.stringify({ ...conn, hb_port: undefined }), /"hb_port" must be an integer/],
    ['another signature scheme', JSON.stringify({ ...conn, signature_scheme: 'hmac-md5' }), /not supported/],
    ['an unknown transport', JSON.stringify({ ...conn, transport: 'udp' }), /transport "udp"/],
  ])('rejects %s with a one-line ConnectionFileError', (_what, text, re) => {
    expect(() => parseConnection(text, 'k.json')).toThrow(ConnectionFileError);
    expect(() => parseConnection(text, 'k.json')).toThrow(re);
    try {
      parseConnection(text, 'k.json');
    } catch (e) {
      expect((e as Error).message).not.toMatch(/\n/);
    }
  });

  test('a missing file says so', () => {
    expect(() => readConnectionFile(path.join(os.tmpdir(), 'no-such-kernel.json'))).toThrow(
      /cannot be read \(ENOENT\)/,
    );
  });
});

describe('history (IPython semantics)', () => {
  const h = new History(1);
  ['a = 1', 'a + 1', 'print(a)', 'a + 1'].forEach((code, i) => h.add(i + 1, code));
  h.setOutput(2, '2');

  test('tail returns the last n entries in order', () => {
    expect(h.query({ hist_access_type: 'tail', n: 2 })).toEqual([
      [1, 3, 'print(a)'],
      [1, 4, 'a + 1'],
    ]);
  });
  test('range is start <= line < stop in the current session', () => {
    expect(h.query({ hist_access_type: 'range', session: 0, start: 2, stop: 4 }).map((e) => e[1])).toEqual([2, 3]);
    expect(h.query({ hist_access_type: 'range', session: 1, start: 1 }).length).toBe(4);
    expect(h.query({ hist_access_type: 'range', session: -1, start: 1 })).toEqual([]);
  });
  test('search globs the whole input; unique keeps the latest; n keeps the last n', () => {
    expect(h.query({ hist_access_type: 'search', pattern: 'a*' }).length).toBe(3);
    expect(h.query({ hist_access_type: 'search', pattern: 'a*', unique: true }).map((e) => e[1])).toEqual([1, 4]);
    expect(h.query({ hist_access_type: 'search', pattern: 'a*', n: 1 }).map((e) => e[1])).toEqual([4]);
    expect(h.query({ hist_access_type: 'search', pattern: 'print(?)' }).length).toBe(1);
  });
  test('output: true pairs each input with its text/plain result', () => {
    expect(h.query({ hist_access_type: 'range', start: 2, stop: 3, output: true })).toEqual([[1, 2, ['a + 1', '2']]]);
  });
  test('glob classes and escapes', () => {
    expect(globToRegExp('x[0-9].ts').test('x7.ts')).toBe(true);
    expect(globToRegExp('x[!0-9]').test('x7')).toBe(false);
    expect(globToRegExp('a.b').test('axb')).toBe(false);
  });
});

/** Records what the kernel sends, as the socket worker would put it on the wire. */
class Recorder implements KernelIo {
  sent: Array<{ channel: string; msgType: string; parent: string; content: Json }> = [];
  send(
    channel: string,
    _ids: Uint8Array[],
    msgType: string,
    parent: Header | Record<string, never>,
    content: Json,
  ): void {
    this.sent.push({ channel, msgType, parent: (parent as Header).msg_id, content });
  }
  of(id: string): Array<{ channel: string; msgType: string; content: Json }> {
    return this.sent.filter((s) => s.parent === id);
  }
}

let seq = 0;
function request(msgType: string, content: Json): Request {
  const header = newHeader(msgType, 'client');
  header.msg_id = `req-${++seq}`;
  return { channel: 'shell', identities: [], header, content, metadata: {} };
}

describe('kernel: request queue over a stub engine', () => {
  test('execute: busy, execute_input, stream, execute_result, reply, idle — with a real execution_count', async () => {
    const io = new Recorder();
    const k = new Kernel(io, new StubEngine(), { info: kernelInfo() });
    const r = request('execute_request', { code: 'console.log("hi"); 40 + 2' });
    k.receive(r);
    await k.idle();
    const got = io.of(r.header.msg_id);
    expect(got.map((m) => m.msgType)).toEqual([
      'status',
      'execute_input',
      'stream',
      'execute_result',
      'execute_reply',
      'status',
    ]);
    expect(got[1].content).toEqual({ code: 'console.log("hi"); 40 + 2', execution_count: 1 });
    expect(got[3].content).toMatchObject({ execution_count: 1, data: { 'text/plain': '42' } });
    expect(got[4]).toMatchObject({ channel: 'shell', content: { status: 'ok', execution_count: 1 } });
    expect(got[5].content).toEqual({ execution_state: 'idle' });
  });

  test('an error gives one error output and an error reply; the next request still runs', async () => {
    const io = new Recorder();
    const k = new Kernel(io, new StubEngine(), { info: kernelInfo() });
    const bad = request('execute_request', { code: 'throw new TypeError("nope")', stop_on_error: false });
    const good = request('execute_request', { code: '1 + 1', stop_on_error: false });
    k.receive(bad);
    k.receive(good);
    await k.idle();
    const err = io.of(bad.header.msg_id).filter((m) => m.msgType === 'error');
    expect(err).toHaveLength(1);
    expect(err[0].content).toMatchObject({ ename: 'TypeError', evalue: 'nope' });
    expect(io.of(bad.header.msg_id).find((m) => m.msgType === 'execute_reply')!.content).toMatchObject({
      status: 'error',
      ename: 'TypeError',
      execution_count: 1,
    });
    expect(io.of(good.header.msg_id).find((m) => m.msgType === 'execute_reply')!.content).toMatchObject({
      status: 'ok',
      execution_count: 2,
    });
  });

  test('stop_on_error aborts only requests already queued before the error reply, as IPython does', async () => {
    const io = new Recorder();
    const k = new Kernel(io, new StubEngine(), { info: kernelInfo() });
    const bad = request('execute_request', { code: 'throw new Error("x")' });
    const queued = request('execute_request', { code: '2' });
    const info = request('kernel_info_request', {});
    k.receive(bad);
    k.receive(queued);
    k.receive(info);
    await k.idle();
    expect(io.of(queued.header.msg_id).map((m) => m.msgType)).toEqual(['execute_reply']);
    // IPython's aborted reply: no execution_count, so the notebook shows `In [ ]`, not the failed cell's number.
    expect(io.of(queued.header.msg_id)[0].content).toEqual({ status: 'aborted' });
    expect(io.of(info.header.msg_id).some((m) => m.msgType === 'kernel_info_reply')).toBe(true);
    // Sent after the error reply: runs.
    const later = request('execute_request', { code: '3' });
    k.receive(later);
    await k.idle();
    expect(io.of(later.header.msg_id).find((m) => m.msgType === 'execute_reply')!.content.status).toBe('ok');
  });

  test('silent runs send no outputs and do not count; store_history false does not count', async () => {
    const io = new Recorder();
    const k = new Kernel(io, new StubEngine(), { info: kernelInfo() });
    const a = request('execute_request', { code: 'console.log("x"); 5', silent: true });
    const b = request('execute_request', { code: '6', store_history: false });
    const c = request('execute_request', { code: '7' });
    [a, b, c].forEach((r) => k.receive(r));
    await k.idle();
    expect(io.of(a.header.msg_id).map((m) => m.msgType)).toEqual(['status', 'execute_reply', 'status']);
    expect(io.of(b.header.msg_id).find((m) => m.msgType === 'execute_result')!.content.execution_count).toBe(0);
    expect(io.of(c.header.msg_id).find((m) => m.msgType === 'execute_reply')!.content.execution_count).toBe(1);
    expect(k.history.length).toBe(1);
  });

  test('display and update_display_data carry the display_id in transient', async () => {
    const io = new Recorder();
    const k = new Kernel(io, new StubEngine(), { info: kernelInfo() });
    const r = request('execute_request', {
      code: 'display({"text/plain": "0%"}, {displayId: "p"}); display({"text/plain": "100%"}, {displayId: "p", update: true})',
    });
    k.receive(r);
    await k.idle();
    const d = io.of(r.header.msg_id).filter((m) => /display/.test(m.msgType));
    expect(d.map((m) => m.msgType)).toEqual(['display_data', 'update_display_data']);
    expect(d[1].content).toEqual({ data: { 'text/plain': '100%' }, metadata: {}, transient: { display_id: 'p' } });
  });

  test('an engine that throws still gets an error reply, and the queue goes on', async () => {
    const io = new Recorder();
    const broken: EngineLike = {
      ...new StubEngine(),
      execute: async (_c: string, _h?: ExecuteHooks): Promise<ExecuteReply> => {
        throw new RangeError('engine bug');
      },
      complete: () => ({ matches: [], cursorStart: 0, cursorEnd: 0 }),
      inspect: () => ({ found: false, data: {} }),
      isComplete: () => ({ status: 'complete' }),
      interrupt: () => {},
      dispose: () => {},
    };
    const k = new Kernel(io, broken, { info: kernelInfo() });
    const r = request('execute_request', { code: 'x', stop_on_error: false });
    const h = request('history_request', { hist_access_type: 'tail', n: 5, output: false, raw: true });
    k.receive(r);
    k.receive(h);
    await k.idle();
    expect(io.of(r.header.msg_id).find((m) => m.msgType === 'execute_reply')!.content).toMatchObject({
      status: 'error',
      ename: 'RangeError',
    });
    expect(io.of(h.header.msg_id).find((m) => m.msgType === 'history_reply')!.content).toEqual({
      status: 'ok',
      history: [[1, 1, 'x']],
    });
  });

  test('a handler that throws still answers, with an error reply, and the queue goes on', async () => {
    const io = new Recorder();
    const engine = new StubEngine();
    engine.complete = () => {
      throw new Error('completion crashed');
    };
    const k = new Kernel(io, engine, { info: kernelInfo() });
    const c = request('complete_request', { code: 'x', cursor_pos: 1 });
    const e = request('execute_request', { code: '1 + 1' });
    k.receive(c);
    k.receive(e);
    await k.idle();
    expect(io.of(c.header.msg_id).map((m) => m.msgType)).toEqual(['status', 'complete_reply', 'status']);
    expect(io.of(c.header.msg_id)[1].content).toMatchObject({
      status: 'error',
      ename: 'Error',
      evalue: expect.stringMatching(/complete_request: completion crashed/),
    });
    expect(io.of(e.header.msg_id).find((m) => m.msgType === 'execute_reply')!.content.status).toBe('ok');
  });

  test('complete, inspect, is_complete and comm_info answer with status ok; cursors pass through in code points', async () => {
    const io = new Recorder();
    const k = new Kernel(io, new StubEngine(), { info: kernelInfo() });
    const code = '"😀"; cons';
    const c = request('complete_request', { code, cursor_pos: [...code].length });
    const i = request('is_complete_request', { code: 'function f() {' });
    const ci = request('comm_info_request', {});
    [c, i, ci].forEach((r) => k.receive(r));
    await k.idle();
    const cr = io.of(c.header.msg_id).find((m) => m.msgType === 'complete_reply')!.content;
    expect(cr.matches).toContain('console');
    expect(cr.cursor_end).toBe([...code].length);
    expect(cr.cursor_start).toBe([...code].length - 4);
    expect(io.of(i.header.msg_id).find((m) => m.msgType === 'is_complete_reply')!.content).toEqual({
      status: 'incomplete',
      indent: '  ',
    });
    expect(io.of(ci.header.msg_id).find((m) => m.msgType === 'comm_info_reply')!.content).toEqual({
      status: 'ok',
      comms: {},
    });
  });

  test('kernel_info names TypeScript for editors and nbconvert', () => {
    const info = kernelInfo() as { status: string; protocol_version: string; language_info: Record<string, unknown> };
    expect(info.status).toBe('ok');
    expect(info.protocol_version).toBe('5.3');
    expect(info.language_info).toMatchObject({
      name: 'typescript',
      mimetype: 'text/typescript',
      file_extension: '.ts',
      codemirror_mode: { name: 'javascript', typescript: true },
    });
  });

  test('every committed notebook stores exactly the language_info the kernel reports (opening it changes nothing)', () => {
    const info = kernelInfo() as { language_info: Record<string, unknown> };
    const repo = path.join(TESTS_DIR, '..');
    const files = ['solutions/assignment1', 'assignments/assignment1'].flatMap((d) =>
      fs
        .readdirSync(path.join(repo, d))
        .filter((f) => f.endsWith('.ipynb'))
        .map((f) => path.join(d, f)),
    );
    expect(files.length).toBeGreaterThanOrEqual(10);
    for (const f of files) {
      const nb = JSON.parse(fs.readFileSync(path.join(repo, f), 'utf8')) as { metadata: { language_info: unknown } };
      expect({ f, languageInfo: nb.metadata.language_info }).toEqual({ f, languageInfo: info.language_info });
    }
  });
});

describe('kernelspec', () => {
  const dir = path.join(TESTS_DIR, '..', 'kernel', 'share', 'jupyter', 'kernels', 'ts231n');
  test('kernel.json is {resource_dir}-relative, interrupted by message, named "TypeScript (ts231n)"', () => {
    const spec = JSON.parse(fs.readFileSync(path.join(dir, 'kernel.json'), 'utf8'));
    expect(spec).toMatchObject({
      display_name: 'TypeScript (ts231n)',
      language: 'typescript',
      interrupt_mode: 'message',
    });
    expect(spec.argv).toEqual(['node', '{resource_dir}/kernel.js', '{connection_file}']);
    expect(fs.existsSync(path.join(dir, 'kernel.js'))).toBe(true);
  });
  test('logos are PNGs of the sizes Jupyter looks for', () => {
    for (const [file, size] of [
      ['logo-32x32.png', 32],
      ['logo-64x64.png', 64],
    ] as const) {
      const b = fs.readFileSync(path.join(dir, file));
      expect(b.subarray(1, 4).toString()).toBe('PNG');
      expect([b.readUInt32BE(16), b.readUInt32BE(20)]).toEqual([size, size]);
    }
  });
});

describe('is_complete: invalid code', () => {
  const { refineIsComplete } =
    require('../../../kernel/jupyter/completeness') as typeof import('../../../kernel/jupyter/completeness');
  test.each(['1 +* 2)', 'const = 5;', '}'])('%j does not parse: invalid', (code) => {
    expect(refineIsComplete(code, { status: 'complete' }).status).toBe('invalid');
  });
  test.each(['1 + 1', 'const a: number[] = [1, 2];', 'for (const x of [1]) { console.log(x); }', ''])(
    '%j parses: the engine answer stands',
    (code) => {
      expect(refineIsComplete(code, { status: 'complete' }).status).toBe('complete');
    },
  );
  test('an incomplete answer is kept with its indent', () => {
    expect(refineIsComplete('if (x) {', { status: 'incomplete', indent: '  ' })).toEqual({
      status: 'incomplete',
      indent: '  ',
    });
  });
});

describe('launcher (kernel.js) on bad input: one line, no stack', () => {
  const { spawnSync } = require('child_process') as typeof import('child_process');
  const launcher = path.join(TESTS_DIR, '..', 'kernel', 'share', 'jupyter', 'kernels', 'ts231n', 'kernel.js');
  const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    spawnSync(process.execPath, [launcher, ...args], {
      encoding: 'utf8',
      env: { ...process.env, ...env },
      timeout: 60000,
    });

  test('no connection file: usage, exit 2', () => {
    const r = run([]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^usage: kernel.js <connection_file>/)]);
  });
  test('a missing or malformed connection file: exit 1 with the reason', () => {
    const missing = run([path.join(os.tmpdir(), 'no-such-connection.json')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr.trim().split('\n')).toEqual([expect.stringMatching(/cannot be read \(ENOENT\)/)]);
    const file = path.join(os.tmpdir(), `bad-connection-${process.pid}.json`);
    fs.writeFileSync(file, '{"shell_port": 1}');
    const bad = run([file]);
    fs.rmSync(file);
    expect(bad.status).toBe(1);
    expect(bad.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/"control_port" must be an integer port number/),
    ]);
  });
  test('a kernelspec copied away from the repository says where it must live', () => {
    const r = run(['x.json'], { TS231N_HOME: os.tmpdir() });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/must stay in the ts231n repository .* or set TS231N_HOME/);
  });
});
