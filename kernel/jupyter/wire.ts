/**
 * The Jupyter wire protocol (messaging spec 5.3): a message is the ZeroMQ routing prefix, the
 * delimiter `<IDS|MSG>`, an HMAC-SHA256 hex signature of the four JSON frames, the frames
 * header, parent_header, metadata, content, then raw buffers.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'crypto';
import { WireError } from './errors';

export const PROTOCOL_VERSION = '5.3';
export const DELIMITER = Buffer.from('<IDS|MSG>');

export interface Header {
  msg_id: string;
  session: string;
  username: string;
  date: string;
  msg_type: string;
  version: string;
  [extra: string]: unknown;
}

export type Json = Record<string, unknown>;

export interface Message {
  /** ZeroMQ routing identities (ROUTER sockets) or the topic (IOPub). */
  identities: Buffer[];
  header: Header;
  /** The header of the request this answers, or {} when it answers nothing. */
  parent_header: Header | Record<string, never>;
  metadata: Json;
  content: Json;
  buffers: Buffer[];
}

/** hex HMAC-SHA256 of the frames; '' when the key is '' (signing off). */
export function sign(key: string, frames: Array<Buffer | string>): string {
  if (key === '') return '';
  const h = createHmac('sha256', key);
  for (const f of frames) h.update(f);
  return h.digest('hex');
}

function parseJsonFrame(frame: Buffer, name: string): Json {
  let v: unknown;
  try {
    v = JSON.parse(frame.toString('utf8'));
  } catch {
    throw new WireError(`${name} is not JSON`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new WireError(`${name} is not a JSON object`);
  return v as Json;
}

/** Split, verify and parse the frames of one received message. */
export function decode(frames: Buffer[], key: string): Message {
  const at = frames.findIndex((f) => f.equals(DELIMITER));
  if (at < 0) throw new WireError('no <IDS|MSG> delimiter');
  if (frames.length < at + 6)
    throw new WireError(`${frames.length - at - 1} frames after the delimiter, need at least 5`);
  const signature = frames[at + 1].toString('ascii');
  const body = frames.slice(at + 2, at + 6);
  if (key !== '') {
    const want = Buffer.from(sign(key, body), 'ascii');
    const got = Buffer.from(signature, 'ascii');
    if (got.length !== want.length || !timingSafeEqual(got, want))
      throw new WireError('bad HMAC signature (is the key in the connection file the one the client uses?)');
  }
  const header = parseJsonFrame(body[0], 'header');
  if (typeof header.msg_type !== 'string' || typeof header.msg_id !== 'string')
    throw new WireError('header without msg_type/msg_id');
  return {
    identities: frames.slice(0, at),
    header: header as Header,
    parent_header: parseJsonFrame(body[1], 'parent_header') as Header,
    metadata: parseJsonFrame(body[2], 'metadata'),
    content: parseJsonFrame(body[3], 'content'),
    buffers: frames.slice(at + 6),
  };
}

/** Frames of a message ready for `socket.send`. */
export function encode(msg: Message, key: string): Buffer[] {
  const body = [msg.header, msg.parent_header, msg.metadata, msg.content].map((o) =>
    Buffer.from(JSON.stringify(o), 'utf8'),
  );
  return [...msg.identities, DELIMITER, Buffer.from(sign(key, body), 'ascii'), ...body, ...msg.buffers];
}

export function newHeader(msgType: string, session: string, username = 'kernel'): Header {
  return {
    msg_id: randomUUID(),
    session,
    username,
    date: new Date().toISOString(),
    msg_type: msgType,
    version: PROTOCOL_VERSION,
  };
}
