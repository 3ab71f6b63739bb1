// The portable native build: GCC vector extensions of 4 floats (SSE2 on x86-64, NEON on
// arm64), no instruction-set flags. Always available.
#include "kernels.h"

namespace pofa {
namespace scalar {

#include "isa-scalar.inc"
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
