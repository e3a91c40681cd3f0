/**
 * `ts231n/datasets`: the kit's data sets (../../datasets), under the package name that notebooks
 * and assignment code import (the mapping is declared in ./package.json).
 */
export * from '../../datasets';
