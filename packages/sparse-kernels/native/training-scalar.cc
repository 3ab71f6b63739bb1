// The portable build of the training kernels: GCC vectors of 4 floats, no instruction-set flags.
#include "training-kernels.h"

namespace pofa {
namespace scalar_training {

constexpr int VW = 4;
typedef float vf __attribute__((vector_size(16)));
static inline vf vload(const float* p) {
  vf v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}
static inline void vstore(float* p, vf v) { __builtin_memcpy(p, &v, sizeof v); }
static inline vf vbroadcast(float x) { return vf{x, x, x, x}; }
static inline vf vmadd(vf a, vf b, vf c) { return a * b + c; }
constexpr int GEMM_MR = 6;
#define ISA_NAME "scalar"

#include "vector-math.inc"
// Only the micro-kernel and block sizes of gemm-body.inc are used here, not its gemm().
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include "gemm-body.inc"
#pragma GCC diagnostic pop
#include "training-body.inc"

}  // namespace scalar_training

const TrainingKernelTable* training_table_scalar() { return &scalar_training::training_table; }

}  // namespace pofa
