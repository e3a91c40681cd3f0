/**
 * What the Jupyter front needs of the cell engine: contract 2 in docs/architecture.md, declared
 * in kernel/protocol/engine.ts as an interface, so the protocol layer can be tested with any
 * engine that honours the contract.
 */
export type { CompleteReply, DisplayOptions, EngineLike, ExecuteHooks, ExecuteReply, MimeBundle } from '../protocol';
