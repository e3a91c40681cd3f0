/** Reads assignment 2's float64 conv oracle (tests/fixtures/assignment2/conv_oracle.json, made by make_conv_oracle.py). */
import * as fs from 'fs';
import * as path from 'path';
import type { OracleArray } from './oracle2';

type A = OracleArray;

export interface ConvCase {
  x: A;
  w: A;
  b: A;
  stride: number;
  pad: number;
  out: A;
  dout: A;
  dx: A;
  dw: A;
  db: A;
}
export interface PoolCase {
  x: A;
  poolHeight: number;
  poolWidth: number;
  stride: number;
  out: A;
  dout: A;
  dx: A;
}
export interface SpatialBnStep {
  x: A;
  out: A;
  dout: A;
  dx: A;
  dgamma: A;
  dbeta: A;
  runningMean: A;
  runningVar: A;
}

/** What make_conv_oracle.py writes. */
export interface ConvOracle {
  convGiven: { x: A; w: A; b: A; stride: number; pad: number; out: A };
  conv: ConvCase[];
  poolGiven: { x: A; poolHeight: number; poolWidth: number; stride: number; out: A };
  pool: PoolCase[];
  spatialBatchnorm: { gamma: A; beta: A; steps: SpatialBnStep[]; xTest: A; outTest: A };
  convNet: {
    inputDim: [number, number, number];
    numFilters: number;
    filterSize: number;
    hiddenDim: number;
    numClasses: number;
    X: A;
    y: number[];
    params: Record<string, A>;
    cases: { reg: number; scores: A; loss: number; grads: Record<string, A> }[];
  };
}

let cached: ConvOracle | null = null;

/** The whole conv oracle file, parsed once. */
export function convOracle(): ConvOracle {
  if (!cached)
    cached = JSON.parse(
      fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'assignment2', 'conv_oracle.json'), 'utf8'),
    ) as ConvOracle;
  return cached;
}
