// The portable build of the training kernels: GCC vectors of 4 floats, no instruction-set flags.
#include "training-kernels.h"

namespace pofa {
namespace scalar_training {

#include "isa-scalar.inc"
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
