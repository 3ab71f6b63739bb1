// The portable native build: GCC vector extensions of 4 floats (SSE2 on x86-64, NEON on
// arm64), no instruction-set flags. Always available.
#include "kernels.h"

namespace pofa {
namespace scalar {

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
static inline float vsum(vf v) { return (v[0] + v[1]) + (v[2] + v[3]); }
constexpr int GEMM_MR = 6;
#define ISA_NAME "scalar"

#include "vector-math.inc"
#include "vector-approx.inc"
#include "transpose-generic.inc"
#include "transpose.inc"
#include "gemm-body.inc"
#include "gemm-driver.inc"
#include "linear-body.inc"
#include "int8-tile-generic.inc"
#include "int8-body.inc"
#include "ops-body.inc"
#include "attention-body.inc"
#include "table.inc"

}  // namespace scalar

const KernelTable* kernel_table_scalar() { return &scalar::table; }

}  // namespace pofa
