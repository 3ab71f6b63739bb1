// The AVX2 + FMA build (compiled with -mavx2 -mfma; used only when the CPU reports both).
#include <immintrin.h>

#include "kernels.h"

namespace pofa {
namespace avx2 {

#include "isa-avx2.inc"
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

}  // namespace avx2

const KernelTable* kernel_table_avx2() { return &avx2::table; }

}  // namespace pofa
