/**
 * Contracts shared by the runtime, the engine, the Jupyter kernel and the grader, each declared
 * once here (docs/architecture.md). Free of tf and of anything but the language: every layer, and
 * the grader's sandboxed child, can import it.
 */
export * from './config';
export * from './record';
export * from './summary';
export * from './codec';
export * from './engine';
export * from './keys';
export * from './text';
export * from './leaks';
export * from './interrupts';
