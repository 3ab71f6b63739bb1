// The `PofaSparseMatMul` tfjs op (a packed sparse/int8 weight times an input) and its kernel registrations for tfjs's `cpu` and `wasm` backends.
export { sparseMatMul, SPARSE_MAT_MUL, type SparseMatMulAttributes } from './sparse-mat-mul';
export { createSparseMatMulKernels, registerSparseMatMulKernels, type SparseMatMulKernel } from './sparse-mat-mul-kernels';
