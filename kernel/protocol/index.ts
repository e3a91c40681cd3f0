/** Contracts shared by the runtime, the engine, the Jupyter kernel and the grader; free of tf. */
export * from './config';
