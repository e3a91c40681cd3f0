/** The notebook runtime: everything a notebook or an assignment module imports. */
export * from './tensor';
export * from './output';
export * from './stdin';
export * from './random';
export * from './errors';
export * from './record';
export * from './display';
export * from './gradcheck';
export * from './notebook';
export { quickMode } from '../protocol/config';
export * from './leakMeter';
