// The AVX2 + FMA build of the training kernels (compiled with -mavx2 -mfma).
#include <immintrin.h>

#include "training-kernels.h"

namespace pofa {
namespace avx2_training {

#include "isa-avx2.inc"
#include "vector-math.inc"
// Only the micro-kernel and block sizes of gemm-body.inc are used here, not its gemm().
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include "gemm-body.inc"
#pragma GCC diagnostic pop
#include "training-body.inc"

}  // namespace avx2_training

const TrainingKernelTable* training_table_avx2() { return &avx2_training::training_table; }

}  // namespace pofa
