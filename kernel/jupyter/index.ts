/** kernel/jupyter: the Jupyter messaging protocol 5.3 over ZeroMQ for the ts231n cell engine. */
export { startKernel, main } from './main';
export type { StartOptions } from './main';
export { Kernel } from './kernel';
export type { KernelIo, KernelOptions, Request } from './kernel';
export { parseConnection, readConnectionFile, endpoint } from './connection';
export type { ConnectionInfo, Channel } from './connection';
export { decode, encode, sign, newHeader, PROTOCOL_VERSION } from './wire';
export type { Header, Message } from './wire';
export { History } from './history';
export { kernelInfo } from './kernelInfo';
export { ConnectionFileError, WireError } from './errors';
export type { EngineLike, ExecuteHooks, ExecuteReply } from './types';
