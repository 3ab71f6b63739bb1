// The AVX-512 build of the training kernels (compiled with -mavx512f/bw/vl/dq/vnni -mfma; used only
// when the inference table chosen at load time is the AVX-512 one).
#include <immintrin.h>

#include "training-kernels.h"

namespace pofa {
namespace avx512_training {

#include "isa-avx512.inc"
#include "vector-math.inc"
// Only the micro-kernel and block sizes of gemm-body.inc are used here, not its gemm().
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include "gemm-body.inc"
#pragma GCC diagnostic pop
#include "training-body.inc"

}  // namespace avx512_training

const TrainingKernelTable* training_table_avx512() { return &avx512_training::training_table; }

}  // namespace pofa
