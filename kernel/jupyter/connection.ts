/**
 * The connection file Jupyter writes for each kernel it starts
 * (https://jupyter-client.readthedocs.io/en/stable/kernels.html#connection-files).
 */
import * as fs from 'fs';
import { ConnectionFileError } from './errors';

export type Channel = 'shell' | 'control' | 'stdin' | 'iopub' | 'hb';
export const CHANNELS: readonly Channel[] = ['shell', 'control', 'stdin', 'iopub', 'hb'];

export interface ConnectionInfo {
  transport: 'tcp' | 'ipc';
  ip: string;
  /** HMAC key; '' turns signing off (allowed by the spec, used by some test harnesses). */
  key: string;
  signatureScheme: 'hmac-sha256';
  ports: Record<Channel, number>;
  kernelName?: string;
}

/** Parse and check the JSON text of a connection file; `file` only names it in errors. */
export function parseConnection(text: string, file = '<connection>'): ConnectionInfo {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConnectionFileError(file, `not JSON (${(e as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new ConnectionFileError(file, 'not a JSON object');
  const o = raw as Record<string, unknown>;
  const transport = o.transport ?? 'tcp';
  if (transport !== 'tcp' && transport !== 'ipc')
    throw new ConnectionFileError(file, `transport ${JSON.stringify(transport)} is not "tcp" or "ipc"`);
  const ip = o.ip ?? '127.0.0.1';
  if (typeof ip !== 'string' || ip === '') throw new ConnectionFileError(file, '"ip" must be a non-empty string');
  const key = o.key ?? '';
  if (typeof key !== 'string') throw new ConnectionFileError(file, '"key" must be a string');
  const scheme = o.signature_scheme ?? 'hmac-sha256';
  if (scheme !== 'hmac-sha256')
    throw new ConnectionFileError(
      file,
      `signature_scheme ${JSON.stringify(scheme)} is not supported (only "hmac-sha256")`,
    );
  const ports = {} as Record<Channel, number>;
  for (const ch of CHANNELS) {
    const p = o[`${ch}_port`];
    if (typeof p !== 'number' || !Number.isInteger(p) || p < 0 || p > 65535) {
      throw new ConnectionFileError(file, `"${ch}_port" must be an integer port number, got ${JSON.stringify(p)}`);
    }
    ports[ch] = p;
  }
  const kernelName = typeof o.kernel_name === 'string' ? o.kernel_name : undefined;
  return { transport, ip, key, signatureScheme: 'hmac-sha256', ports, kernelName };
}

export function readConnectionFile(file: string): ConnectionInfo {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConnectionFileError(
      file,
      `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  return parseConnection(text, file);
}

/** The ZeroMQ endpoint of one channel: tcp://ip:port, or ipc://ip-port as jupyter_client names it. */
export function endpoint(conn: ConnectionInfo, channel: Channel): string {
  const port = conn.ports[channel];
  return conn.transport === 'tcp' ? `tcp://${conn.ip}:${port}` : `ipc://${conn.ip}-${port}`;
}
