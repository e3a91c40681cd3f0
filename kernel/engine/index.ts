/** kernel/engine: runs TypeScript cells with shared state (contract 2 in docs/architecture.md); the only module that knows tslab. */
export { Engine, EngineError, InterruptError } from './engine';
export type { ExecuteHooks, ExecuteReply, CompleteReply, MimeBundle, DisplayOptions } from './engine';
export { executeNotebook, executedNotebook, NotebookError } from './notebook';
export type { NotebookRun, NotebookCellRun, ExecuteNotebookOptions, NbOutput } from './notebook';
export { checkTslab, checkerSystems, converterProblems, TSLAB_PINNED, TslabMismatchError } from './tslab';
