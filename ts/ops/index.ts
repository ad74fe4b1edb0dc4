export * from './matmul.js';
export * from './arithmetic.js';
export * from './unary.js';
export * from './reduce.js';
export * from './shape.js';
export * from './gather.js';
