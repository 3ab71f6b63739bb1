// The AVX-512 build of the training kernels (compiled with -mavx512f/bw/vl/dq -mfma; used only
// when the inference table chosen at load time is the AVX-512 one).
#include <immintrin.h>

#include "training-kernels.h"

namespace pofa {
namespace avx512_training {

constexpr int VW = 16;
typedef float vf __attribute__((vector_size(64)));
static inline vf vload(const float* p) { return (vf)_mm512_loadu_ps(p); }
static inline void vstore(float* p, vf v) { _mm512_storeu_ps(p, (__m512)v); }
static inline vf vbroadcast(float x) { return (vf)_mm512_set1_ps(x); }
static inline vf vmadd(vf a, vf b, vf c) { return (vf)_mm512_fmadd_ps((__m512)a, (__m512)b, (__m512)c); }
constexpr int GEMM_MR = 12;
#define ISA_NAME "avx512-vnni"

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
